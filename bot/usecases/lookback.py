"""The quarterly look back: what a result is compared with, and a declined offer to look again."""

from __future__ import annotations

from bot.store import AssessmentRow
from bot.store.interfaces import CoachStore
from flows.assessment import evaluate
from flows.content import QUESTION_IDS
from flows.lookback import VerdictPoint
from flows.outcomes import Notice, Outcome
from flows.values import MemberKey

COMPARED_WITH = 20  # how many of the member's latest assessments are searched for the one before


def previous_completed(store: CoachStore, row: AssessmentRow) -> AssessmentRow | None:
    """The member's completed assessment before ``row``: what a result is compared with."""
    member = MemberKey(row.team_id, row.user_id)
    earlier = [a for a in store.recent_assessments(member, COMPARED_WITH) if a.id < row.id and a.completed_at]
    return earlier[0] if earlier else None


def latest_verdict(store: CoachStore, member: MemberKey) -> str | None:
    """The verdict of the member's latest finished assessment, if any."""
    latest = store.latest_completed_assessment(member)
    return evaluate(QUESTION_IDS, store.answers(latest.id)).verdict if latest is not None else None


def verdict_history(store: CoachStore, member: MemberKey, upto: int | None = None) -> tuple[VerdictPoint, ...]:
    """The verdicts over time, oldest first, up to assessment ``upto`` (the latest when None); empty
    with fewer than two (one verdict is no history)."""
    done = [a for a in store.recent_assessments(member, COMPARED_WITH) if a.completed_at is not None]
    points = tuple(
        VerdictPoint(a.completed_at, evaluate(QUESTION_IDS, store.answers(a.id)).verdict)
        for a in reversed(done)
        if a.completed_at is not None and (upto is None or a.id <= upto)
    )
    return points if len(points) > 1 else ()


def decline_lookback() -> list[Outcome]:
    """No to the quarterly look back: nothing changes, the weekly check-ins go on; the offer was made
    once for this assessment and comes again three months after the next one."""
    return [Notice("lookback_declined")]
