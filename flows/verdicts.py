"""The verdict rules, as data: the first rule that fits a member's answers gives the verdict.

They follow the readiness article. Without a clear reason social media is a waste of time, and a
business that cannot keep it going should stop now rather than start: either is reason enough not to
start now (*better_elsewhere*, "Not for now"). The feedback route, the goal and the commitment come
before going online, so a missing route holds a business at *not_yet*; and the article would not let
anyone go online without a written policy, so *ready* needs it. The README's verdict table is
rendered from ``readme`` and checked against this table by a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flows.content import AnswerState

POINTS: Mapping[str, int] = {"ready": 2, "partly": 1, "not_yet": 0, "skipped": 0}


@dataclass(frozen=True)
class Tally:
    """A member's answers, by question (a skipped question is ``"skipped"``)."""

    states: Mapping[str, AnswerState]

    @property
    def skipped(self) -> int:
        return sum(1 for s in self.states.values() if s == "skipped")

    @property
    def gaps(self) -> int:
        """Questions answered *not yet* or skipped."""
        return sum(1 for s in self.states.values() if POINTS[s] == 0)

    @property
    def points(self) -> int:
        return sum(POINTS[s] for s in self.states.values())


@dataclass(frozen=True)
class MostSkipped:
    """More than half the questions were skipped."""

    def holds(self, tally: Tally) -> bool:
        return tally.skipped * 2 > len(tally.states)


@dataclass(frozen=True)
class Answered:
    """One of ``questions`` (or, with ``every``, each of them) was answered one of ``states``."""

    questions: tuple[str, ...]
    states: tuple[AnswerState, ...]
    every: bool = False

    def holds(self, tally: Tally) -> bool:
        matches = (tally.states.get(q) in self.states for q in self.questions)
        return all(matches) if self.every else any(matches)


@dataclass(frozen=True)
class GapsAtLeast:
    count: int

    def holds(self, tally: Tally) -> bool:
        return tally.gaps >= self.count


@dataclass(frozen=True)
class NoGaps:
    def holds(self, tally: Tally) -> bool:
        return tally.gaps == 0


@dataclass(frozen=True)
class PointsAtMost:
    points: int

    def holds(self, tally: Tally) -> bool:
        return tally.points <= self.points


@dataclass(frozen=True)
class PointsAtLeast:
    points: int

    def holds(self, tally: Tally) -> bool:
        return tally.points >= self.points


Condition = MostSkipped | Answered | GapsAtLeast | NoGaps | PointsAtMost | PointsAtLeast


@dataclass(frozen=True)
class VerdictRule:
    """``verdict`` fits when every condition of ``all_of`` holds and, if ``any_of`` is given, one of those."""

    verdict: str
    readme: str  # the rule in words, as the README's verdict table states it
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()

    def fits(self, tally: Tally) -> bool:
        return all(c.holds(tally) for c in self.all_of) and (
            not self.any_of or any(c.holds(tally) for c in self.any_of)
        )


VERDICT_RULES: tuple[VerdictRule, ...] = (
    VerdictRule(
        "cant_tell",
        "more than half the questions were skipped: too little to judge, so answer them first",
        all_of=(MostSkipped(),),
    ),
    VerdictRule(
        "better_elsewhere",
        "no clear reason, or nobody able to keep it going week after week (either answered *not yet*):"
        " either is reason enough not to start now, and the coach says so kindly, with one thing to do"
        " this week where the effort pays instead",
        any_of=(Answered(("reason", "resources"), ("not_yet",)),),
    ),
    VerdictRule(
        "not_yet",
        "no route for customer feedback (answered *not yet*), which comes before going online; or three or"
        " more *not yet* or skips; or 5 points or fewer",
        any_of=(Answered(("pipeline",), ("not_yet",)), GapsAtLeast(3), PointsAtMost(5)),
    ),
    VerdictRule(
        "ready",
        "no *not yet* and no skip, at least 10 of 12 points, and the policy is written down (answered *ready*)",
        all_of=(NoGaps(), PointsAtLeast(10), Answered(("policy",), ("ready",), every=True)),
    ),
    VerdictRule("getting_there", "anything else"),
)


def verdict_of(states: Mapping[str, AnswerState]) -> str:
    """The verdict of the first rule in ``VERDICT_RULES`` that fits these answers."""
    tally = Tally(states)
    return next(rule.verdict for rule in VERDICT_RULES if rule.fits(tally))


NOT_FOR_NOW = "better_elsewhere"


def follows_with_plan(verdict: str) -> bool:
    """Whether the plan is offered after this verdict. After *Not for now* it is not: the member was
    just told not to start, and a plan offer would say the opposite."""
    return verdict != NOT_FOR_NOW


def gets_weekly_checkins(verdict: str | None) -> bool:
    """Whether a member whose latest verdict is this one gets weekly stage check-ins (and the one-off
    invite to place themselves): not after *Not for now*, which gets one quiet question months later."""
    return verdict != NOT_FOR_NOW
