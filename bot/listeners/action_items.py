"""Actions with an owner and a date: the button (a verdict's next step) or menu (a written plan part)
that opens the form, the form's submission, and the check-in's done / not yet / drop buttons."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.payloads import (
    acknowledge,
    as_dict,
    clicked_message,
    dm_channel,
    iso_date,
    member_of,
    selected,
    view_values,
)
from bot.listeners.reply import keep_for_sending
from bot.sending.landing import delivery_for
from bot.usecases.services import Services
from bot.views.actions import ACTION_ANSWER_PREFIX, ACTION_CALLBACK, ACTION_FROM_PLAN, ACTION_NEW, action_errors
from flows.actions import ACTION_ANSWERS
from flows.outcomes import Notice
from flows.values import whole_number

SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


def open_form(
    services: Services, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """The action form, opened at once with the click's trigger (a lazy listener, after the ack)."""
    member = member_of(context)
    source = str(action.get("value") or as_dict(action.get("selected_option")).get("value") or "")
    if member is None or not isinstance(body.get("trigger_id"), str):
        return
    form = services.actions(member).form(member, source)
    delivery = delivery_for(services, client, member)
    if form is None:
        delivery.deliver(delivery.open_dm(member.user_id), [Notice("stale_button")])
        return
    delivery.open_action_form(body["trigger_id"], form, member.user_id)


def form_submitted(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    member = member_of(context)
    if member is None:
        ack()
        return
    values = view_values(view)
    title = str(selected(values, "title").get("value") or "")
    owner = str(selected(values, "owner").get("selected_user") or "")
    due = iso_date(selected(values, "due").get("selected_date"))
    source = str(view.get("private_metadata") or "")
    outcomes = services.actions(member).create(member, source, title, owner if SLACK_USER.match(owner) else "", due)
    if refused := action_errors(services.bundle_for(member), outcomes):  # under the inputs; the modal stays open
        ack(response_action="errors", errors=refused)
        return
    keep_for_sending(context, outcomes)
    ack()


def answered(services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """Done, not yet or drop, from the owner's check-in."""
    member = member_of(context)
    answer = str(action.get("action_id", "")).removeprefix(ACTION_ANSWER_PREFIX)
    action_id = whole_number(str(action.get("value", "")))
    if member is not None and answer in ACTION_ANSWERS and action_id is not None:
        outcomes = services.actions(member).answer(member, action_id, answer)
        keep_for_sending(context, outcomes, dm_channel(body), clicked_message(body))
    ack()


def register(app: App, services: Services) -> None:
    for opener in (ACTION_NEW, ACTION_FROM_PLAN):
        app.action(opener)(ack=acknowledge, lazy=[partial(open_form, services)])
    app.view(ACTION_CALLBACK)(partial(form_submitted, services))
    app.action(re.compile(f"^{re.escape(ACTION_ANSWER_PREFIX)}"))(partial(answered, services))
