"""``coach chat``: the same coaching in a terminal, for trying it without a Slack workspace."""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable
from pathlib import Path

from bot.terminal.plan import is_plan_command, offer_text, run_plan
from bot.terminal.session import TerminalSession
from bot.usecases.assessment import Coach
from bot.usecases.plan import Plans
from bot.views.assessment import (
    ask_back_text,
    compared_title,
    plan_item_text,
    plan_title,
    scorecard_lines,
    weakest_link_text,
)
from bot.views.common import notice_params
from bot.views.lookback import history_lines
from bot.views.plan import plan_notice_text
from bot.views.render import conversation
from flows.content import Bundle
from flows.outcomes import (
    Ask,
    AskBack,
    AskBackClosed,
    Closed,
    Explanation,
    Intro,
    Notice,
    Outcome,
    RestartConfirm,
    SettingsAsk,
    Summary,
)
from flows.plan_outcomes import PlanNotice, PlanOffer, PlanTip
from flows.summary import summary_text
from flows.values import MemberKey
from flows.verdicts import gets_weekly_checkins

TERMINAL_TEAM = "terminal"
# Terminal wording: no buttons here, no scheduled messages and no Slack settings
TERMINAL_NOTICES = {
    "not_understood": "chat_not_understood",
    "text_help": "chat_help",
    "after_not_for_now": "chat_after_not_for_now",
    "open_help": "chat_help",
    "open_not_understood": "chat_open_not_understood",
    "choice_not_sure": "chat_choice_not_sure",
    "choice_unclear": "chat_choice_unclear",
    "settings_how": "chat_settings_how",
    "forget_kept": "chat_forget_kept",
    "plan_offer_click": "chat_plan_offer_click",
    "assessment_waiting": "chat_assessment_waiting",
    "settings_saved_unplaced": "chat_settings_saved_unplaced",
    "plan_offer_later": "chat_plan_offer_later",
    "stages_unclear": "chat_stage_hint",
    "actions_none": "chat_actions_none",
    "action_which": "chat_action_which",
    "paused": "chat_paused",  # "/coach resume" is Slack's; here the words are typed
    "paused_until": "chat_paused_until",
    "pause_date_far": "chat_pause_date_far",
    "pause_bad_date": "chat_pause_bad_date",
    "journey_unplaced": "chat_journey_unplaced",
    "resumed_unplaced": "chat_resumed_unplaced",
    "home_schedule_not_for_now": "chat_after_not_for_now",  # no scheduler here to ask in three months
}
_MARKS = {
    ":large_green_circle:": "[##]",
    ":large_yellow_circle:": "[#-]",
    ":red_circle:": "[--]",
    ":white_circle:": "[  ]",
}


def plain(text: str) -> str:
    """Slack mrkdwn to plain terminal text: drop emphasis markers and use ASCII rating marks."""
    for emoji, mark in _MARKS.items():
        text = text.replace(emoji, mark)
    return re.sub(r"(?<![\w*])[*_`](\S(?:.*?\S)?)[*_`](?![\w*])", r"\1", text)


