"""The labelled corpus of typed replies (``tests/data/replies_<lang>.tsv``) and how a reading is judged.

Each line is ``expected<TAB>reply``. ``expected`` is a rating (read it, or ask back offering that
option or all three), a command, or ``ask`` (an everyday word or a trap: it must be asked back).
A reading is *wrong* when it is clear but not what the member meant: that is what must never happen,
because a wrong rating would be recorded and silently change their verdict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flows.content import RATINGS
from flows.reading import Reading, read_reply

DATA = Path(__file__).resolve().parent / "data"
Verdict = Literal["right", "asked", "missed", "wrong"]


@dataclass(frozen=True)
class Reply:
    language: str
    expected: str
    text: str


def corpus(language: str) -> list[Reply]:
    lines = (DATA / f"replies_{language}.tsv").read_text(encoding="utf-8").splitlines()
    return [Reply(language, *line.split("\t", 1)) for line in lines if line and not line.startswith("#")]


def judge(reply: Reply, reading: Reading) -> Verdict:
    """right: read as meant; asked: asked back sensibly; missed: asked back poorly; wrong: misread."""
    clear = reading.rating or reading.command
    if clear is not None:
        return "right" if clear == reply.expected else "wrong"
    if reply.expected == "ask":
        return "right"
    if reply.expected in RATINGS and reading.guess in (reply.expected, None):
        return "asked"
    return "missed"


def score(language: str) -> Counter[Verdict]:
    return Counter(judge(reply, read_reply(reply.text, language)) for reply in corpus(language))
