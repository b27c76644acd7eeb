"""The domain without Slack: the assessment machine (scoring is in test_scoring.py)."""

from __future__ import annotations

import pytest

from flows.assessment import INTRO, SUMMARY, assessment_config
from flows.content import QUESTION_IDS
from flows.machines import InvalidMove

CONFIG = assessment_config(QUESTION_IDS)


def test_the_machine_walks_intro_questions_summary() -> None:
    state = CONFIG.next_state(INTRO, "begin")
    visited = [state]
    while state != SUMMARY:
        state = CONFIG.next_state(state, "answer")
        visited.append(state)
    assert visited == [*QUESTION_IDS, SUMMARY]


@pytest.mark.parametrize(
    ("state", "trigger", "expected"),
    [
        ("networks", "back", "reason"),
        ("measurement", "back", "policy"),
        ("pipeline", "skip", "policy"),
        ("measurement", "skip", SUMMARY),
        ("policy", "restart", "reason"),
        ("reason", "restart", "reason"),
    ],
)
def test_back_skip_restart(state: str, trigger: str, expected: str) -> None:
    assert CONFIG.next_state(state, trigger) == expected


@pytest.mark.parametrize(
    ("state", "trigger"),
    [("reason", "back"), (SUMMARY, "answer"), (SUMMARY, "restart"), (INTRO, "answer"), ("reason", "fly")],
)
def test_moves_the_machine_does_not_allow(state: str, trigger: str) -> None:
    with pytest.raises(InvalidMove):
        CONFIG.next_state(state, trigger)
