"""The readiness assessment: its state machine and its scoring.

The machine is described once, as a frozen config built from the content's question order. Each
request restores a plain ``AssessmentModel`` at the stored state, fires one trigger and reads the new
state; persisting it (with a compare-and-set on the version) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transitions import Machine, MachineError

from flows.content import AssessmentContent, Rating

INTRO = "intro"
SUMMARY = "summary"
REVIEW = "review"  # passed through, never stored: picks the next skipped question to offer again
REVIEWING = "reviewing"  # fact: the member is in the round that offers skipped questions again
SKIPPED_ANY = "skipped_any"  # fact: some skipped question is still to be offered again
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


class AssessmentModel:
    """The plain object transitions decorates: ``state``, and the facts its conditions read."""

    state: str
    reviewing: bool = False
    skipped_any: bool = False

    def __init__(self, facts: Mapping[str, bool] | None = None) -> None:
        for name, value in (facts or {}).items():
            setattr(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("offer_"):
            return False  # a fact not given: nothing to offer again
        raise AttributeError(name)


class InvalidMove(Exception):
    """A trigger that the machine does not allow from the current state."""


def next_state(config: MachineConfig, state: str, trigger: str, facts: Mapping[str, bool] | None = None) -> str:
    model = AssessmentModel(facts)
    Machine(model=model, initial=state, **config.kwargs())
    try:
        model.trigger(trigger)
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
    GraphMachine(model=model, initial=config.states[0], graph_engine="mermaid", show_conditions=True, **kwargs)
    drawing: str = model.get_graph().draw(None)
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
