"""Button clicks (``block_actions``) and modal submissions on the coach's messages.

Each handler parses the click, asks a use case, and keeps the outcomes in the outbox; the
table at the bottom says which action ids reach which handler. A click the coach cannot read (a
malformed or foreign value) is answered with ``Notice("stale_button")`` and changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.payloads import (
    acknowledge,
    chosen,
    clicked_message,
    dm_channel,
    iso_date,
    member_of,
    selected,
    value_parts,
    view_values,
)
from bot.listeners.reply import keep_for_sending, open_settings
from bot.sending.landing import delivery_for
from bot.usecases.lookback import decline_lookback
from bot.usecases.services import Services
from bot.views.assessment import (
    ANSWER_ACTION_PREFIX,
    BACK_ACTION,
    CARDS_ACTION,
    CONFIRM_ACTION_PREFIX,
    RETAKE_ACTION,
    SKIP_ACTION,
    START_ACTION,
    parse_block_id,
)
from bot.views.home import CHECKIN_NOW_ACTION, SETTINGS_ACTION
from bot.views.journey import (
    CHECKIN_PREFIX,
    LOOKBACK_DECLINE_ACTION,
    QUIZ_ANSWER_PREFIX,
    QUIZ_START_ACTION,
    REVISIT_DECLINE_ACTION,
    SETTINGS_CALLBACK,
    STAGE_ACTION,
    settings_errors,
)
from bot.views.privacy import FORGET_ACTION
from flows.content import QUESTION_IDS, RATINGS, STAGE_NUMBERS, Rating
from flows.journey import CHECKIN_OUTCOMES, Source
from flows.outcomes import Closed, Notice, Outcome
from flows.schedule import is_week_key
from flows.values import MemberKey, whole_number

log = logging.getLogger(__name__)
STAGE_SOURCES: tuple[Source, ...] = ("placement", "quiz", "checkin")
STALE: list[Outcome] = [Notice("stale_button")]
Decide = Callable[[Services, MemberKey, dict[str, Any]], list[Outcome]]


def on_clicked_message(outcomes: list[Outcome], body: dict[str, Any]) -> list[Outcome]:
    """Close the very message that was clicked, whatever the store last recorded as the prompt."""
    clicked = clicked_message(body)
    if clicked is None:
        return outcomes
    channel, ts = clicked
    return [replace(o, prompt_channel=channel, prompt_ts=ts) if isinstance(o, Closed) else o for o in outcomes]


def rating_click(action: dict[str, Any]) -> tuple[int, str, Rating] | None:
    """(assessment, question, rating) from an answer button: its value names the question and the
    rating, its block the assessment and the same question; None for anything else."""
    question_id, rating = value_parts(action, 2)
    where = parse_block_id(str(action.get("block_id", "")))
    if question_id not in QUESTION_IDS or rating not in RATINGS or where is None or where[1] != question_id:
        log.warning("ignored a malformed answer: value=%r block=%r", action.get("value"), action.get("block_id"))
        return None
    return where[0], question_id, rating


def answer(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    click = rating_click(action)
    if click is None:
        return STALE
    assessment_id, question_id, rating = click
    return services.coach().answer(member, question_id, rating, assessment_id=assessment_id)


def confirm(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    """A click on "Did you mean …?": the answer the member meant, for the question the message asked."""
    click = rating_click(action)
    if click is None:
        return STALE
    assessment_id, question_id, rating = click
    return services.coach().confirm(member, question_id, rating, assessment_id=assessment_id)


def navigate(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    where = parse_block_id(str(action.get("block_id", "")))
    question_id = str(action.get("value", ""))
    if where is None or where[1] != question_id:
        return STALE
    coach = services.coach()
    move = coach.back if action.get("action_id") == BACK_ACTION else coach.skip
    return move(member, question_id=question_id, assessment_id=where[0])


def start(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    return services.coach().retake(member)


def cards(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    return services.journey().cards(member)


def quiz_start(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    return services.journey().quiz_start(member)


def quiz_answer(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    prefix, question_id, index_text, earlier_text = value_parts(action, 4)
    index = whole_number(index_text)
    earlier = [whole_number(part) for part in earlier_text.split(".")] if earlier_text else []
    if prefix != "quiz" or index is None or None in earlier:
        return STALE
    return services.journey().quiz_answer(member, question_id, index, tuple(i for i in earlier if i is not None))


def stage_pick(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    prefix, number_text = value_parts(action, 2)
    number = whole_number(number_text)
    block_parts = str(action.get("block_id", "")).split(":")
    source = block_parts[1] if len(block_parts) == 3 and block_parts[1] in STAGE_SOURCES else "placement"
    if prefix != "stage" or number not in STAGE_NUMBERS:
        return STALE
    return services.journey().place(member, number, source)


def checkin(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    prefix, period, outcome = value_parts(action, 3)
    if prefix != "checkin" or outcome not in CHECKIN_OUTCOMES or not is_week_key(period):
        return STALE
    return services.journey().checkin_answer(member, period, outcome)


def checkin_now(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    return services.journey().checkin_now(member)


def decline_revisit(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    return services.coach().decline_revisit(member)


def forget(services: Services, member: MemberKey, action: dict[str, Any]) -> list[Outcome]:
    return services.privacy().forget(member)


def clicked(
    decide: Decide, services: Services, ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext
) -> None:
    """Every click: decide and persist, keep the outcomes in the outbox (same transaction), then ack."""
    member = member_of(context)
    if member is not None:
        outcomes = decide(services, member, action)
        if decide is not confirm:  # "Did you mean …?" is not the question: that one closes where it is
            outcomes = on_clicked_message(outcomes, body)
        keep_for_sending(context, outcomes, dm_channel(body), clicked_message(body))
    ack()


def settings_submitted(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    member = member_of(context)
    values = view_values(view)
    if member is not None:
        weekday = whole_number(chosen(selected(values, "weekday")))
        at = chosen(selected(values, "time"))
        paused = bool(selected(values, "paused").get("selected_options"))
        share = bool(selected(values, "share").get("selected_options"))
        picked_date = selected(values, "paused_until").get("selected_date")
        until, shown = iso_date(picked_date), iso_date(view.get("private_metadata"))
        journey = services.journey()
        day = -1 if weekday is None else weekday
        if picked_date and until is None:
            outcomes: list[Outcome] = [Notice("pause_bad_date")]  # no date a date picker sends
        else:
            outcomes = journey.save_settings(member, day, at, paused, share, until, shown, from_form=True)
        refused = settings_errors(services.bundle_for(member), outcomes)
        if refused:  # shown under the input in the modal, which stays open
            ack(response_action="errors", errors=refused)
            return
        keep_for_sending(context, outcomes)
    ack()


def learn_profile(services: Services, context: BoltContext, client: WebClient) -> None:
    """After a stage pick: the member's time zone, for their check-ins (read from Slack each time)."""
    member = member_of(context)
    if member is not None:
        services.profiles().learn(member, delivery_for(services, client, member).fetch_profile(member.user_id))


