"""Messages and the settings modal of the adoption journey and the weekly check-in."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.views.assessment import CARDS_ACTION, START_ACTION
from bot.views.common import Rendered, format_date, format_time, modal, section, weekday_name
from flows.content import Bundle
from flows.journey import CHECKIN_OUTCOMES
from flows.outcomes import (
    CheckinAsk,
    CheckinClosed,
    Notice,
    Nudge,
    Outcome,
    QuizAsk,
    QuizSuggest,
    RevisitAsk,
    StageCards,
    StageCoaching,
)
from flows.schedule import offered_times

STAGE_ACTION = "stage_pick"
QUIZ_START_ACTION = "quiz_start"
QUIZ_ANSWER_PREFIX = "quiz_answer:"
CHECKIN_PREFIX = "checkin:"
SETTINGS_CALLBACK = "checkin_settings"
CURRENT_MARK = ":round_pushpin:"


def stage_title(bundle: Bundle, number: int) -> str:
    return bundle.messages.text("stage_label", number=number, name=bundle.stages.stage(number).name)


def stage_button(bundle: Bundle, number: int, label_key: str = "button_this_is_me") -> ButtonElement:
    return ButtonElement(text=bundle.messages.text(label_key), action_id=STAGE_ACTION, value=f"stage:{number}")


def find_stage_button(bundle: Bundle) -> ButtonElement:
    return ButtonElement(text=bundle.messages.text("button_find_stage"), action_id=CARDS_ACTION, value="cards")


def stage_cards(bundle: Bundle, cards: StageCards) -> Rendered:
    title = bundle.messages.text("stages_title")
    intro = bundle.messages.text("invite_to_place" if cards.invite else "stages_intro")
    blocks: list[Block] = [HeaderBlock(text=title), section(intro)]
    for stage in bundle.stages.stages:
        mark = f"{CURRENT_MARK} " if stage.number == cards.current else ""
        blocks.append(
            SectionBlock(
                block_id=f"stage:{cards.source}:{stage.number}",
                text=MarkdownTextObject(text=f"{mark}*{stage_title(bundle, stage.number)}*\n{stage.one_line}"),
                accessory=stage_button(bundle, stage.number),
            )
        )
    quiz = ButtonElement(text=bundle.messages.text("button_take_quiz"), action_id=QUIZ_START_ACTION, value="quiz")
    blocks.append(ActionsBlock(elements=[quiz]))
    return Rendered(text=title, blocks=blocks)


def quiz_value(ask: QuizAsk, index: int) -> str:
    """A quiz button's value: ``quiz:<question>:<answer>:<earlier answers, dot-separated>``."""
    return f"quiz:{ask.question_id}:{index}:{'.'.join(str(i) for i in ask.earlier)}"


def checkin_question_text(bundle: Bundle, ask: CheckinAsk) -> str:
    stage = bundle.stages.stage(ask.stage)
    key = "checkin_question_today" if ask.placed_today else "checkin_question"
    return bundle.messages.text(key, number=stage.number, name=stage.name)


def quiz_question(bundle: Bundle, ask: QuizAsk) -> Rendered:
    question = bundle.stages.quiz_question(ask.question_id)
    text = bundle.messages.text("quiz_question", prompt=question.prompt)
    buttons = [
        ButtonElement(text=answer.label, action_id=f"{QUIZ_ANSWER_PREFIX}{i}", value=quiz_value(ask, i))
        for i, answer in enumerate(question.answers)
    ]
    return Rendered(text=text, blocks=(section(f"*{text}*"), ActionsBlock(elements=buttons)))


def quiz_suggestion(bundle: Bundle, suggest: QuizSuggest) -> Rendered:
    stage = bundle.stages.stage(suggest.stage)
    text = bundle.messages.text("quiz_suggestion", number=stage.number, name=stage.name)
    others = ButtonElement(text=bundle.messages.text("button_pick_other"), action_id=CARDS_ACTION, value="cards")
    return Rendered(
        text=text,
        blocks=(
            section(f"{text}\n_{stage.looks_like}_"),
            ActionsBlock(
                block_id=f"stage:quiz:{stage.number}",
                elements=[stage_button(bundle, stage.number, "button_confirm_stage"), others],
            ),
        ),
    )


def stage_coaching(bundle: Bundle, coaching: StageCoaching) -> Rendered:
    stage = bundle.stages.stage(coaching.stage)
    messages = bundle.messages
    heading = messages.text("stage_set" if coaching.changed else "stage_same", number=stage.number, name=stage.name)
    blocks: list[Block] = [
        HeaderBlock(text=heading[:150]),
        section(messages.text("coaching_looks_like", text=stage.looks_like)),
        section(messages.text("coaching_trap", text=stage.trap)),
        section(messages.text("coaching_next", text=stage.next_move)),
        section(messages.text("tip_of_week", tip=stage.tips[coaching.tip_index])),
    ]
    return Rendered(text=heading, blocks=blocks)


def checkin_question(bundle: Bundle, ask: CheckinAsk) -> Rendered:
    text = checkin_question_text(bundle, ask)
    buttons = [
        ButtonElement(
            text=bundle.messages.text(f"button_checkin_{outcome}"),
            action_id=f"{CHECKIN_PREFIX}{outcome}",
            value=f"checkin:{ask.period}:{outcome}",
        )
        for outcome in CHECKIN_OUTCOMES
    ]
    return Rendered(text=text, blocks=(section(text), ActionsBlock(block_id=f"checkin:{ask.period}", elements=buttons)))


