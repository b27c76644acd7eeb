"""``coach chat``: the same coaching in a terminal, for trying it without a Slack workspace."""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable, Sequence

from bot.coach import Coach
from bot.store import MemberKey
from bot.views.assessment import ask_back_text, plan_item_text, scorecard_lines, weakest_link_text
from bot.views.common import notice_params
from flows.content import Bundle, read_intent
from flows.outcomes import Ask, AskBack, AskBackClosed, Closed, Intro, Notice, Outcome, Summary

TERMINAL_TEAM = "terminal"
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


def render_text(bundle: Bundle, outcome: Outcome) -> str:
    messages = bundle.messages
    match outcome:
        case Intro():
            intro = bundle.assessment.intro
            return f"{intro.title}\n{intro.body}"
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
        case Summary():
            result = outcome.result
            verdict = bundle.assessment.verdicts[result.verdict]
            lines = [f"\n{messages.text('summary_title', verdict=verdict.title)}", verdict.summary]
            lines.append(messages.text("score_line", score=result.score, max_score=result.max_score))
            lines += ["", messages.text("scorecard_title"), *scorecard_lines(bundle, result, outcome.words, False), ""]
            lines.append(weakest_link_text(bundle, result))
            lines += ["\n" + plan_item_text(bundle, item) for item in result.plan]
            lines.append("\n" + messages.text("chat_retake_hint"))
            return plain("\n".join(lines))
        case Notice():
            return plain(messages.text(outcome.key, **notice_params(bundle, outcome.params, for_slack=False)))
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
) -> None:
    bundle = coach.bundle

    def show(outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            text = render_text(bundle, outcome)
            if text:
                write(text)

    write(bundle.messages.text("chat_welcome"))
    show(coach.start(member))
    while True:
        try:
            line = read(bundle.messages.text("chat_prompt"))
        except (EOFError, KeyboardInterrupt):
            write("")
            break
        if not line.strip():
            continue
        if read_intent(line, bundle) == "quit":
            break
        show(coach.handle_text(member, line))
    write(bundle.messages.text("chat_bye"))
