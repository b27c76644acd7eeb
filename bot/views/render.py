"""One outcome → one Slack message: the dispatch from what a use case decided to its view."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from typing import Any

from bot.views import actions as action_views
from bot.views import assessment as assessment_views
from bot.views import journey as journey_views
from bot.views import plan as plan_views
from bot.views import privacy as privacy_views
from bot.views import report as report_views
from bot.views.common import Rendered, notice
from flows.actions import ActionAnswered, ActionListSync, ActionsAsk, ActionSaved, ListItemsForgotten
from flows.content import Bundle
from flows.outcomes import (
    Ask,
    AskBack,
    AskBackClosed,
    ChannelReport,
    CheckinAsk,
    CheckinClosed,
    Closed,
    Explanation,
    ExportFile,
    ForgetConfirm,
    Intro,
    Notice,
    Nudge,
    Outcome,
    QuizAsk,
    QuizSuggest,
    Report,
    RestartConfirm,
    RevisitAsk,
    SettingsAsk,
    StageCards,
    StageCoaching,
    Summary,
)
from flows.plan_outcomes import PlanCanvasesForgotten, PlanDocument, PlanNotice, PlanOffer, PlanRerate, PlanTip


def render(bundle: Bundle, outcome: Outcome) -> Rendered:
    """The message an outcome is shown as, in ``bundle``'s language."""
    rendered = render_conversation(bundle, outcome) or render_journey(bundle, outcome) or render_other(bundle, outcome)
    if rendered is None:
        raise TypeError(f"no Slack view for {outcome!r}")
    return rendered


def render_conversation(bundle: Bundle, outcome: Outcome) -> Rendered | None:
    """The assessment's messages, and the coach's questions in words."""
    match outcome:
        case Intro():
            return assessment_views.intro(bundle)
        case Ask():
            return assessment_views.question(bundle, outcome)
        case Closed():
            return assessment_views.closed_question(bundle, outcome)
        case AskBack():
            return assessment_views.ask_back(bundle, outcome)
        case AskBackClosed():
            return assessment_views.ask_back_closed(bundle, outcome)
        case Explanation() | RestartConfirm() | SettingsAsk():
            return conversation(bundle, outcome)
        case Summary():
            return assessment_views.summary(bundle, outcome)
        case Notice(key="nothing_in_progress"):
            return assessment_views.start_prompt(bundle, outcome.key)
        case Notice():
            return notice(bundle, outcome.key, outcome.params)
    return None


def render_journey(bundle: Bundle, outcome: Outcome) -> Rendered | None:
    """The adoption journey's messages: stages, the quiz, check-ins and reminders."""
    match outcome:
        case StageCards():
            return journey_views.stage_cards(bundle, outcome)
        case QuizAsk():
            return journey_views.quiz_question(bundle, outcome)
        case QuizSuggest():
            return journey_views.quiz_suggestion(bundle, outcome)
        case StageCoaching():
            return journey_views.stage_coaching(bundle, outcome)
        case CheckinAsk():
            return journey_views.checkin_question(bundle, outcome)
        case CheckinClosed():
            return journey_views.checkin_closed(bundle, outcome)
        case Nudge():
            return journey_views.nudge(bundle, outcome)
        case RevisitAsk():
            return journey_views.revisit(bundle, outcome)
    return None


def render_other(bundle: Bundle, outcome: Outcome) -> Rendered | None:
    """Privacy, reports and the plan."""
    match outcome:
        case ForgetConfirm():
            return privacy_views.forget_confirm(bundle)
        case Report():
            return report_views.report_message(bundle, outcome)
        case ChannelReport():
            return report_views.report_message(bundle, Report(outcome.report, digest=True))
        case ExportFile():
            return Rendered(text=bundle.messages.text("export_ready"))
        case PlanOffer():
            return plan_views.offer(bundle, outcome)
        case PlanRerate():
            return plan_views.rerate(bundle, outcome)
        case PlanTip():
            return plan_views.tip(bundle, outcome)
        case PlanNotice():
            return plan_views.plan_notice(bundle, outcome)
        case ActionSaved():
            return action_views.saved(bundle, outcome)
        case ActionsAsk():
            return action_views.asked(bundle, outcome)
        case ActionAnswered():
            return action_views.answered(bundle, outcome)
        case ActionListSync() | ListItemsForgotten():
            return Rendered(text=bundle.messages.text("home_actions_title"))
        case PlanDocument() | PlanCanvasesForgotten():
            return Rendered(text=bundle.plan.text("document_title"))
    return None


def conversation(bundle: Bundle, outcome: Explanation | RestartConfirm | SettingsAsk) -> Rendered:
    """A question back answered, or a question the coach asks in words (restart? which day?)."""
    if isinstance(outcome, Explanation):
        return assessment_views.explanation(bundle, outcome)
    return notice(bundle, "restart_question" if isinstance(outcome, RestartConfirm) else "settings_ask")


def render_all(bundle: Bundle, outcomes: list[Outcome]) -> Rendered:
    """Several outcomes as one message (a private reply to a slash command)."""
    rendered = [render(bundle, outcome) for outcome in outcomes]
    return Rendered(text="\n\n".join(r.text for r in rendered), blocks=tuple(b for r in rendered for b in r.blocks))


# Built once: the same few messages go to every member, so each is rendered and validated once per
# locale. An outcome that differs only in where it is (the assessment id in a question's block ids,
# the message a closed question replaces) shares one template.

CACHE_SIZE = 4096
Message = tuple[str, list[dict[str, Any]]]
_cache: OrderedDict[Hashable, Message] = OrderedDict()
_cache_lock = threading.Lock()
TEMPLATE_ID = 0


def template_of(outcome: Outcome) -> Outcome:
    """The outcome with what does not change its text taken out (see ``fill``)."""
    if isinstance(outcome, Ask):
        return replace(outcome, assessment_id=TEMPLATE_ID)
    if isinstance(outcome, Closed):
        return replace(outcome, assessment_id=TEMPLATE_ID, prompt_channel=None, prompt_ts=None)
    return outcome


def fill(outcome: Outcome, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A template's blocks for ``outcome``: a question's buttons carry its assessment in their block ids."""
    if not isinstance(outcome, Ask):
        return list(blocks)
    old = f":{TEMPLATE_ID}:{outcome.question_id}"
    new = f":{outcome.assessment_id}:{outcome.question_id}"
    return [
        {**block, "block_id": block["block_id"].replace(old, new, 1)}
        if str(block.get("block_id", "")).endswith(old)
        else block
        for block in blocks
    ]


def rendered_message(bundle: Bundle, outcome: Outcome) -> Message:
    """Text and Block Kit dicts for ``outcome``, validated by slack_sdk when first built, then cached."""
    template = template_of(outcome)
    try:
        key: Hashable | None = (bundle.locale, template)
        hash(key)
    except TypeError:  # carries a dict or a list (a notice's parameters, a report): built each time
        key = None
    cached = None
    if key is not None:
        with _cache_lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
    if cached is None:
        rendered = render(bundle, template)
        cached = (rendered.text, rendered.block_dicts())
        if key is not None:
            with _cache_lock:
                _cache[key] = cached
                if len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
    return cached[0], fill(outcome, cached[1])
