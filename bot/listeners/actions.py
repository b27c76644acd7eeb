"""Button clicks (``block_actions``) on the coach's messages."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.listeners.reply import keep_for_sending, sender
from bot.services import Services
from bot.store import MemberKey
from bot.views.assessment import (
    ANSWER_ACTION_PREFIX,
    BACK_ACTION,
    RETAKE_ACTION,
    SKIP_ACTION,
    START_ACTION,
    parse_block_id,
)
from flows.content import QUESTION_IDS, RATINGS
from flows.outcomes import Closed, Notice, Outcome

log = logging.getLogger(__name__)


def member_of(body: dict[str, Any]) -> MemberKey:
    team = body.get("team") or {}
    user = body["user"]
    return MemberKey(team.get("id") or user.get("team_id", ""), user["id"])


def dm_channel(body: dict[str, Any]) -> str | None:
    """The DM the click came from; None when it came from elsewhere (a channel, App Home)."""
    channel = (body.get("channel") or {}).get("id")
    return channel if isinstance(channel, str) and channel.startswith("D") else None


def on_clicked_message(outcomes: list[Outcome], body: dict[str, Any]) -> list[Outcome]:
    """Close the very message that was clicked, whatever the store last recorded as the prompt."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not (channel and ts):
        return outcomes
    return [replace(o, prompt_channel=channel, prompt_ts=ts) if isinstance(o, Closed) else o for o in outcomes]


def register(app: App, services: Services) -> None:
    send = sender(services)

    def answer_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        question_id, _, rating = str(action.get("value", "")).partition(":")
        where = parse_block_id(str(action.get("block_id", "")))
        if question_id not in QUESTION_IDS or rating not in RATINGS or where is None or where[1] != question_id:
            log.warning("ignored a malformed answer: value=%r block=%r", action.get("value"), action.get("block_id"))
            outcomes: list[Outcome] = [Notice("old_assessment")]
        else:
            outcomes = services.coach().answer(member_of(body), question_id, rating, assessment_id=where[0])
            outcomes = on_clicked_message(outcomes, body)
        keep_for_sending(context, outcomes, dm_channel(body))
        ack()

    def navigation_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
        where = parse_block_id(str(action.get("block_id", "")))
        question_id = str(action.get("value", ""))
        if where is None or where[1] != question_id:
            outcomes: list[Outcome] = [Notice("old_assessment")]
        else:
            coach = services.coach()
            move = coach.back if action["action_id"] == BACK_ACTION else coach.skip
            outcomes = on_clicked_message(move(member_of(body), question_id=question_id, assessment_id=where[0]), body)
        keep_for_sending(context, outcomes, dm_channel(body))
        ack()

    def start_clicked(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        keep_for_sending(context, services.coach().retake(member_of(body)), dm_channel(body))
        ack()

    app.action(re.compile(f"^{re.escape(ANSWER_ACTION_PREFIX)}"))(ack=answer_clicked, lazy=[send])
    app.action(re.compile(f"^({BACK_ACTION}|{SKIP_ACTION})$"))(ack=navigation_clicked, lazy=[send])
    app.action(re.compile(f"^({START_ACTION}|{RETAKE_ACTION})$"))(ack=start_clicked, lazy=[send])
