"""Actions: a verdict's next step or a plan part turned into something one person does by a date.

Pure values and rules; ``bot.usecases.actions`` stores them and ``bot.views.actions`` shows them. An
action comes from a ``source``: ``step:<question id>`` (a verdict's next step) or ``plan:<section id>``
(a part of the plan). Its owner is asked about it in their weekly check-in from the week it is due,
until they answer *done* or *drop* (*not yet* keeps it for the next week).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from flows.away import LONGEST_PAUSE
from flows.content import ACTION_WORDS, ActionWord

ActionStatus = Literal["open", "done", "dropped"]
ActionAnswer = ActionWord
ACTION_ANSWERS: tuple[ActionAnswer, ...] = ACTION_WORDS
AFTER_ANSWER: dict[ActionAnswer, ActionStatus] = {"done": "done", "not_yet": "open", "drop": "dropped"}
MAX_TITLE = 500  # a next step fits whole
DEFAULT_DUE_IN = timedelta(days=7)
SOURCE_KINDS = ("step", "plan")


@dataclass(frozen=True)
class ActionLine:
    """One action as the member sees it (App Home, a check-in)."""

    id: int
    title: str
    owner_id: str
    due: str  # ISO date
    status: ActionStatus = "open"
    item_id: str | None = None  # its item in the member's Slack List, once there


@dataclass(frozen=True)
class ActionForm:
    """The form that makes an action of ``source``: what, who, by when, filled in to start with."""

    source: str
    title: str
    owner_id: str
    due: str  # ISO date


@dataclass(frozen=True)
class ActionSaved:
    title: str
    owner_id: str
    due: str
    # why the owner's weekly check-in will not ask about it: "" (it will), "unplaced" (no stage yet),
    # "not_for_now" (no check-ins after that verdict); ``own``: the maker is the owner
    unasked: str = ""
    own: bool = False


@dataclass(frozen=True)
class ActionsAsk:
    """In the owner's weekly check-in: their open actions due that week or before; or, ``listed``,
    all their open actions (asked for by typing "actions")."""

    actions: tuple[ActionLine, ...]
    listed: bool = False
    answer: ActionAnswer | None = None  # asked back which one: the answer already given, for a number

    @property
    def ref(self) -> str:
        """The actions asked about, in order, as the open prompt keeps them (a number picks one), after
        the answer given when the member was asked which one they meant (``done/7.9.12``)."""
        ids = ".".join(str(line.id) for line in self.actions)
        return f"{self.answer}/{ids}" if self.answer is not None else ids


@dataclass(frozen=True)
class ActionAnswered:
    title: str
    answer: ActionAnswer


@dataclass(frozen=True)
class ActionListSync:
    """Put one action of the member's in their Slack List (made the first time), or change its item.
    ``list_id`` None: no List yet; ``refused``: Slack would not make one, so nothing is tried."""

    team_id: str
    user_id: str
    action: ActionLine
    list_id: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # column id by key (title, owner, due, done)
    refused: bool = False


@dataclass(frozen=True)
class ActionListed:
    """What the sender did with a ``ActionListSync``: the List and the action's item, or a refusal."""

    team_id: str
    user_id: str
    action_id: int
    list_id: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    item_id: str | None = None
    refused: bool = False


@dataclass(frozen=True)
class ListItemsForgotten:
    """After ``/coach forget``: the member's List items to delete from Slack."""

    list_id: str
    item_ids: tuple[str, ...]


def parse_source(source: str) -> tuple[str, str] | None:
    kind, _, ref = source.partition(":")
    return (kind, ref) if kind in SOURCE_KINDS and ref else None


def action_problem(title: str, due: date | None, today: date) -> str | None:
    """Why an action cannot be saved (a notice key), or None."""
    if not title.strip():
        return "action_no_title"
    if due is None or due < today:
        return "action_date_past"
    if due - today > LONGEST_PAUSE:
        return "action_date_far"
    return None


def week_end(day: date) -> date:
    """The Sunday ending ``day``'s ISO week: an action due by then belongs to that week's check-in."""
    return day + timedelta(days=6 - day.weekday())


def asked_ids(ref: str) -> tuple[int, ...]:
    """The actions an open prompt asks about (``ActionsAsk.ref``); none when it is not such a ref."""
    parts = ref.rpartition("/")[2].split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()


def action_answer(word: str | None) -> ActionAnswer | None:
    """``word`` as an answer about an action ("done", "not_yet", "drop"), or None."""
    return next((a for a in ACTION_ANSWERS if a == word), None)


def pending_answer(ref: str) -> ActionAnswer | None:
    """The answer given before the member was asked which action they meant (``ActionsAsk.answer``)."""
    return action_answer(ref.partition("/")[0]) if "/" in ref else None


def pick_action(asked: Sequence[ActionLine], number: int | None, named: bool = False) -> ActionLine | None:
    """The action a typed answer is about: the one asked (whatever number a remark holds: "done, took 3
    hours"), or the one its number names (1 is the first listed); None when several were asked and no
    number, or a number out of range, says which. ``named``: the number names an action ("drop 3" as
    the whole message), so even with one asked, only 1 names it."""
    if len(asked) == 1 and not (named and number not in (None, 1)):
        return asked[0]
    if number is None:
        return None
    return asked[number - 1] if 1 <= number <= len(asked) else None