def checkin_closed(bundle: Bundle, closed: CheckinClosed) -> Rendered:
    text = bundle.messages.text(f"checkin_closed_{closed.outcome}")
    return Rendered(text=text, blocks=(ContextBlock(elements=[MarkdownTextObject(text=text)]),))


def nudge(bundle: Bundle, reminder: Nudge) -> Rendered:
    key = "nudge_last" if reminder.last else "nudge_first"
    text = bundle.messages.text(key, number=reminder.number, total=reminder.total)
    resume = ButtonElement(text=bundle.messages.text("button_resume"), action_id=START_ACTION, value="resume")
    return Rendered(text=text, blocks=(section(text), ActionsBlock(elements=[resume])))


REVISIT_DECLINE_ACTION = "revisit_decline"
LOOKBACK_DECLINE_ACTION = "lookback_decline"


def revisit(bundle: Bundle, ask: RevisitAsk) -> Rendered:
    """The quiet question three months after *Not for now*: retake the assessment, or say no."""
    if ask.quarterly:  # the look back of a member on weekly check-ins
        text = bundle.messages.text("lookback_question", date=format_date(bundle, ask.completed_at))
        yes = bundle.messages.text("button_lookback_yes")
        again = ButtonElement(text=yes, action_id=START_ACTION, value="lookback")
        no = ButtonElement(
            text=bundle.messages.text("button_lookback_no"), action_id=LOOKBACK_DECLINE_ACTION, value="decline"
        )
        return Rendered(text=text, blocks=(section(text), ActionsBlock(block_id="lookback", elements=[again, no])))
    text = bundle.messages.text("revisit_question", date=format_date(bundle, ask.completed_at))
    again = ButtonElement(text=bundle.messages.text("button_revisit_yes"), action_id=START_ACTION, value="revisit")
    no = ButtonElement(
        text=bundle.messages.text("button_revisit_no"), action_id=REVISIT_DECLINE_ACTION, value="decline"
    )
    return Rendered(text=text, blocks=(section(text), ActionsBlock(block_id="revisit", elements=[again, no])))


def _plain_option(label: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=label), value=value)


def _time_options(bundle: Bundle, at: str) -> tuple[list[Option], Option]:
    """The form's times (``offered_times``), ``at`` chosen; 09:00 when ``at`` is no time."""
    offered = offered_times(at)
    times = [_plain_option(format_time(bundle, value), value) for value in offered]
    return times, next((o for o in times if o.value == at), times[6])


def settings_modal(
    bundle: Bundle, weekday: int, at: str, paused: bool, share: bool = False, paused_until: str | None = None
) -> View:
    messages = bundle.messages
    days = [_plain_option(weekday_name(bundle, d), str(d)) for d in range(7)]
    times, current_time = _time_options(bundle, at)
    pause_option = _plain_option(messages.text("settings_pause"), "paused")
    share_option = _plain_option(messages.text("settings_share"), "share")
    return modal(
        callback_id=SETTINGS_CALLBACK,
        private_metadata=paused_until or "",  # the date shown: left as it was with the switch off, it resumes
        title=messages.text("settings_title"),
        submit=messages.text("settings_save"),
        close=messages.text("settings_cancel"),
        blocks=[
            InputBlock(
                block_id="weekday",
                label=messages.text("settings_weekday"),
                element=StaticSelectElement(action_id="weekday", options=days, initial_option=days[weekday]),
            ),
            InputBlock(
                block_id="time",
                label=messages.text("settings_time"),
                element=StaticSelectElement(action_id="time", options=times, initial_option=current_time),
            ),
            InputBlock(
                block_id="paused",
                label=messages.text("settings_pause"),
                optional=True,
                element=CheckboxesElement(
                    action_id="paused",
                    options=[pause_option],
                    initial_options=[pause_option] if paused else None,
                ),
            ),
            InputBlock(
                block_id="paused_until",
                label=messages.text("settings_pause_until"),
                hint=messages.text("settings_pause_until_hint"),
                optional=True,
                element=DatePickerElement(action_id="paused_until", initial_date=paused_until),
            ),
            InputBlock(
                block_id="share",
                label=messages.text("settings_share_label"),
                optional=True,
                element=CheckboxesElement(
                    action_id="share",
                    options=[share_option],
                    initial_options=[share_option] if share else None,
                ),
            ),
        ],
    )


SETTINGS_FIELD_ERRORS = {
    "settings_bad_day": "weekday",
    "settings_bad_time": "time",
    "pause_date_past": "paused_until",
    "pause_date_far": "paused_until",
    "pause_bad_date": "paused_until",
}


def settings_errors(bundle: Bundle, outcomes: Sequence[Outcome]) -> dict[str, str]:
    """A refused settings form, as Slack shows errors under a modal's inputs; empty when it was saved."""
    return {
        SETTINGS_FIELD_ERRORS[o.key]: bundle.messages.text(o.key)
        for o in outcomes
        if isinstance(o, Notice) and o.key in SETTINGS_FIELD_ERRORS
    }
