"""The App Home tab: the member's own dashboard."""

from __future__ import annotations

from datetime import date, datetime, time

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, DividerBlock, HeaderBlock
from slack_sdk.models.blocks import MarkdownTextObject as Markdown
from slack_sdk.models.views import View

from bot.views import actions as action_views
from bot.views import plan as plan_views
from bot.views.assessment import RETAKE_ACTION, START_ACTION, compared_ratings
from bot.views.common import format_date, format_time, inert, section, sections, weekday_name, worth_quoting
from bot.views.journey import find_stage_button
from bot.views.lookback import history_lines
from flows.assessment import QuestionResult
from flows.content import Bundle
from flows.outcomes import HomeTab
from flows.verdicts import gets_weekly_checkins

CHECKIN_NOW_ACTION = "checkin_now"
SETTINGS_ACTION = "settings_open"
BAR_LENGTH = 4
BAR_FILL = {
    "ready": (4, ":large_green_square:"),
    "partly": (2, ":large_yellow_square:"),
    "not_yet": (1, ":large_red_square:"),
}
BAR_EMPTY = ":white_large_square:"
MAX_HOME_BLOCKS = 100


def bar(result: QuestionResult) -> str:
    """A four-square bar per question, so the scorecard reads at a glance."""
    filled, square = BAR_FILL[result.rating] if result.rating else (0, BAR_EMPTY)
    return square * filled + BAR_EMPTY * (BAR_LENGTH - filled)


def home_view(bundle: Bundle, data: HomeTab) -> View:
    messages = bundle.messages
    blocks: list[Block] = [HeaderBlock(text=messages.text("home_title"))]
    if data.first_visit:
        blocks.append(section(messages.text("home_welcome")))
    blocks.append(ContextBlock(elements=[Markdown(text=messages.text("home_privacy"))]))
    blocks += [DividerBlock(), section(f"*{messages.text('home_readiness_title')}*")]
    blocks += _readiness(bundle, data)
    blocks += [DividerBlock(), *_plan(bundle, data), *_actions(bundle, data)]
    blocks += [DividerBlock(), section(f"*{messages.text('home_journey_title')}*")]
    blocks += _journey(bundle, data)
    if len(blocks) > MAX_HOME_BLOCKS:
        raise ValueError(f"home view has {len(blocks)} blocks; Slack allows {MAX_HOME_BLOCKS}")
    return View(type="home", blocks=blocks)


def _not_for_now(data: HomeTab) -> bool:
    return data.latest_result is not None and not gets_weekly_checkins(data.latest_result.verdict)


def _plan(bundle: Bundle, data: HomeTab) -> list[Block]:
    """The plan's parts with their buttons; after *Not for now*, unless some part is written already,
    only a line that there is no plan to write (the verdict just said not to start)."""
    if _not_for_now(data) and not data.plan_done:
        return [section(bundle.messages.text("home_plan_not_for_now"))]
    return plan_views.home_blocks(bundle, data.plan_order, data.plan_done, data.plan_link)


def _actions(bundle: Bundle, data: HomeTab) -> list[Block]:
    """The member's actions (made or owned), and a menu to make a written plan part an action."""
    blocks: list[Block] = []
    if lines := action_views.home_lines(bundle, data.actions):
        blocks.append(section("\n".join(lines)))
    if not _not_for_now(data) and (menu := action_views.plan_part_menu(bundle, data.plan_done)) is not None:
        blocks.append(menu)
    return blocks


def _readiness(bundle: Bundle, data: HomeTab) -> list[Block]:
    messages = bundle.messages
    blocks: list[Block] = []
    if data.latest_result is not None and data.latest_completed_at is not None:
        result = data.latest_result
        verdict = bundle.assessment.verdicts[result.verdict].title
        date = format_date(bundle, data.latest_completed_at)
        lines = [
            messages.text("home_latest", date=date, verdict=verdict, score=result.score, max_score=result.max_score)
        ]
        shown = compared_ratings(bundle, result, data.previous_result)
        for r in result.results:
            lines.append(f"{bar(r)}  {bundle.assessment.question(r.question_id).title}: {shown[r.question_id]}")
            typed = data.latest_words.get(r.question_id)
            if typed and worth_quoting(typed) and r.rating is not None:
                lines.append(f"      {messages.text('in_your_words', text=inert(typed))}")
        blocks += sections([*lines, *history_lines(bundle, data.history)])
        if result.weakest is not None:
            weakest = bundle.assessment.question(result.weakest.question_id)
            step = (
                weakest.advice[result.weakest.rating].next_step  # type: ignore[index]
                if result.weakest.rating
                else messages.text("skipped_next_step")
            )
            blocks.append(section(messages.text("home_next_step", title=weakest.title, next_step=step)))
    elif data.open_question is None:
        blocks.append(section(messages.text("home_no_assessment")))
    if data.open_question is not None:
        total = len(bundle.assessment.questions)
        blocks.append(section(messages.text("home_in_progress", number=data.open_question, total=total)))
        button = ButtonElement(
            text=messages.text("button_resume_assessment"), action_id=START_ACTION, value="resume", style="primary"
        )
    elif data.latest_result is not None:
        button = ButtonElement(text=messages.text("button_retake"), action_id=RETAKE_ACTION, value="home")
    else:
        button = ButtonElement(
            text=messages.text("button_start"), action_id=START_ACTION, value="start", style="primary"
        )
    blocks.append(ActionsBlock(elements=[button]))
    return blocks


def _journey(bundle: Bundle, data: HomeTab) -> list[Block]:
    messages = bundle.messages
    blocks: list[Block] = []
    settings = ButtonElement(text=messages.text("button_settings"), action_id=SETTINGS_ACTION, value="settings")
    if data.stage is None:
        blocks.append(section(messages.text("home_no_stage")))
        blocks.append(ActionsBlock(elements=[find_stage_button(bundle), settings]))
        return blocks
    stage = bundle.stages.stage(data.stage)

    def stage_name(number: int) -> str:
        return bundle.stages.stage(number).name

    blocks.append(section(messages.text("home_stage_now", number=stage.number, name=stage.name)))
    if data.timeline:
        items = [
            messages.text(
                "home_timeline_item",
                date=format_date(bundle, c.at),
                number=c.stage,
                name=stage_name(c.stage),
            )
            for c in reversed(data.timeline)
        ]
        blocks.append(section(messages.text("home_timeline_title") + "\n" + "\n".join(f"• {i}" for i in items)))
    if data.last_tip is not None:
        blocks.append(section(messages.text("home_tip", tip=stage.tips[data.last_tip])))
    schedule = (
        messages.text("home_schedule_not_for_now")
        if _not_for_now(data)
        else _paused_until(bundle, data.schedule.paused_until)
        if data.schedule.paused and data.schedule.paused_until
        else messages.text("home_schedule_paused")
        if data.schedule.paused
        else messages.text(
            "home_schedule",
            weekday=weekday_name(bundle, data.schedule.weekday),
            time=format_time(bundle, data.schedule.time),
            tz=data.tz,
        )
    )
    blocks.append(ContextBlock(elements=[Markdown(text=schedule)]))
    checkin = ButtonElement(text=messages.text("button_checkin_now"), action_id=CHECKIN_NOW_ACTION, value="now")
    blocks.append(ActionsBlock(elements=[checkin, find_stage_button(bundle), settings]))
    return blocks


def _paused_until(bundle: Bundle, until: str) -> str:
    moment = datetime.combine(date.fromisoformat(until), time(12, 0))
    return bundle.messages.text("home_schedule_paused_until", date=format_date(bundle, moment))
