"""The adoption journey: six stages, the placement quiz and the rotation of weekly tips.

Like the assessment, the journey machine is one frozen config (``flows.machines``); each request
looks up where one trigger leads from the member's stored stage. Placing directly (from the cards, the quiz or a
check-in's "pick a stage") is allowed from anywhere; ``advance`` and ``slip_back`` move one stage.
The article's stage 3 ("this doesn't work") is usually reached by slipping from 2 or stalling there,
and left by a deliberate restart, which here is an ``advance`` to 4 or a direct placement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from flows.content import STAGE_NUMBERS, StagesContent
from flows.machines import MachineConfig

UNPLACED = "unplaced"
Source = Literal["placement", "quiz", "checkin"]
CheckinOutcome = Literal["same", "forward", "back", "pick", "skip"]
CHECKIN_OUTCOMES: tuple[CheckinOutcome, ...] = ("same", "forward", "back", "pick", "skip")


def stage_state(number: int | None) -> str:
    return UNPLACED if number is None else f"stage_{number}"


def stage_number(state: str) -> int | None:
    return None if state == UNPLACED else int(state.removeprefix("stage_"))


@cache
def journey_config(numbers: tuple[int, ...] = STAGE_NUMBERS) -> MachineConfig:
    stages = [stage_state(n) for n in numbers]
    transitions: list[dict[str, Any]] = [
        {"trigger": f"place_{n}", "source": "*", "dest": stage_state(n)} for n in numbers
    ]
    for lower, higher in zip(stages, stages[1:], strict=False):
        transitions.append({"trigger": "advance", "source": lower, "dest": higher})
        transitions.append({"trigger": "slip_back", "source": higher, "dest": lower})
    return MachineConfig(states=(UNPLACED, *stages), transitions=tuple(transitions))


def move(stage: int | None, trigger: str, config: MachineConfig | None = None) -> int:
    """The stage after ``trigger``; raises InvalidMove at either end of the journey."""
    result = stage_number((config or journey_config()).next_state(stage_state(stage), trigger))
    assert result is not None
    return result


CHECKIN_TRIGGERS: dict[CheckinOutcome, str] = {"forward": "advance", "back": "slip_back"}


@dataclass(frozen=True)
class QuizStep:
    """Either the next quiz question to ask (with the answers so far), or the stage the answers point at."""

    next_question: str | None = None
    answers: tuple[int, ...] = ()
    suggested_stage: int | None = None


def quiz_step(content: StagesContent, question_id: str, answer_index: int, earlier: Sequence[int] = ()) -> QuizStep:
    """Follow one quiz answer. Every question is asked, in order; ``earlier`` are the answers to the
    questions before this one (the buttons carry them, so the quiz keeps no state of its own).

    Raises KeyError or IndexError for a question or answer that does not exist, or earlier answers
    that do not fit the questions before this one.
    """
    ids = [q.id for q in content.quiz]
    if question_id not in ids:
        raise KeyError(question_id)
    position = ids.index(question_id)
    answers = (*earlier, answer_index)
    if len(answers) != position + 1:
        raise IndexError(answers)
    for question, index in zip(content.quiz, answers, strict=False):
        if not 0 <= index < len(question.answers):
            raise IndexError(index)
    if position + 1 < len(ids):
        return QuizStep(next_question=ids[position + 1], answers=answers)
    return QuizStep(suggested_stage=quiz_stage(content, answers))


def quiz_stage(content: StagesContent, answers: Sequence[int]) -> int:
    """The stage whose card most of the answers match: each answer names the stages it describes (see
    ``stages.toml``); on a tie, the earlier stage, since a member is better coached a step behind."""
    votes = dict.fromkeys(STAGE_NUMBERS, 0)
    for question, index in zip(content.quiz, answers, strict=True):
        for stage in question.answers[index].stages:
            votes[stage] += 1
    return max(STAGE_NUMBERS, key=lambda n: (votes[n], -n))


def next_tip(tip_count: int, shown: Sequence[int]) -> int:
    """The next tip for a stage: none repeats until all have been shown, then a new round begins.

    ``shown`` lists the tip indices already shown for this stage, oldest first.
    """
    rounds_done = len(shown) // tip_count
    this_round = set(shown[rounds_done * tip_count :])
    return next(i for i in range(tip_count) if i not in this_round)
