"""The readiness assessment: its state machine and its scoring.

The machine is described once, as a frozen config built from the content's question order (see
``flows.machines``). Each request looks up where one trigger leads from the stored state; persisting
it (with a compare-and-set on the version) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flows.content import AssessmentContent, Rating
from flows.machines import MachineConfig

INTRO = "intro"
SUMMARY = "summary"
POINTS: Mapping[Rating, int] = {"ready": 2, "partly": 1, "not_yet": 0}


@cache
def assessment_config(question_ids: tuple[str, ...]) -> MachineConfig:
    questions = list(question_ids)
    following = [*questions[1:], SUMMARY]
    transitions: list[Mapping[str, Any]] = [{"trigger": "begin", "source": INTRO, "dest": questions[0]}]
    for current, nxt in zip(questions, following, strict=True):
        transitions.append({"trigger": "answer", "source": current, "dest": nxt})
        transitions.append({"trigger": "skip", "source": current, "dest": nxt})
    for previous, current in zip(questions, questions[1:], strict=False):
        transitions.append({"trigger": "back", "source": current, "dest": previous})
    transitions.append({"trigger": "restart", "source": questions, "dest": questions[0]})
    return MachineConfig(states=(INTRO, *questions, SUMMARY), transitions=tuple(transitions))


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


def evaluate(question_ids: Sequence[str], answers: Mapping[str, Rating]) -> AssessmentResult:
    """Score an assessment. A skipped question counts as a gap, like ``not_yet``.

    The verdict respects the weakest link: any ``not_yet`` (or skip) rules out *Ready*, however
    strong the rest is, because one missing foundation is enough to sink the effort.
    """
    results = tuple(
        QuestionResult(question_id=qid, position=i, rating=answers.get(qid)) for i, qid in enumerate(question_ids)
    )
    score = sum(r.points for r in results)
    max_score = POINTS["ready"] * len(results)
    hard_gaps = sum(1 for r in results if r.points == 0)
    if hard_gaps == 0 and score >= max_score - 2:
        verdict = "ready"
    elif hard_gaps >= 3 or score <= max_score // 2 - 1:
        verdict = "not_yet"
    else:
        verdict = "getting_there"
    plan = tuple(sorted((r for r in results if r.rating != "ready"), key=lambda r: (r.points, r.position)))
    return AssessmentResult(
        results=results,
        verdict=verdict,
        score=score,
        max_score=max_score,
        weakest=plan[0] if plan else None,
        plan=plan,
    )
