"""Signed payloads whose fields have the wrong shape, and headers no real Slack request carries: each
is refused quietly (no 500, no traceback) and changes nothing."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.http.payload_shape import may_hold_surrogates, without_lone_surrogates
from bot.store import Store
from bot.store.plans import PlanStore
from flows.values import MemberKey
from tests.slack_driver import SlackDriver
from tests.test_e2e_plan import submit_section

USER = "U0FORGER"


@pytest.mark.parametrize(
    "values",
    [
        {"owner": "not an object"},
        {"owner": {"owner": "not an object either"}},
        {"hours": {"hours": {"selected_option": "3_5"}}},
        {"networks": {"networks": {"selected_options": "instagram"}}},
        {"networks": {"networks": {"selected_options": ["instagram", 7]}}},
        {"owner": {"owner": {"selected_user": ["U1"]}}, "hours": {"hours": {"value": {"x": 1}}}},
    ],
)
def test_a_plan_section_with_garbled_values_is_refused_quietly(
    coach_server: SlackDriver, settings, caplog: pytest.LogCaptureFixture, values: dict[str, Any]
) -> None:
    with caplog.at_level(logging.INFO):
        reply = submit_section(coach_server, USER, "resources", values)
    assert reply.status == 200 and "Traceback" not in reply.body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert PlanStore(Store(settings.coach_db)).answers(MemberKey("T0001", USER)) == {}


def test_a_garbled_settings_submission_is_refused_quietly(coach_server: SlackDriver, caplog) -> None:
    body = coach_server.view_submission_body(USER, "checkin_settings", {})
    garbled = body.replace("%22state%22%3A+%7B%22values%22%3A+%7B%7D%7D", "%22state%22%3A+%22x%22")
    assert garbled != body
    with caplog.at_level(logging.INFO):
        reply = coach_server.post(garbled, "application/x-www-form-urlencoded")
    assert reply.status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_timestamp_of_thousands_of_digits_is_refused_not_crashed(coach_server: SlackDriver) -> None:
    body = coach_server.event_body(USER, "yes")
    reply = coach_server.post(body, "application/json", timestamp="9" * 5000)  # type: ignore[arg-type]
    assert reply.status == 401 and "Traceback" not in reply.body


@pytest.mark.parametrize(
    ("payload", "form"),
    [
        ({"type": "block_actions", "user": {"id": USER}, "team": {"id": "T0001"}, "actions": ["x"]}, True),
        ({"type": "block_actions", "user": {"id": USER}, "team": {"id": "T0001"}, "actions": "x"}, True),
        ({"type": "view_submission", "user": {"id": USER}, "team": {"id": "T0001"}, "view": []}, True),
        ({"type": "event_callback", "team_id": "T0001", "event_id": "Ev1", "event": []}, False),
    ],
)
def test_a_signed_payload_of_a_shape_slack_never_sends_is_refused_not_crashed(
    coach_server: SlackDriver, caplog: pytest.LogCaptureFixture, payload: dict[str, Any], form: bool
) -> None:
    """Probe: Bolt indexed into these before any listener ran, and the server answered 500."""
    body = urlencode({"payload": json.dumps(payload)}) if form else json.dumps(payload)
    with caplog.at_level(logging.INFO):
        reply = coach_server.post(body, "application/x-www-form-urlencoded" if form else "application/json")
    assert reply.status == 400 and "Traceback" not in reply.body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_lone_surrogate_in_a_typed_answer_is_read_as_a_replacement_character(
    coach_server: SlackDriver, settings
) -> None:
    """Probe: "\\ud800 yes" (no UTF-8 encoder takes it) ended in a 500 when the reply was queued."""
    driver = coach_server
    driver.command(USER)
    driver.wait_question(USER, 1)
    reply = driver.post(driver.event_body(USER, "\ud800 yes, a clear goal"), "application/json")
    assert reply.status == 200
    driver.wait_question(USER, 2)
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MemberKey("T0001", USER))
    assert latest is not None and store.answer_texts(latest.id) == {"reason": "\ufffd yes, a clear goal"}


def test_only_lone_surrogates_are_replaced_and_a_pair_stays_its_emoji() -> None:
    raw = json.dumps({"event": {"text": "\ud83d\ude00 yes \ud800", "\udc00": ["\udfff"]}})
    assert may_hold_surrogates(raw) and may_hold_surrogates(urlencode({"payload": raw}))
    assert not may_hold_surrogates(json.dumps({"text": "kyllä 😀"}, ensure_ascii=False))
    assert without_lone_surrogates(json.loads(raw)) == {"event": {"text": "😀 yes \ufffd", "\ufffd": ["\ufffd"]}}
