"""What a plan step decided, for a front-end to render (see ``flows.outcomes``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flows.actions import ActionLine
from flows.lookback import Change, VerdictPoint
from flows.plan_document import PlanAnswers


@dataclass(frozen=True)
class PlanOffer:
    """The plan's sections as buttons, weakest first; ``saved`` names the section just written."""

    order: tuple[str, ...]
    done: frozenset[str]
    saved: str | None = None
    ranked: bool = True  # weakest first, by an answered gap of the latest result (else in question order)
    assessed: bool = True  # there is a result (with no answered gap to start from when not ``ranked``)


@dataclass(frozen=True)
class PlanRerate:
    """After writing a section: the offer to re-answer its readiness question in the latest finished
    assessment (``assessment_id``), which its buttons carry, so a later result is never changed by them."""

    question_id: str
    assessment_id: int | None = None


@dataclass(frozen=True)
class PlanDocument:
    """The member's plan as it now stands, for the sender to put in their canvas (or a Markdown file)."""

    team_id: str
    user_id: str
    answers: PlanAnswers
    canvas_id: str | None = None  # the member's canvas as last recorded; the sender edits it in place
    link: str | None = None
    written: Mapping[str, str] = field(default_factory=dict)  # what the coach last wrote under each heading
    actions: tuple[ActionLine, ...] = ()  # the member's actions: a checklist part of the canvas
    progress: tuple[Change, ...] = ()  # the latest assessment against the one before, per question
    progress_since: datetime | None = None  # when that earlier one was done
    history: tuple[VerdictPoint, ...] = ()  # the verdicts over time, oldest first (two or more)


@dataclass(frozen=True)
class PlanPlaced:
    """Where the sender put a plan: a canvas it created or edited (reported back for the use case to keep)."""

    team_id: str
    user_id: str
    canvas_id: str
    link: str
    channel_id: str | None = None  # None: the member's own canvas; else the channel an admin published in
    written: Mapping[str, str] = field(default_factory=dict)  # what the coach now has under each heading
    kept: tuple[str, ...] = ()  # headings of the parts a person rewrote, left as they made them


@dataclass(frozen=True)
class ChannelPlan:
    """An admin's ``/coach plan #channel``: the plan of ``owner`` to publish as that channel's canvas."""

    team_id: str
    owner_id: str
    channel_id: str
    answers: PlanAnswers
    canvas_id: str | None = None  # the channel's plan canvas as last recorded
    written: Mapping[str, str] = field(default_factory=dict)  # what the coach last wrote under each heading

@dataclass(frozen=True)
class PlanNotice:
    """A short message whose text lives in the plan's content (``plan.toml``)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanTip:
    """With a check-in's coaching: the weakest section not yet written, with a button to write it."""

    section_id: str


@dataclass(frozen=True)
class PlanCanvasesForgotten:
    """After ``/coach forget``: the member's plan canvases, for the sender to delete from Slack."""

    canvas_ids: tuple[str, ...]
