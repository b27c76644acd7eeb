"""The domain without Slack: the assessment machine (scoring is in test_scoring.py)."""

from __future__ import annotations

import pytest

from flows.assessment import INTRO, SUMMARY, InvalidMove, assessment_config, next_state
from flows.content import QUESTION_IDS

CONFIG = assessment_config(QUESTION_IDS)


def test_the_machine_walks_intro_questions_summary() -> None:
    state = next_state(CONFIG, INTRO, "begin")
    visited = [state]
    while state != SUMMARY:
        state = next_state(CONFIG, state, "answer")
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
    assert next_state(CONFIG, state, trigger) == expected


@pytest.mark.parametrize(
    ("state", "trigger"),
    [("reason", "back"), (SUMMARY, "answer"), (SUMMARY, "restart"), (INTRO, "answer"), ("reason", "fly")],
)
def test_moves_the_machine_does_not_allow(state: str, trigger: str) -> None:
    with pytest.raises(InvalidMove):
        next_state(CONFIG, state, trigger)