def settings_from_home(services: Services, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    member = member_of(context)
    if member is not None and isinstance(body.get("trigger_id"), str):
        open_settings(services, client, member, body["trigger_id"])



def prefixed(prefix: str) -> re.Pattern[str]:
    return re.compile(f"^{re.escape(prefix)}")


# Which clicks reach which decision; each replies through the outbox.
CLICKS: tuple[tuple[str | re.Pattern[str], Decide], ...] = (
    (prefixed(ANSWER_ACTION_PREFIX), answer),
    (prefixed(CONFIRM_ACTION_PREFIX), confirm),
    (re.compile(f"^({BACK_ACTION}|{SKIP_ACTION})$"), navigate),
    (re.compile(f"^({START_ACTION}|{RETAKE_ACTION})$"), start),
    (CARDS_ACTION, cards),
    (QUIZ_START_ACTION, quiz_start),
    (prefixed(QUIZ_ANSWER_PREFIX), quiz_answer),
    (prefixed(CHECKIN_PREFIX), checkin),
    (CHECKIN_NOW_ACTION, checkin_now),
    (FORGET_ACTION, forget),
    (REVISIT_DECLINE_ACTION, decline_revisit),
    (LOOKBACK_DECLINE_ACTION, lambda _services, _member, _action: decline_lookback()),
)


def register(app: App, services: Services) -> None:
    for action_id, decide in CLICKS:
        app.action(action_id)(partial(clicked, decide, services))
    app.action(STAGE_ACTION)(ack=partial(clicked, stage_pick, services), lazy=[partial(learn_profile, services)])
    app.action(SETTINGS_ACTION)(ack=acknowledge, lazy=[partial(settings_from_home, services)])
    app.view(SETTINGS_CALLBACK)(partial(settings_submitted, services))