def unescaped(text: str) -> str:
    """Slack's escaping undone: a terminal shows the member's words as they typed them."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def summary_lines(bundle: Bundle, outcome: Summary) -> str:
    """A result in the terminal: verdict, scorecard (before -> after), verdicts over time, next steps."""
    messages = bundle.messages
    result = outcome.result
    verdict = bundle.assessment.verdicts[result.verdict]
    lines = [f"\n{messages.text('summary_title', verdict=verdict.title)}", summary_text(verdict, result)]
    lines.append(messages.text("score_line", score=result.score, max_score=result.max_score))
    lines += ["", *compared_title(bundle, outcome)]  # with the result before it, when there is one
    lines += [*scorecard_lines(bundle, result, outcome.words, False, outcome.previous), ""]
    lines += [*history_lines(bundle, outcome.history), *([""] if outcome.history else [])]
    lines.append(weakest_link_text(bundle, result))
    if result.plan:
        lines.append("\n" + plan_title(bundle, result))
    lines += [f"\n{i}) {plan_item_text(bundle, item)}" for i, item in enumerate(result.plan, start=1)]
    if result.plan and gets_weekly_checkins(result.verdict):  # each next step can become an action
        lines.append("\n" + messages.text("chat_action_hint"))
    lines.append("\n" + messages.text("chat_retake_hint"))
    return plain("\n".join(lines))


def render_text(bundle: Bundle, outcome: Outcome) -> str:
    messages = bundle.messages
    match outcome:
        case Intro():
            return f"{bundle.assessment.intro.title}\n{messages.text('chat_intro')}"
        case Ask():
            question = bundle.assessment.question(outcome.question_id)
            header = messages.text("question_header", number=outcome.number, total=outcome.total, title=question.title)
            lines = [f"\n{header}", question.prompt, *(f"  - {g}" for g in question.guidance)]
            lines += [f"  {i}) {answer.label}" for i, answer in enumerate(question.answers, start=1)]
            lines.append(messages.text("chat_options"))
            return "\n".join(lines)
        case Closed():
            if outcome.how == "answered" and outcome.rating:
                label = bundle.assessment.question(outcome.question_id).answer(outcome.rating).label
                return messages.text("answered_with", answer=label)
            return "" if outcome.how == "restarted" else messages.text(f"answered_{outcome.how}")
        case AskBack():
            question = bundle.assessment.question(outcome.question_id)
            lines = [unescaped(ask_back_text(bundle, outcome))]
            lines += [f"  {i}) {answer.label}" for i, answer in enumerate(question.answers, start=1)]
            return plain("\n".join([*lines, messages.text("chat_pick_number")]))
        case AskBackClosed():
            return ""
        case Explanation() | RestartConfirm() | SettingsAsk():
            return plain(conversation(bundle, outcome).text)
        case Summary():
            return summary_lines(bundle, outcome)
        case Notice():
            key = TERMINAL_NOTICES.get(outcome.key, outcome.key)
            return plain(messages.text(key, **notice_params(bundle, outcome.params, for_slack=False)))
        case PlanOffer():
            return offer_text(bundle, outcome)
        case PlanTip():
            tip = bundle.plan.text("checkin_tip", title=bundle.plan.section(outcome.section_id).title)
            return plain(f"{tip}\n{bundle.plan.text('chat_hint')}")
        case PlanNotice():
            return plain(plan_notice_text(bundle, outcome))
    raise TypeError(f"no terminal view for {outcome!r}")


def default_member() -> MemberKey:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "you"
    return MemberKey(TERMINAL_TEAM, user)


def run_chat(
    coach: Coach,
    member: MemberKey,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    out: Path | None = None,
) -> None:
    bundle = coach.bundle
    session = TerminalSession(coach, member, lambda outcome: render_text(bundle, outcome), plain)
    write(bundle.messages.text("chat_welcome"))
    handed_on: str | None = None
    if session.left_in_plan():  # the last thing asked was a plan question: the chat goes on there
        handed_on = run_plan(Plans(coach.store, bundle, coach.clock), member, read, write, out)
    for text in session.opening() if handed_on is None else []:
        write(text)
    while True:
        try:
            line = handed_on or read(bundle.messages.text("chat_prompt"))
        except (EOFError, KeyboardInterrupt):
            write("")
            break
        handed_on = None
        if not line.strip():
            continue
        if is_plan_command(bundle, line):  # the form hands on only lines for the conversation
            handed_on = run_plan(Plans(coach.store, bundle, coach.clock), member, read, write, out)
            continue
        replies = session.handle(line)
        if replies is None:
            break
        for text in replies:
            write(text)
    kept = coach.store.member(member) is not None  # after "forget", "your progress is saved" would be untrue
    write(bundle.messages.text("chat_bye" if kept else "chat_bye_nothing_kept"))
