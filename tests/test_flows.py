"""The domain without Slack: the assessment machine, scoring and the verdict rules."""

from __future__ import annotations

import pytest

from flows.assessment import INTRO, SUMMARY, assessment_config, evaluate
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


def answers(*ratings: str | None) -> dict[str, str]:
    return {qid: rating for qid, rating in zip(QUESTION_IDS, ratings, strict=True) if rating is not None}


@pytest.mark.parametrize(
    ("ratings", "verdict", "score"),
    [
        (("ready",) * 6, "ready", 12),
        (("ready", "ready", "ready", "ready", "partly", "partly"), "ready", 10),
        (("ready", "ready", "ready", "partly", "partly", "partly"), "getting_there", 9),
        # One not_yet caps the verdict below Ready however strong the rest is: the weakest link.
        (("ready", "ready", "ready", "ready", "ready", "not_yet"), "getting_there", 10),
        (("ready", "ready", "ready", "ready", "ready", None), "getting_there", 10),
        (("ready", "ready", "ready", "not_yet", "not_yet", "not_yet"), "not_yet", 6),
        (("partly", "partly", "partly", "partly", "partly", "not_yet"), "not_yet", 5),
        (("not_yet",) * 6, "not_yet", 0),
    ],
)
def test_verdicts(ratings: tuple[str | None, ...], verdict: str, score: int) -> None:
    result = evaluate(QUESTION_IDS, answers(*ratings))  # type: ignore[arg-type]
    assert (result.verdict, result.score, result.max_score) == (verdict, score, 12)


def test_plan_is_ordered_weakest_first_and_names_the_weakest_link() -> None:
    result = evaluate(QUESTION_IDS, answers("partly", "ready", "not_yet", None, "partly", "not_yet"))  # type: ignore[arg-type]
    assert [r.question_id for r in result.plan] == ["resources", "pipeline", "measurement", "reason", "policy"]
    assert result.weakest is not None and result.weakest.question_id == "resources"
    assert result.answered == 5


def test_no_weak_link_when_everything_is_ready() -> None:
    result = evaluate(QUESTION_IDS, answers(*("ready",) * 6))  # type: ignore[arg-type]
    assert result.weakest is None and result.plan == ()
