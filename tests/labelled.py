"""The labelled corpus of typed replies at every prompt kind, and how a reading of one is judged.

Two file sets in ``tests/data``: ``heldout_<lang>.tsv`` (written before the reader was changed, and
never tuned on) and ``tuning_<lang>.tsv``. Each line is ``prompt<TAB>expected<TAB>reply``:

- prompt: what the coach last asked: ``q:<question id>``, ``checkin``, ``quiz:<question id>``,
  ``plan:<field id>`` or ``open`` (nothing asked);
- expected: the option meant (a rating, a check-in outcome or ``stage_<n>``, a quiz answer's number,
  plan option ids joined by ``+``, ``text`` for a free-text field), a command or intent, a question
  back (``explain``, ``example``, ``why``), or ``ask``: it must be asked back.

A reading is *wrong* when it is clear but not what the member meant: that must never happen, since a
wrong reading is recorded (or acted on) without asking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flows.content import load_bundle
from flows.options import read_field, read_quiz
from flows.plan import LISTED_KINDS, PlanField
from flows.readiness_answers import read_answer
from flows.understanding import Understanding, read_checkin, read_intent

DATA = Path(__file__).resolve().parent / "data"
QUESTIONS_BACK = ("explain", "example", "why")
KINDS = ("six questions", "check-in", "quiz", "plan fields", "commands", "questions back")
Verdict = Literal["right", "asked", "missed", "wrong"]


@dataclass(frozen=True)
class Labelled:
    language: str
    prompt: str
    expected: str
    text: str

    @property
    def kind(self) -> str:
        """The prompt kind the benchmark reports it under."""
        if self.expected in QUESTIONS_BACK:
            return "questions back"
        if self.prompt == "open":
            return "commands"
        return {"q": "six questions", "checkin": "check-in", "quiz": "quiz", "plan": "plan fields"}[
            self.prompt.split(":")[0]
        ]


@dataclass(frozen=True)
class Heard:
    """What a reader made of a reply, in the corpus's terms."""

    choice: str | None = None  # the option read as meant
    command: str | None = None  # a command or intent
    question: str | None = None  # a question back
    guess: str | None = None  # when asking back: the option offered first

    @property
    def clear(self) -> str | None:
        return self.choice or self.command or self.question


Reader = Callable[[Labelled], Heard]


def load(part: Literal["heldout", "tuning"], language: str) -> list[Labelled]:
    path = DATA / f"{part}_{language}.tsv"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [Labelled(language, *line.split("\t", 2)) for line in lines if line and not line.startswith("#")]


def judge(reply: Labelled, heard: Heard) -> Verdict:
    """right: read as meant; asked: asked back sensibly; missed: asked back poorly; wrong: misread."""
    if heard.clear is not None:
        return "right" if heard.clear == reply.expected else "wrong"
    if reply.expected == "ask":
        return "right"
    return "asked" if heard.guess in (reply.expected, None) else "missed"


def score(replies: list[Labelled], reader: Reader) -> dict[str, Counter[Verdict]]:
    """Verdict counts per prompt kind."""
    counts: dict[str, Counter[Verdict]] = {kind: Counter() for kind in KINDS}
    for reply in replies:
        counts[reply.kind][judge(reply, reader(reply))] += 1
    return counts


def _field(language: str, field_id: str) -> tuple[str, PlanField]:
    plan = load_bundle(language).plan
    return next((s.id, f) for s in plan.sections for f in s.fields if f.id == field_id)


def understand(reply: Labelled) -> Understanding:
    """The coach's reading of a reply at the labelled prompt."""
    kind, _, ref = reply.prompt.partition(":")
    if kind == "q":
        return read_answer(reply.text, reply.language, ref)
    if kind == "checkin":
        return read_checkin(reply.text, reply.language)
    if kind == "quiz":
        return read_quiz(reply.text, reply.language, load_bundle(reply.language).stages.quiz_question(ref))
    if kind == "plan":
        section_id, item = _field(reply.language, ref)
        understood = read_field(reply.text, reply.language, section_id, item)
        if understood.choice is not None and item.kind not in ("choice", *LISTED_KINDS):
            return Understanding(choice="text")
        return understood
    return read_intent(reply.text, reply.language)


def current_reader(reply: Labelled) -> Heard:
    understood = understand(reply)
    return Heard(understood.choice, understood.command, understood.question, understood.guess)
