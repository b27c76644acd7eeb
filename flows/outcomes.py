"""What a coaching step decided, for a front-end (Slack or the terminal) to render in order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from flows.actions import (
    ActionAnswered,
    ActionForm,
    ActionLine,
    ActionListSync,
    ActionsAsk,
    ActionSaved,
    ListItemsForgotten,
)
from flows.assessment import AssessmentResult
from flows.content import Rating
from flows.lookback import VerdictPoint
from flows.plan_outcomes import PlanCanvasesForgotten, PlanDocument, PlanNotice, PlanOffer, PlanRerate, PlanTip
from flows.report import TeamReport


@dataclass(frozen=True)
class Intro:
    """The welcome shown once, when a new assessment begins."""


@dataclass(frozen=True)
class Ask:
    assessment_id: int
    question_id: str
    number: int
    total: int


@dataclass(frozen=True)
class Closed:
    """A question message that is no longer open: answered, skipped, or left by going back."""

    assessment_id: int
    question_id: str
    number: int
    total: int
    how: Literal["answered", "skipped", "left", "restarted"]
    rating: Rating | None
    prompt_channel: str | None
    prompt_ts: str | None
    words: str | None = None  # what the member typed, when they answered in their own words


@dataclass(frozen=True)
class AskBack:
    """ "Did you mean …?": a typed reply too unclear to record, with the three answers to pick from."""

    assessment_id: int
    question_id: str
    text: str
    guess: Rating | None


@dataclass(frozen=True)
class AskBackClosed:
    """The "Did you mean …?" message once it is answered, without its buttons."""

    question_id: str
    text: str
    rating: Rating


@dataclass(frozen=True)
class Explanation:
    """A question back answered: the question's explanation, an example, or why it matters (from content)."""

    question_id: str
    kind: Literal["explain", "example", "why"]


@dataclass(frozen=True)
class SettingsAsk:
    """Which day and time the weekly check-in should come, asked in words ("Tuesdays at 8")."""


@dataclass(frozen=True)
class RestartConfirm:
    """A typed "restart": asked first, since it clears this round's answers."""


@dataclass(frozen=True)
class Summary:
    assessment_id: int
    result: AssessmentResult
    completed_at: datetime
    recalled: bool = False  # True when showing an earlier result rather than one just finished
    words: Mapping[str, str] = field(default_factory=dict)  # question id -> the member's own typed words
    previous: AssessmentResult | None = None  # the assessment before it: shown as before -> after
    previous_at: datetime | None = None
    history: tuple[VerdictPoint, ...] = ()  # the verdicts over time, oldest first (two or more)


@dataclass(frozen=True)
class Notice:
    key: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StageCards:
    """The six stage cards, each with a "This is me" button; ``invite`` adds a first-time welcome."""

    current: int | None = None
    invite: bool = False
    source: str = "placement"  # what a "This is me" click records: placement, or checkin


@dataclass(frozen=True)
class QuizAsk:
    question_id: str
    earlier: tuple[int, ...] = ()  # the answers to the questions before this one, carried by its buttons
    offered: int | None = None  # the answer (its index) "Did you mean …?" put first: a plain yes picks it


@dataclass(frozen=True)
class QuizSuggest:
    stage: int


@dataclass(frozen=True)
class StageCoaching:
    """A stage's coaching and this week's tip; ``changed`` says whether the stage just changed."""

    stage: int
    tip_index: int
    changed: bool


@dataclass(frozen=True)
class CheckinAsk:
    period: str
    stage: int
    send_key: str | None = None  # the claimed send this message fulfils, marked sent once it is posted
    placed_today: bool = False  # the member set this stage today: the question says so, not "last week"
    offered: str | None = None  # the answer "Did you mean …?" put first ("forward", "stage_4"): a yes picks it


@dataclass(frozen=True)
class CheckinClosed:
    """The answered check-in message, without its buttons."""

    outcome: str


@dataclass(frozen=True)
class Nudge:
    number: int
    total: int
    last: bool


@dataclass(frozen=True)
class RevisitAsk:
    """Three months after *Not for now*: has anything changed? With a button to retake the assessment
    and one to decline."""

    completed_at: datetime  # when the Not-for-now verdict was given
    quarterly: bool = False  # the look back of a member on weekly check-ins, not the question after Not for now


@dataclass(frozen=True)
class ForgetConfirm:
    """The question before deleting everything, with a confirm button."""


@dataclass(frozen=True)
class ExportFile:
    """A JSON file of everything stored about the member, for their DM."""

    filename: str
    content: str


@dataclass(frozen=True)
class Report:
    report: TeamReport
    digest: bool = False


@dataclass(frozen=True)
class ChannelReport:
    """The team report to post in a channel (``/coach report #channel``); posting it subscribes the
    channel to the weekly digest."""

    channel_id: str
    report: TeamReport


@dataclass(frozen=True)
class AdminAsked:
    """An owner's or admin's command (``report``, ``plan`` with a channel) that needs their role from
    Slack before it can be decided: queued by the command, finished by the sender."""

    command: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class SettingsForm:
    """The check-in settings modal, filled with the member's current choices."""

    weekday: int
    time: str
    paused: bool
    share: bool
    paused_until: str | None = None  # ISO date a pause ends on by itself


@dataclass(frozen=True)
class StageChange:
    at: datetime
    stage: int


@dataclass(frozen=True)
class HomeTab:
    """Everything the member's App Home shows, as plain values (the view never reads the store)."""

    open_question: int | None  # the number of the open assessment's current question, if one is open
    latest_result: AssessmentResult | None
    latest_completed_at: datetime | None
    stage: int | None
    timeline: tuple[StageChange, ...]
    last_tip: int | None  # index into the current stage's tips
    schedule: SettingsForm
    tz: str
    plan_order: tuple[str, ...] = ()  # the plan's sections, weakest first
    plan_done: frozenset[str] = frozenset()
    plan_link: str | None = None  # the member's plan canvas
    latest_words: Mapping[str, str] = field(default_factory=dict)  # the member's own words, by question
    actions: tuple[ActionLine, ...] = ()  # actions the member made or owns
    previous_result: AssessmentResult | None = None  # the assessment before the latest, for before -> after
    history: tuple[VerdictPoint, ...] = ()  # the verdicts over time, oldest first (two or more)

    @property
    def first_visit(self) -> bool:
        return self.open_question is None and self.latest_result is None and not self.timeline


Outcome = (
    Intro
    | Ask
    | Explanation
    | RestartConfirm
    | SettingsAsk
    | Closed
    | AskBack
    | AskBackClosed
    | Summary
    | Notice
    | StageCards
    | QuizAsk
    | QuizSuggest
    | StageCoaching
    | CheckinAsk
    | CheckinClosed
    | Nudge
    | RevisitAsk
    | ForgetConfirm
    | ExportFile
    | Report
    | ChannelReport
    | AdminAsked
    | SettingsForm
    | PlanOffer
    | PlanRerate
    | PlanDocument
    | PlanNotice
    | PlanTip
    | PlanCanvasesForgotten
    | ActionForm
    | ActionSaved
    | ActionsAsk
    | ActionAnswered
    | ActionListSync
    | ListItemsForgotten
)
