"""The plan's requests: the section buttons (open a modal), the modal's submission and the re-rating
buttons. (``/coach plan`` is a subcommand: ``bot.listeners.commands``.)"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.payloads import (
    acknowledge,
    as_dict,
    chosen,
    dm_channel,
    member_of,
    selected,
    text_or_none,
    value_parts,
    view_values,
)
from bot.listeners.reply import keep_for_sending
from bot.sending.landing import delivery_for
from bot.usecases.services import Services
from bot.views.plan import (
    BUILD_ACTION,
    OPEN_ACTION_PREFIX,
    RERATE_ACTION_PREFIX,
    SECTION_CALLBACK,
    section_errors,
    section_modal,
)
from flows.plan import PlanSection
from flows.plan_document import FieldValue
from flows.values import whole_number

log = logging.getLogger(__name__)


def submitted(section: PlanSection, values: dict[str, Any]) -> dict[str, FieldValue | None]:
    """A modal's ``state.values`` in Slack's shapes, read per field (block and action id = field id)."""
    found: dict[str, FieldValue | None] = {}
    for item in section.fields:
        state = selected(values, item.id)
        options = state.get("selected_options")
        if "selected_options" in state:
            listed = options if isinstance(options, list) else []
            found[item.id] = tuple(str(as_dict(o).get("value", "")) for o in listed)
        elif "selected_user" in state:
            found[item.id] = text_or_none(state.get("selected_user"))
        elif "selected_option" in state:
            found[item.id] = chosen(state) or None
        else:
            found[item.id] = text_or_none(state.get("value"))
    return found


def section_clicked(
    services: Services, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    member = member_of(context)
    section_id = str(action.get("value", ""))
    if member is None or not isinstance(body.get("trigger_id"), str):
        return
    answers = services.plans(member).section_answers(member, section_id)
    if answers is None:
        log.warning("ignored a plan button for an unknown section %r", section_id)
        return
    delivery = delivery_for(services, client, member)
    delivery.open_modal(body["trigger_id"], section_modal(delivery.bundle, section_id, answers), member.user_id)


def section_submitted(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    member = member_of(context)
    if member is None:
        ack()
        return
    plans = services.plans(member)
    section_id = str(view.get("private_metadata", ""))
    if section_id not in {s.id for s in plans.bundle.plan.sections}:
        log.warning("ignored a plan submission for an unknown section %r", section_id)
        ack()
        return
    section = plans.bundle.plan.section(section_id)
    result = plans.save(member, section_id, submitted(section, view_values(view)))
    if isinstance(result, list):
        keep_for_sending(context, result)
        ack()
        return
    ack(response_action="errors", errors=section_errors(plans.bundle, result))


def rerate_clicked(
    services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> None:
    question_id, rating, assessment = value_parts(action, 3)
    member, assessment_id = member_of(context), whole_number(assessment)  # none on buttons sent before ids
    if member is not None:
        rerated = services.plans(member).rerate(member, question_id, rating, assessment_id)
        keep_for_sending(context, rerated, dm_channel(body))
    ack()



def register(app: App, services: Services) -> None:
    opens = re.compile(f"^({re.escape(OPEN_ACTION_PREFIX)}[a-z_]+|{BUILD_ACTION})$")
    app.action(opens)(ack=acknowledge, lazy=[partial(section_clicked, services)])
    app.view(SECTION_CALLBACK)(partial(section_submitted, services))
    app.action(re.compile(f"^{re.escape(RERATE_ACTION_PREFIX)}"))(partial(rerate_clicked, services))
