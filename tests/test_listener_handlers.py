"""Listener handlers called directly, without HTTP: parsing a payload, the use case it reaches, and
what is kept for the sender. Bad payloads are refused without changing anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import Ack, BoltContext

from bot.listeners import actions, commands, messages
from bot.listeners.payloads import member_of, parse_subcommand, value_parts
from bot.listeners.reply import OUTCOMES_KEY, REPLY_KEY
from bot.store import Store
from bot.usecases.services import Services
from flows.content import load_bundle
from flows.outcomes import Ask, Closed, Notice
from flows.values import MemberKey
from tests.conftest import FrozenClock

USER = "U0HAND"
MEMBER = MemberKey("T0001", USER)


class Acks(Ack):
    """Bolt's ``ack``, counting its calls: every handler must acknowledge exactly once."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1
        return super().__call__(*args, **kwargs)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    return Services(store=Store(tmp_path / "coach.db"), bundle=load_bundle(), clock=FrozenClock())


def context(user: str | None = USER) -> BoltContext:
    return BoltContext({"team_id": "T0001", "user_id": user})


def click(services: Services, decide: actions.Decide, action: dict[str, Any], ctx: BoltContext | None = None):
    ctx = ctx or context()
    ack = Acks()
    body = {"container": {"channel_id": f"D{USER}", "message_ts": "9.9"}, "channel": {"id": f"D{USER}"}}
    actions.clicked(decide, services, ack, body, action, ctx)
    assert ack.count == 1
    return ctx.get(OUTCOMES_KEY)


def begin(services: Services) -> int:
    (*_intro, ask) = services.coach().start(MEMBER)
    assert isinstance(ask, Ask)
    return ask.assessment_id


def test_an_answer_click_closes_the_clicked_message(services: Services) -> None:
    assessment_id = begin(services)
    action = {"value": "reason:ready", "block_id": f"answer:{assessment_id}:reason", "action_id": "answer:ready"}
    closed, ask = click(services, actions.answer, action)
    assert isinstance(closed, Closed) and (closed.prompt_channel, closed.prompt_ts) == (f"D{USER}", "9.9")
    assert isinstance(ask, Ask) and ask.question_id == "networks"


@pytest.mark.parametrize(
    ("decide", "action"),
    [
        (actions.answer, {"value": "networks:ready", "block_id": "answer:1:reason"}),
        (actions.answer, {"value": "reason:maybe", "block_id": "answer:1:reason"}),
        (actions.answer, {"value": "reason:ready", "block_id": "answer:²:reason"}),
        (actions.answer, {"value": "reason:ready", "block_id": "answer:" + "9" * 40 + ":reason"}),
        (actions.navigate, {"value": "reason", "block_id": "nav:x:reason", "action_id": "assessment_skip"}),
        (actions.quiz_answer, {"value": "quiz:frequency:²"}),
        (actions.quiz_answer, {"value": "quiz"}),
        (actions.stage_pick, {"value": "stage:²", "block_id": "stage:placement:2"}),
        (actions.stage_pick, {"value": "stage:9", "block_id": "stage:placement:9"}),
        (actions.stage_pick, {}),
    ],
)
def test_unreadable_clicks_change_nothing(services: Services, decide: actions.Decide, action: dict) -> None:
    begin(services)
    before = (services.store.latest_assessment(MEMBER), services.store.member(MEMBER))
    assert click(services, decide, action) == [Notice("stale_button")]
    assert (services.store.latest_assessment(MEMBER), services.store.member(MEMBER)) == before


@pytest.mark.parametrize("value", ["checkin", "checkin:2026-W48:zzz", "checkin:2099-W99:back", "checkin:W48:back"])
def test_a_check_in_click_without_its_parts_is_unreadable(services: Services, value: str) -> None:
    """Not "from an earlier week": no check-in of the coach's said it (attack probe)."""
    assert click(services, actions.checkin, {"value": value}) == [Notice("stale_button")]


def test_a_payload_without_a_user_is_acknowledged_and_ignored(services: Services) -> None:
    ctx = context(user=None)
    assert click(services, actions.answer, {"value": "reason:ready"}, ctx) is None
    assert services.store.team_members("T0001") == []


def test_settings_with_a_non_ascii_digit_weekday_are_refused(services: Services) -> None:
    ctx, ack = context(), Acks()
    values = {"weekday": {"weekday": {"selected_option": {"value": "²"}}}, "time": {"time": {}}}
    actions.settings_submitted(services, ack, {"state": {"values": values}}, ctx)
    assert ack.count == 1 and OUTCOMES_KEY not in ctx  # nothing sent: the modal shows the error
    assert ack.response is not None and json.loads(ack.response.body) == {
        "response_action": "errors",
        "errors": {"weekday": "Please choose a day from the list."},
    }


def test_unknown_subcommand_is_answered_with_help(services: Services) -> None:
    ctx, ack = context(), Acks()
    commands.coach_command(services, ack, {"text": "dance <!here>"}, ctx)
    assert ctx[REPLY_KEY] == [Notice("unknown_command", {"command": "dance <!here>"}), Notice("help")]  # escaped
    ctx, ack = context(), Acks()
    commands.coach_command(services, ack, {"text": "<#C123|General> now"}, ctx)  # probe: echoed lowercased
    assert ctx[REPLY_KEY][0] == Notice("unknown_command", {"command": "<#C123|General> now"})
    ctx, ack = context(), Acks()
    commands.coach_command(services, ack, {"text": "check   in"}, ctx)  # probe: "I don't know /coach check"
    assert ctx[REPLY_KEY][0] == Notice("unknown_command", {"command": "check in"})


def test_start_subcommand_begins_in_the_dm_and_points_there(services: Services) -> None:
    ctx, ack = context(), Acks()
    commands.coach_command(services, ack, {"text": ""}, ctx)
    assert ctx[REPLY_KEY] == [Notice("pointer_dm")] and isinstance(ctx[OUTCOMES_KEY][-1], Ask)


def test_typed_messages_from_bots_or_edits_are_ignored(services: Services) -> None:
    begin(services)
    for event in (
        {"channel_type": "im", "text": "yes", "user": USER, "channel": f"D{USER}", "bot_id": "B1"},
        {"channel_type": "im", "text": "yes", "user": USER, "channel": f"D{USER}", "subtype": "message_changed"},
        {"channel_type": "im", "text": "yes", "user": USER},  # no channel
    ):
        ctx, ack = context(), Acks()
        messages.direct_message(services, ack, event, ctx)
        assert ack.count == 1 and OUTCOMES_KEY not in ctx


def test_payload_readers() -> None:
    assert member_of(BoltContext({"enterprise_id": "E1", "user_id": "U1"})) == MemberKey("E1", "U1")
    assert member_of(BoltContext({"team_id": "T1"})) is None
    assert value_parts({"value": "a:b"}, 3) == ["a", "b", ""]
    assert parse_subcommand("  Report  <#C1|x> ") == ("report", ["<#C1|x>"])
