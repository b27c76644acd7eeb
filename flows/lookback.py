"""A look back every quarter: three months after an assessment the coach offers to take it again, and
a result then shows, per question, where the business was and where it is now ("not yet → partly").

Pure rules; ``bot.schedule.due`` reads the facts, the views show the changes. After *Not for now* the
three-month question of ``flows.follow_up`` is the look back; for everyone else it comes beside the
weekly check-in, once per assessment, and can be declined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.assessment import AssessmentResult
from flows.content import Rating
from flows.follow_up import REVISIT_AFTER, Standing
from flows.verdicts import gets_weekly_checkins


@dataclass(frozen=True)
class Change:
    """One question, before and after (None: skipped)."""

    question_id: str
    before: Rating | None
    after: Rating | None


@dataclass(frozen=True)
class VerdictPoint:
    """One completed assessment in the member's history: when, and its verdict."""

    completed_at: datetime
    verdict: str


def changes(before: AssessmentResult, after: AssessmentResult) -> tuple[Change, ...]:
    earlier = {r.question_id: r.rating for r in before.results}
    return tuple(Change(r.question_id, earlier.get(r.question_id), r.rating) for r in after.results)


def lookback_due(standing: Standing, now: datetime) -> bool:
    """Whether a member on weekly check-ins is offered to take the assessment again: its latest result
    is three months old or more, and the offer has not been made for it yet."""
    if standing.verdict is None or not gets_weekly_checkins(standing.verdict) or standing.completed_at is None:
        return False
    return now - standing.completed_at >= REVISIT_AFTER and not standing.revisit_asked
