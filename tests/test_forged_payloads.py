"""Signed payloads whose fields have the wrong shape, and headers no real Slack request carries: each
is refused quietly (no 500, no traceback) and changes nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest

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
