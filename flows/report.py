"""The team report: totals only, names only for members who opted in, and no breakdown at all from
fewer than three members, so nobody's answers can be singled out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MIN_MEMBERS_FOR_BREAKDOWN = 3


@dataclass(frozen=True)
class SharedMember:
    user_id: str
    verdict: str | None
    stage: int | None


@dataclass(frozen=True)
class TeamReport:
    members: int
    assessed: int
    verdicts: Counter[str] = field(default_factory=Counter)
    stages: Counter[int] = field(default_factory=Counter)
    placed: int = 0
    moved_forward: int = 0
    slipped_back: int = 0
    common_gap: str | None = None
    shared: tuple[SharedMember, ...] = ()
    actions: dict[str, int] = field(default_factory=dict)  # totals: open, overdue, done, dropped

    @property
    def show_readiness(self) -> bool:
        return self.assessed >= MIN_MEMBERS_FOR_BREAKDOWN

    @property
    def show_journey(self) -> bool:
        return self.placed >= MIN_MEMBERS_FOR_BREAKDOWN
