"""The quarterly look back's rules: when it is offered, and what changed per question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.assessment import evaluate
from flows.content import QUESTION_IDS
from flows.follow_up import Standing
from flows.lookback import Change, changes, lookback_due

DONE = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def standing(verdict: str | None, asked: bool = False) -> Standing:
    return Standing(stage=3, verdict=verdict, completed_at=DONE, invited=True, revisit_asked=asked)


def test_the_look_back_comes_three_months_on_once_and_only_to_members_on_check_ins() -> None:
    assert not lookback_due(standing("getting_there"), DONE + timedelta(days=90))
    assert lookback_due(standing("getting_there"), DONE + timedelta(days=91))
    assert not lookback_due(standing("getting_there", asked=True), DONE + timedelta(days=200))
    assert not lookback_due(standing("better_elsewhere"), DONE + timedelta(days=91))  # its own question
    assert not lookback_due(standing(None), DONE + timedelta(days=91))


def test_changes_pair_each_question_before_and_after() -> None:
    before = evaluate(QUESTION_IDS, {"pipeline": "not_yet", "reason": "ready"})
    after = evaluate(QUESTION_IDS, {"pipeline": "partly", "reason": "ready"})
    found = {c.question_id: c for c in changes(before, after)}
    assert found["pipeline"] == Change("pipeline", "not_yet", "partly")
    assert found["reason"] == Change("reason", "ready", "ready")
    assert found["policy"] == Change("policy", None, None)  # skipped both times
