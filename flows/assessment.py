"""The readiness assessment: its state machine and its scoring.

The machine is described once, as a frozen config built from the content's question order (see
``flows.machines``). Each request looks up where one trigger leads from the stored state, given the
facts its conditions read; persisting it (with a compare-and-set on the version) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flows.content import SKIPPED, AssessmentContent, Rating
from flows.machines import MachineConfig
from flows.verdicts import verdict_of

INTRO = "intro"
SUMMARY = "summary"
REVIEW = "review"  # passed through, never stored: picks the next skipped question to offer again
REVIEWING = "reviewing"  # fact: the member is in the round that offers skipped questions again
SKIPPED_ANY = "skipped_any"  # fact: some skipped question is still to be offered again
POINTS: Mapping[Rating, int] = {"ready": 2, "partly": 1, "not_yet": 0}


def offer(question_id: str) -> str:
    """The fact that says a skipped question is to be offered again."""
    return f"offer_{question_id}"


@cache
def assessment_config(question_ids: tuple[str, ...]) -> MachineConfig:
    """Questions in order; skipped ones are offered again, once, before the summary.

    ``answer`` and ``skip`` move on to the next question; after the last one (or after any question
    in the round of skipped ones) they pass through ``review``, whose ``revisit`` picks the next
    skipped question still to offer, or the summary. The facts the conditions read are set by the
    caller from the stored answers (see ``review_facts``).
    """
    questions = list(question_ids)
    transitions: list[Mapping[str, Any]] = [{"trigger": "begin", "source": INTRO, "dest": questions[0]}]
    for trigger in ("answer", "skip"):
        transitions.append({"trigger": trigger, "source": questions, "dest": REVIEW, "conditions": REVIEWING})
        transitions.append({"trigger": trigger, "source": questions[-1], "dest": REVIEW, "conditions": SKIPPED_ANY})
        for current, nxt in zip(questions, [*questions[1:], SUMMARY], strict=True):
            transitions.append({"trigger": trigger, "source": current, "dest": nxt})
    for question in questions:
        transitions.append({"trigger": "revisit", "source": REVIEW, "dest": question, "conditions": offer(question)})
    transitions.append({"trigger": "revisit", "source": REVIEW, "dest": SUMMARY})
    for previous, current in zip(questions, questions[1:], strict=False):
        transitions.append({"trigger": "back", "source": current, "dest": previous})
    transitions.append({"trigger": "restart", "source": questions, "dest": questions[0]})
    return MachineConfig(states=(INTRO, *questions, REVIEW, SUMMARY), transitions=tuple(transitions))


def review_facts(
    question_ids: Sequence[str], current: str, answered: Iterable[str], reviewing: bool
) -> dict[str, bool]:
    """What the conditions need after ``current`` was answered or skipped, given the answers now stored.

    After the first round every skipped question is offered again; in the round of skipped
    questions, only those after the current one, so each is offered again once.
    """
    done = set(answered)
    position = question_ids.index(current)
    facts = {offer(q): q not in done and (i > position or not reviewing) for i, q in enumerate(question_ids)}
    return {**facts, REVIEWING: reviewing, SKIPPED_ANY: any(facts.values())}


def config_for(content: AssessmentContent) -> MachineConfig:
    return assessment_config(tuple(q.id for q in content.questions))


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    position: int
    rating: Rating | None  # None: skipped

    @property
    def points(self) -> int:
        return POINTS[self.rating] if self.rating else 0


@dataclass(frozen=True)
class AssessmentResult:
    results: tuple[QuestionResult, ...]
    verdict: str
    score: int
    max_score: int
    weakest: QuestionResult | None
    plan: tuple[QuestionResult, ...] = field(default=())

    @property
    def answered(self) -> int:
        return sum(1 for r in self.results if r.rating is not None)

    @property
    def skipped(self) -> int:
        return len(self.results) - self.answered

    def rating_of(self, question_id: str) -> Rating | None:
        return next(r.rating for r in self.results if r.question_id == question_id)


def verdict_for(results: Sequence[QuestionResult]) -> str:
    """The verdict: the first of ``flows.verdicts.VERDICT_RULES`` that fits these answers."""
    return verdict_of({r.question_id: r.rating or SKIPPED for r in results})


def evaluate(question_ids: Sequence[str], answers: Mapping[str, Rating]) -> AssessmentResult:
    """Score an assessment (rules in ``verdict_for``). A skipped question counts as a gap, like ``not_yet``.

    The plan lists every gap: answered ones first, weakest first, then skipped questions. The weakest
    link is the weakest *answered* gap; a skipped question is unknown, not weak.
    """
    results = tuple(
        QuestionResult(question_id=qid, position=i, rating=answers.get(qid)) for i, qid in enumerate(question_ids)
    )
    plan = tuple(
        sorted(
            (r for r in results if r.rating != "ready"),
            key=lambda r: (r.rating is None, r.points, r.position),
        )
    )
    answered_gaps = [r for r in plan if r.rating is not None]
    return AssessmentResult(
        results=results,
        verdict=verdict_for(results),
        score=sum(r.points for r in results),
        max_score=POINTS["ready"] * len(results),
        weakest=answered_gaps[0] if answered_gaps else None,
        plan=plan,
    )
