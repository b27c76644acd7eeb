"""Button clicks (``block_actions``) and modal submissions on the coach's messages."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.modals import open_settings
from bot.listeners.reply import keep_for_sending, sender
from bot.profile import refresh_profile
from bot.services import Services
from bot.store import MemberKey
from bot.views.assessment import (
    ANSWER_ACTION_PREFIX,
    BACK_ACTION,
    CARDS_ACTION,
    RETAKE_ACTION,
    SKIP_ACTION,
    START_ACTION,
    parse_block_id,
)
from bot.views.home import CHECKIN_NOW_ACTION, SETTINGS_ACTION
from bot.views.journey import CHECKIN_PREFIX, QUIZ_ANSWER_PREFIX, QUIZ_START_ACTION, SETTINGS_CALLBACK, STAGE_ACTION
from bot.views.privacy import FORGET_ACTION
from flows.content import QUESTION_IDS, RATINGS, STAGE_NUMBERS
from flows.journey import CHECKIN_OUTCOMES, Source
from flows.outcomes import Closed, Notice, Outcome

log = logging.getLogger(__name__)
STAGE_SOURCES: tuple[Source, ...] = ("placement", "quiz", "checkin")


def member_of(context: BoltContext) -> MemberKey:
    """Who clicked, in the workspace Bolt authorized the request for (``view.app_installed_team_id`` or
    ``team.id``), never a payload field a Slack Connect payload can fill differently. A request without
    either never reaches a listener (``bot.listeners.required``)."""
    return MemberKey(context.team_id or "", context.user_id or "")


def is_number(text: str) -> bool:
    """A few ASCII digits only: ``"²".isdigit()`` is True, yet ``int("²")`` raises, and so does
    ``int()`` of more than 4,300 digits."""
    return len(text) <= 9 and text.isascii() and text.isdigit()


def dm_channel(body: dict[str, Any]) -> str | None:
    """The DM the click came from; None when it came from elsewhere (a channel, App Home)."""
    channel = body.get("channel")
    channel = channel.get("id") if isinstance(channel, dict) else None
    return channel if isinstance(channel, str) and channel.startswith("D") else None


def clicked_message(body: dict[str, Any]) -> tuple[str, str] | None:
    container = body.get("container")
    if not isinstance(container, dict):
        return None
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (channel, ts) if channel and ts else None


def on_clicked_message(outcomes: list[Outcome], body: dict[str, Any]) -> list[Outcome]:
    """Close the very message that was clicked, whatever the store last recorded as the prompt."""
    clicked = clicked_message(body)
    if clicked is None:
        return outcomes
    channel, ts = clicked
    return [replace(o, prompt_channel=channel, prompt_ts=ts) if isinstance(o, Closed) else o for o in outcomes]


def register(app: App, services: Services) -> None:
    send = sender(services)

    def keep(context: BoltContext, body: dict[str, Any], outcomes: list[Outcome]) -> None:
        keep_for_sending(context, outcomes, dm_channel(body), clicked_message(body))

    def answer_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        question_id, _, rating = str(action.get("value", "")).partition(":")
        where = parse_block_id(str(action.get("block_id", "")))
        if question_id not in QUESTION_IDS or rating not in RATINGS or where is None or where[1] != question_id:
            log.warning("ignored a malformed answer: value=%r block=%r", action.get("value"), action.get("block_id"))
            outcomes: list[Outcome] = [Notice("old_assessment")]
        else:
            outcomes = services.coach().answer(member_of(context), question_id, rating, assessment_id=where[0])
            outcomes = on_clicked_message(outcomes, body)
        keep(context, body, outcomes)
        ack()

    def navigation_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        where = parse_block_id(str(action.get("block_id", "")))
        question_id = str(action.get("value", ""))
        if where is None or where[1] != question_id:
            outcomes: list[Outcome] = [Notice("old_assessment")]
        else:
            coach = services.coach()
            move = coach.back if action.get("action_id") == BACK_ACTION else coach.skip
            moved = move(member_of(context), question_id=question_id, assessment_id=where[0])
            outcomes = on_clicked_message(moved, body)
        keep(context, body, outcomes)
        ack()

    def start_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        keep(context, body, services.coach().retake(member_of(context)))
        ack()

    def cards_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        keep(context, body, services.journey(member_of(context)).cards(member_of(context)))
        ack()

    def quiz_started(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        keep(context, body, services.journey(member_of(context)).quiz_start(member_of(context)))
        ack()

    def quiz_answered(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        prefix, question_id, index = (str(action.get("value", "")).split(":") + ["", "", ""])[:3]
        if prefix != "quiz" or not is_number(index):
            outcomes: list[Outcome] = [Notice("old_assessment")]
        else:
            outcomes = services.journey(member_of(context)).quiz_answer(member_of(context), question_id, int(index))
        keep(context, body, outcomes)
        ack()

    def stage_picked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        prefix, _, number = str(action.get("value", "")).partition(":")
        block_parts = str(action.get("block_id", "")).split(":")
        source = block_parts[1] if len(block_parts) == 3 and block_parts[1] in STAGE_SOURCES else "placement"
        if prefix != "stage" or not is_number(number) or int(number) not in STAGE_NUMBERS:
            outcomes: list[Outcome] = [Notice("old_assessment")]
        else:
            outcomes = services.journey(member_of(context)).place(member_of(context), int(number), source)
        keep(context, body, outcomes)
        ack()

    def learn_profile(context: BoltContext, client: WebClient) -> None:
        refresh_profile(client, services.store, member_of(context))

    def checkin_answered(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        prefix, period, outcome = (str(action.get("value", "")).split(":") + ["", "", ""])[:3]
        if prefix != "checkin" or outcome not in CHECKIN_OUTCOMES:
            outcomes: list[Outcome] = [Notice("checkin_old")]
        else:
            outcomes = services.journey(member_of(context)).checkin_answer(member_of(context), period, outcome)
        keep(context, body, outcomes)
        ack()

    def settings_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext) -> None:
        values = (view.get("state") or {}).get("values") or {}
        weekday = ((values.get("weekday") or {}).get("weekday") or {}).get("selected_option") or {}
        at = ((values.get("time") or {}).get("time") or {}).get("selected_option") or {}
        paused = ((values.get("paused") or {}).get("paused") or {}).get("selected_options") or []
        share = ((values.get("share") or {}).get("share") or {}).get("selected_options") or []
        day = str(weekday.get("value", ""))
        outcomes = services.journey(member_of(context)).save_settings(
            member_of(context), int(day) if is_number(day) else -1, str(at.get("value", "")), bool(paused), bool(share)
        )
        keep_for_sending(context, outcomes)
        ack()

    def checkin_now_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        keep(context, body, services.journey(member_of(context)).checkin_now(member_of(context)))
        ack()

    def settings_clicked(ack: Ack) -> None:
        ack()

    def settings_modal_from_button(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        open_settings(services, client, member_of(context), str(body.get("trigger_id") or ""))

    app.action(re.compile(f"^{re.escape(ANSWER_ACTION_PREFIX)}"))(ack=answer_clicked, lazy=[send])

    def forget_confirmed(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        keep(context, body, services.privacy().forget(member_of(context)))
        ack()

    app.action(FORGET_ACTION)(ack=forget_confirmed, lazy=[send])
    app.action(CHECKIN_NOW_ACTION)(ack=checkin_now_clicked, lazy=[send])
    app.action(SETTINGS_ACTION)(ack=settings_clicked, lazy=[settings_modal_from_button])
    app.action(re.compile(f"^({BACK_ACTION}|{SKIP_ACTION})$"))(ack=navigation_clicked, lazy=[send])
    app.action(re.compile(f"^({START_ACTION}|{RETAKE_ACTION})$"))(ack=start_clicked, lazy=[send])
    app.action(CARDS_ACTION)(ack=cards_clicked, lazy=[send])
    app.action(QUIZ_START_ACTION)(ack=quiz_started, lazy=[send])
    app.action(re.compile(f"^{re.escape(QUIZ_ANSWER_PREFIX)}"))(ack=quiz_answered, lazy=[send])
    app.action(STAGE_ACTION)(ack=stage_picked, lazy=[send, learn_profile])
    app.action(re.compile(f"^{re.escape(CHECKIN_PREFIX)}"))(ack=checkin_answered, lazy=[send])
    app.view(SETTINGS_CALLBACK)(ack=settings_submitted, lazy=[send])
