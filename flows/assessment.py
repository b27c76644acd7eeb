"""The readiness assessment: its state machine and its scoring.

The machine is described once, as a frozen config built from the content's question order. Each
request restores a plain ``AssessmentModel`` at the stored state, fires one trigger and reads the new
state; persisting it (with a compare-and-set on the version) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transitions import Machine, MachineError

from flows.content import AssessmentContent, Rating

INTRO = "intro"
SUMMARY = "summary"
ANY_STATE = "any_state"
POINTS: Mapping[Rating, int] = {"ready": 2, "partly": 1, "not_yet": 0}


@dataclass(frozen=True)
class MachineConfig:
    """Everything ``transitions.Machine`` needs, except the model and its initial state."""

    states: tuple[str, ...]
    transitions: tuple[Mapping[str, Any], ...]

    def kwargs(self) -> dict[str, Any]:
        return {
            "states": list(self.states),
            "transitions": [dict(t) for t in self.transitions],
            "auto_transitions": False,
            "ignore_invalid_triggers": False,
        }


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


class AssessmentModel:
    """The plain object transitions decorates; it only carries ``state``."""

    state: str


class InvalidMove(Exception):
    """A trigger that the machine does not allow from the current state."""


def next_state(config: MachineConfig, state: str, trigger: str) -> str:
    model = AssessmentModel()
    Machine(model=model, initial=state, **config.kwargs())
    try:
        model.trigger(trigger)  # type: ignore[attr-defined]
    except (MachineError, AttributeError) as error:
        raise InvalidMove(f"{trigger!r} is not allowed from {state!r}") from error
    return model.state


def mermaid(config: MachineConfig, title: str) -> str:
    """The machine drawn as a mermaid state diagram, from the same config the app runs.

    transitions draws it; we keep its states and arrows and drop the styling of the "current"
    state, which means nothing in documentation, and write the title as mermaid front matter.
    """
    from transitions.extensions import GraphMachine

    kwargs = config.kwargs()
    if any(t["source"] == "*" for t in kwargs["transitions"]):
        # "from any state" is drawn once, from a pseudo-state, instead of an arrow from every state.
        kwargs["states"] = [*kwargs["states"], ANY_STATE]
        for transition in kwargs["transitions"]:
            if transition["source"] == "*":
                transition["source"] = ANY_STATE
    model = AssessmentModel()
    GraphMachine(model=model, initial=config.states[0], graph_engine="mermaid", **kwargs)
    drawing: str = model.get_graph().draw(None)  # type: ignore[attr-defined]
    body = [
        line.rstrip()
        for line in drawing.split("stateDiagram-v2", 1)[1].splitlines()
        if line.strip() and not line.strip().startswith(("classDef", "Class "))
    ]
    return "\n".join(["---", f"title: {title}", "---", "stateDiagram-v2", *body]) + "\n"


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
