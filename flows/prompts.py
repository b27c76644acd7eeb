"""The open prompt: what the coach last asked a member, which is what their next typed reply answers.

Stored with the member as one short string (``kind:ref``) and worked out from the outcomes each
use case returns: the last outcome that asks something opens its prompt; one that closes it (an
answer recorded, a stage set, a result shown) leaves nothing open; any other outcome (a notice, an
explanation) keeps the prompt as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from flows.actions import ActionsAsk
from flows.content import RATINGS, Rating
from flows.outcomes import (
    Ask,
    AskBack,
    CheckinAsk,
    CheckinClosed,
    Closed,
    ForgetConfirm,
    Notice,
    Outcome,
    QuizAsk,
    QuizSuggest,
    RestartConfirm,
    SettingsAsk,
    StageCards,
    StageCoaching,
    Summary,
)
from flows.plan_outcomes import PlanOffer

PromptKind = Literal[
    "assessment",
    "checkin",
    "quiz",
    "suggest",
    "stages",
    "forget",
    "restart",
    "settings",
    "plan",  # a plan question in ``coach chat`` (``section/field``): ``plan`` goes on from there
    "actions",  # the member's actions listed (their ids): "done 2" answers about the second
    "revisit",  # the offer to take the assessment again (the id of the assessment it looks back on)
    "planoffer",  # the offer to write the plan: its parts open from their buttons
]
KINDS: tuple[PromptKind, ...] = get_args(PromptKind)


@dataclass(frozen=True)
class OpenPrompt:
    kind: PromptKind
    ref: str = ""  # the assessment id, the check-in's week, the quiz question, the suggested stage…

    def stored(self) -> str:
        return f"{self.kind}:{self.ref}"

    @classmethod
    def parse(cls, stored: str | None) -> OpenPrompt | None:
        kind, _, ref = (stored or "").partition(":")
        for known in KINDS:
            if kind == known:
                return cls(known, ref)
        return None


def with_offer(ref: str, offered: object | None) -> str:
    """A prompt's ref with the answer "Did you mean …?" put first, after a last "/" (a plain yes picks it)."""
    return ref if offered is None else f"{ref}/{offered}"


def quiz_ref(question_id: str, earlier: Sequence[int]) -> str:
    """A quiz question's prompt ref: the question and the answers given before it ("results/1,2")."""
    return "/".join([question_id, ",".join(map(str, earlier))])


def split_offer(ref: str, parts: int) -> tuple[str, str | None]:
    """A ref of ``parts`` parts, and the answer offered after them, if any (``with_offer``)."""
    pieces = ref.split("/")
    return "/".join(pieces[:parts]), ("/".join(pieces[parts:]) or None)


def assessment_ref(ref: str) -> tuple[str, Rating | None]:
    """An assessment prompt's ref: the assessment's id, and the answer "Did you mean …?" offered, if
    that was the last thing asked."""
    assessment_id, offered = split_offer(ref, 1)
    return assessment_id, next((rating for rating in RATINGS if rating == offered), None)


CLOSING = (Closed, CheckinClosed, StageCoaching, Summary)
CLOSING_NOTICES = frozenset({"lookback_declined", "revisit_declined", "offer_later", "plan_offer_later"})  # answered
Keep = Literal["keep"]
KEEP: Keep = "keep"


def prompt_of(outcome: Outcome) -> OpenPrompt | None | Keep:
    """The prompt ``outcome`` opens, None when it closes the open one, KEEP when it changes nothing."""
    match outcome:
        case AskBack() if outcome.guess is not None:  # a plain "yes" next picks the answer offered
            return OpenPrompt("assessment", with_offer(str(outcome.assessment_id), outcome.guess))
        case Ask() | AskBack():
            return OpenPrompt("assessment", str(outcome.assessment_id))
        case CheckinAsk():
            return OpenPrompt("checkin", with_offer(outcome.period, outcome.offered))
        case QuizAsk():  # the answers before it travel with it, as its buttons carry them
            return OpenPrompt("quiz", with_offer(quiz_ref(outcome.question_id, outcome.earlier), outcome.offered))
        case QuizSuggest():
            return OpenPrompt("suggest", str(outcome.stage))
        case StageCards():
            return OpenPrompt("stages", outcome.source)
        case ForgetConfirm():
            return OpenPrompt("forget")
        case RestartConfirm():
            return OpenPrompt("restart")
        case SettingsAsk():
            return OpenPrompt("settings")
        case ActionsAsk():
            return OpenPrompt("actions", outcome.ref)
        case PlanOffer() if outcome.saved is None:  # after a part saved, it only shows what is left
            return OpenPrompt("planoffer")
        case PlanOffer():
            return None
        case Notice() if outcome.key in CLOSING_NOTICES:
            return None
    return None if isinstance(outcome, CLOSING) else KEEP


def prompt_after(outcomes: Sequence[Outcome]) -> OpenPrompt | None | Keep:
    """What is open once the member has read ``outcomes``: the last outcome that opens or closes decides."""
    decided: OpenPrompt | None | Keep = KEEP
    for outcome in outcomes:
        prompt = prompt_of(outcome)
        if prompt != KEEP:
            decided = prompt
    return decided
