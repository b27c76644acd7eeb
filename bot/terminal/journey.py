"""``coach chat``: the adoption journey in a terminal (stage cards, quiz, check-in) as numbered choices.

Where Slack shows buttons, the terminal lists numbered options; ``choices`` says what each number
does, in the same order ``journey_text`` lists them.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.usecases.journey import Journey
from bot.views.journey import checkin_question_text
from flows.content import Bundle
from flows.journey import CHECKIN_OUTCOMES, Source
from flows.outcomes import CheckinAsk, CheckinClosed, Outcome, QuizAsk, QuizSuggest, StageCards, StageCoaching
from flows.values import MemberKey

JourneyOutcome = StageCards | QuizAsk | QuizSuggest | StageCoaching | CheckinAsk | CheckinClosed
JOURNEY_OUTCOMES = (StageCards, QuizAsk, QuizSuggest, StageCoaching, CheckinAsk, CheckinClosed)
Action = Callable[[], list[Outcome]]


def _numbered(options: list[str]) -> list[str]:
    return [f"  {i}) {label}" for i, label in enumerate(options, start=1)]


def journey_text(bundle: Bundle, outcome: JourneyOutcome) -> str:
    messages = bundle.messages
    match outcome:
        case StageCards():
            intro = messages.text("invite_to_place" if outcome.invite else "stages_intro")
            lines = [f"\n{messages.text('stages_title')}", intro]
            for stage in bundle.stages.stages:
                marker = " *" if stage.number == outcome.current else ""
                lines.append(f"  {stage.number}) {messages.text('stage_label', number=stage.number, name=stage.name)}"
                             f"{marker}\n     {stage.one_line}")  # fmt: skip
            return "\n".join([*lines, messages.text("chat_stage_hint")])
        case QuizAsk():
            question = bundle.stages.quiz_question(outcome.question_id)
            lines = [
                messages.text("quiz_question", prompt=question.prompt),
                *_numbered([a.label for a in question.answers]),
            ]
            return "\n".join([*lines, messages.text("chat_pick_option")])
        case QuizSuggest():
            stage = bundle.stages.stage(outcome.stage)
            options = [messages.text("button_confirm_stage"), messages.text("button_pick_other")]
            lines = [messages.text("quiz_suggestion", number=stage.number, name=stage.name), *_numbered(options)]
            return "\n".join([*lines, messages.text("chat_pick_option")])
        case StageCoaching():
            stage = bundle.stages.stage(outcome.stage)
            key = "stage_set" if outcome.changed else "stage_same"
            return "\n".join(
                [
                    f"\n{messages.text(key, number=stage.number, name=stage.name)}",
                    messages.text("coaching_looks_like", text=stage.looks_like),
                    messages.text("coaching_trap", text=stage.trap),
                    messages.text("coaching_next", text=stage.next_move),
                    messages.text("tip_of_week", tip=stage.tips[outcome.tip_index]),
                ]
            )
        case CheckinAsk():
            options = [messages.text(f"button_checkin_{o}") for o in CHECKIN_OUTCOMES]
            lines = [checkin_question_text(bundle, outcome), *_numbered(options)]
            return "\n".join([*lines, messages.text("chat_pick_option")])
        case CheckinClosed():
            return messages.text(f"checkin_closed_{outcome.outcome}")
    raise TypeError(f"no terminal view for {outcome!r}")


def choices(journey: Journey, member: MemberKey, outcome: Outcome) -> list[Action] | None:
    """What typing 1, 2, … does after ``outcome``; None when it offers no choice."""
    match outcome:
        case StageCards():
            source: Source = "checkin" if outcome.source == "checkin" else "placement"
            return [lambda n=n: journey.place(member, n, source) for n in range(1, 7)]  # type: ignore[misc]
        case QuizAsk():
            count = len(journey.bundle.stages.quiz_question(outcome.question_id).answers)
            qid, earlier = outcome.question_id, outcome.earlier
            return [lambda i=i: journey.quiz_answer(member, qid, i, earlier) for i in range(count)]  # type: ignore[misc]
        case QuizSuggest():
            stage = outcome.stage
            return [lambda: journey.place(member, stage, "quiz"), lambda: journey.cards(member)]
        case CheckinAsk():
            period = outcome.period
            return [lambda o=o: journey.checkin_answer(member, period, o) for o in CHECKIN_OUTCOMES]  # type: ignore[misc]
    return None
