"""The plan's requests: the section buttons (open a modal), the modal's submission, the re-rating
buttons, and ``/coach plan`` (called from the slash command's lazy half)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.actions import dm_channel, member_of
from bot.listeners.reply import keep_for_sending, sender
from bot.plan import Plans
from bot.plan_admin import publish_plan
from bot.plan_store import PlanStore
from bot.services import Services
from bot.store import MemberKey
from bot.views.plan import (
    BUILD_ACTION,
    OPEN_ACTION_PREFIX,
    RERATE_ACTION_PREFIX,
    SECTION_CALLBACK,
    plan_notice_text,
    section_modal,
)
from flows.plan import PlanSection
from flows.plan_document import FieldValue

log = logging.getLogger(__name__)


def plans(services: Services, member: MemberKey) -> Plans:
    return Plans(services.store, services.bundle_for(member), services.clock)


def submitted(section: PlanSection, values: dict[str, Any]) -> dict[str, FieldValue | None]:
    """A modal's ``state.values`` in Slack's shapes, read per field (block and action id = field id)."""
    found: dict[str, FieldValue | None] = {}
    for item in section.fields:
        state = (values.get(item.id) or {}).get(item.id) or {}
        if "selected_options" in state:
            found[item.id] = tuple(str(o.get("value", "")) for o in state.get("selected_options") or [])
        elif "selected_user" in state:
            found[item.id] = state.get("selected_user")
        elif "selected_option" in state:
            found[item.id] = (state.get("selected_option") or {}).get("value")
        else:
            found[item.id] = state.get("value")
    return found


def open_section(services: Services, client: WebClient, member: MemberKey, section_id: str, trigger_id: str) -> None:
    bundle = services.bundle_for(member)
    if section_id not in {s.id for s in bundle.plan.sections}:
        log.warning("ignored a plan button for an unknown section %r", section_id)
        return
    view = section_modal(bundle, section_id, PlanStore(services.store).answers(member).get(section_id))
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open failed for %s: %s", member, error.response.get("error"))


def plan_command(services: Services, client: WebClient, member: MemberKey, args: list[str], respond: Respond) -> None:
    """``/coach plan``: the sections and the document in the DM; with ``#channel``, an admin's publication."""
    if args:
        notice = publish_plan(services, client, member, args)
        respond(text=plan_notice_text(services.bundle_for(member), notice))
        return
    delivery = services.delivery(client, member)
    try:
        channel = delivery.open_dm(member.user_id)
    except SlackApiError as error:
        log.warning("could not open a DM with %s: %s", member, error.response.get("error"))
        respond(text=delivery.bundle.messages.text("dm_failed"))
        return
    delivery.deliver(channel, plans(services, member).show(member))
    delivery.publish_home(member)
    respond(text=delivery.bundle.plan.text("pointer"))


def register(app: App, services: Services) -> None:
    send = sender(services)

    def just_ack(ack: Ack) -> None:
        ack()

    def section_clicked(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        open_section(services, client, member_of(body), str(action.get("value", "")), body["trigger_id"])

    def section_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        member = member_of(body)
        use_case = plans(services, member)
        section_id = str(view.get("private_metadata", ""))
        if section_id not in {s.id for s in use_case.bundle.plan.sections}:
            log.warning("ignored a plan submission for an unknown section %r", section_id)
            ack()
            return
        section = use_case.bundle.plan.section(section_id)
        result = use_case.save(member, section_id, submitted(section, (view.get("state") or {}).get("values") or {}))
        if isinstance(result, list):
            keep_for_sending(context, result)
            ack()
            return
        errors = {field: use_case.bundle.plan.text(key, **params) for field, (key, params) in result.errors.items()}
        ack(response_action="errors", errors=errors)

    def rerate_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        question_id, _, rating = str(action.get("value", "")).partition(":")
        member = member_of(body)
        keep_for_sending(context, plans(services, member).rerate(member, question_id, rating), dm_channel(body))
        ack()

    opens = re.compile(f"^({re.escape(OPEN_ACTION_PREFIX)}[a-z_]+|{BUILD_ACTION})$")
    app.action(opens)(ack=just_ack, lazy=[section_clicked])
    app.view(SECTION_CALLBACK)(ack=section_submitted, lazy=[send])
    app.action(re.compile(f"^{re.escape(RERATE_ACTION_PREFIX)}"))(ack=rerate_clicked, lazy=[send])
