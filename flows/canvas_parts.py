"""The plan canvas as parts the coach owns: one per plan section, a heading and the lines under it.

The coach edits only its own parts of a canvas, so whatever a member writes anywhere else in it stays.
A part is found by its heading (``canvases.sections.lookup`` on an ``h2`` holding its text), and each
line the coach last wrote under it by the words that line shows in the canvas (``contains_text``):
markup taken out, and no mention, since a canvas shows a mention as the person's name. A line the
coach wrote that can no longer be found was changed by a person: that part is theirs now, and kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flows.content import LANGUAGES, Bundle, load_bundle
from flows.plan import PlanContent
from flows.plan_document import Mention, PlanAnswers, section_body

_MENTION = re.compile(r"<[^>]*>|!\[[^\]]*\]\([^)]*\)")
_LINE_START = re.compile(r"^\s*(?:#+\s+|\d+\.\s+|[-*+]\s+(?:\[[ xX]\]\s+)?)")
_MARKUP = re.compile(r"\\(.)|[*_~`]")
MAX_FINDABLE = 100  # long enough to be unique in a plan, short enough for a lookup


@dataclass(frozen=True)
class CanvasPart:
    id: str  # the plan section's id
    heading: str  # the h2's text, e.g. "1. Why we are on social media"
    body: str  # the Markdown under it
    # its heading in the other languages: a canvas written before the member's language changed has those
    other_headings: tuple[str, ...] = ()

    @property
    def markdown(self) -> str:
        return f"## {self.heading}\n\n{self.body}\n"


@dataclass(frozen=True)
class CanvasTop:
    """The canvas's own title (its ``h1``) and the line under it, and both in the other languages."""

    title: str
    intro: str
    elsewhere: tuple[tuple[str, str], ...]


def canvas_top(plan: PlanContent) -> CanvasTop:
    others = ((other.plan.text("document_title"), other.plan.text("document_intro")) for other in _bundles())
    title, intro = plan.text("document_title"), plan.text("document_intro")
    return CanvasTop(title, intro, tuple(pair for pair in dict.fromkeys(others) if pair[0] != title))


ACTIONS_PART = "actions"
PROGRESS_PART = "progress"
EXTRA_PARTS = (ACTIONS_PART, PROGRESS_PART)  # after the plan, unnumbered: their headings never change


def plan_parts(
    plan: PlanContent,
    answers: PlanAnswers,
    mention: Mention,
    checklist: tuple[str, ...] = (),
    progress: tuple[str, ...] = (),
) -> tuple[CanvasPart, ...]:
    """The plan's parts in order; after them the checklist of the member's actions, and the look back
    (before -> after per question), each when there is one."""
    parts = [
        CanvasPart(
            section.id,
            heading := f"{number}. {section.title}",
            "\n".join(section_body(plan, section, answers, mention)),
            _elsewhere(heading, (f"{number}. {other.plan.section(section.id).title}" for other in _bundles())),
        )
        for number, section in enumerate(plan.sections, start=1)
    ]
    for part_id, lines in ((ACTIONS_PART, checklist), (PROGRESS_PART, progress)):
        if lines:
            heading = plan.text(f"canvas_{part_id}_heading")
            others = (other.plan.text(f"canvas_{part_id}_heading") for other in _bundles())
            parts.append(CanvasPart(part_id, heading, "\n".join(lines), _elsewhere(heading, others)))
    return tuple(parts)


def _bundles() -> tuple[Bundle, ...]:
    return tuple(load_bundle(language) for language in LANGUAGES)


def _elsewhere(heading: str, headings: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(h for h in headings if h != heading))


def shown_text(line: str) -> str:
    """A Markdown line as the canvas shows its words (markup out, escapes resolved)."""
    return _MARKUP.sub(lambda m: m.group(1) or "", _LINE_START.sub("", line)).strip()


def findable(line: str) -> str | None:
    """The longest stretch of a line's shown words without a mention in it; None for a blank line."""
    pieces = [shown_text(piece) for piece in _MENTION.split(line)]
    longest = max(pieces, key=len, default="")
    return longest[:MAX_FINDABLE].strip(" .,;:") or None


def findable_lines(body: str) -> tuple[str, ...]:
    """What ``contains_text`` looks for, for each line the coach wrote under a heading."""
    return tuple(found for line in body.splitlines() if (found := findable(line)) is not None)


def changed_parts(parts: tuple[CanvasPart, ...], written: Mapping[str, str]) -> tuple[CanvasPart, ...]:
    """The parts whose lines differ from what the coach last wrote in the canvas."""
    return tuple(part for part in parts if written.get(part.id) != part.body)
