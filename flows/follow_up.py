"""Who is due what at their weekly slot: a stage check-in, the one-off invite to place themselves, or,
after *Not for now*, the one quiet question three months on. Pure: the caller reads the facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from flows.verdicts import gets_weekly_checkins

REVISIT_AFTER = timedelta(days=91)  # about three months after a *Not for now* verdict
WeeklySend = Literal["checkin", "invite", "revisit"]


@dataclass(frozen=True)
class Standing:
    """What the weekly rule reads about a member."""

    stage: int | None
    verdict: str | None  # of the latest completed assessment; None before the first one
    completed_at: datetime | None  # when that assessment was completed
    invited: bool  # the one-off invite to place themselves has gone out
    revisit_asked: bool  # the three-month question has gone out for that assessment


def weekly_send(standing: Standing, now: datetime) -> WeeklySend | None:
    """What a member whose weekly slot has come gets.

    After *Not for now* there are no check-ins and no invite: only, once the verdict is three months
    old, the question whether anything has changed, asked once per verdict. Otherwise a placed member
    gets the weekly check-in, and one who has a verdict but no stage gets the invite once.
    """
    if not gets_weekly_checkins(standing.verdict):
        due = standing.completed_at is not None and now - standing.completed_at >= REVISIT_AFTER
        return "revisit" if due and not standing.revisit_asked else None
    if standing.stage is not None:
        return "checkin"
    if standing.verdict is not None and not standing.invited:
        return "invite"
    return None
