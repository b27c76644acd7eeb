"""Messages of the readiness assessment: the intro, each question, and the summary."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
)

from bot.views.common import Rendered, escape, format_date, notice_text, section
from flows.assessment import AssessmentResult, QuestionResult
from flows.content import Bundle, Question
from flows.outcomes import Ask, Closed, Summary

ANSWER_ACTION_PREFIX = "answer:"
BACK_ACTION = "assessment_back"
SKIP_ACTION = "assessment_skip"
RETAKE_ACTION = "assessment_retake"
CARDS_ACTION = "stage_cards"
START_ACTION = "assessment_start"
RATING_MARKS = {"ready": ":large_green_circle:", "partly": ":large_yellow_circle:", "not_yet": ":red_circle:"}
SKIPPED_MARK = ":white_circle:"


def answer_block_id(assessment_id: int, question_id: str) -> str:
    return f"answer:{assessment_id}:{question_id}"


def parse_block_id(block_id: str) -> tuple[int, str] | None:
    """``answer:<assessment>:<question>`` (or ``nav:…``) back into its parts; None if malformed."""
    parts = block_id.split(":")
    if len(parts) != 3 or not (len(parts[1]) <= 18 and parts[1].isascii() and parts[1].isdigit()):  # not "²"
        return None
    return int(parts[1]), parts[2]


def intro(bundle: Bundle) -> Rendered:
    content = bundle.assessment.intro
    return Rendered(text=content.title, blocks=(HeaderBlock(text=content.title), section(content.body)))


def _question_text(bundle: Bundle, question: Question, number: int, total: int) -> str:
    header = bundle.messages.text("question_header", number=number, total=total, title=question.title)
    return f"*{header}*\n{question.prompt}"


def question(bundle: Bundle, ask: Ask) -> Rendered:
    content = bundle.assessment.question(ask.question_id)
    text = _question_text(bundle, content, ask.number, ask.total)
    answers = ActionsBlock(
        block_id=answer_block_id(ask.assessment_id, ask.question_id),
        elements=[
            ButtonElement(
                text=answer.label,
                action_id=f"{ANSWER_ACTION_PREFIX}{answer.rating}",
                value=f"{ask.question_id}:{answer.rating}",
            )
            for answer in content.answers
        ],
    )
    navigation = [ButtonElement(text=bundle.messages.text("button_skip"), action_id=SKIP_ACTION, value=ask.question_id)]
    if ask.number > 1:
        navigation.insert(
            0, ButtonElement(text=bundle.messages.text("button_back"), action_id=BACK_ACTION, value=ask.question_id)
        )
    blocks: list[Block] = [
        section(text),
        ContextBlock(elements=[MarkdownTextObject(text="\n".join(f"• {line}" for line in content.guidance))]),
        answers,
        ActionsBlock(block_id=f"nav:{ask.assessment_id}:{ask.question_id}", elements=navigation),
    ]
    return Rendered(text=text, blocks=blocks)


def closed_question(bundle: Bundle, closed: Closed) -> Rendered:
    content = bundle.assessment.question(closed.question_id)
    text = _question_text(bundle, content, closed.number, closed.total)
    if closed.how == "answered" and closed.rating is not None:
        footnote = bundle.messages.text("answered_with", answer=escape(content.answer(closed.rating).label))
        footnote = f"{RATING_MARKS[closed.rating]} {footnote}"
    elif closed.how == "skipped":
        footnote = f"{SKIPPED_MARK} {bundle.messages.text('answered_skipped')}"
    else:
        footnote = bundle.messages.text("answered_left")
    return Rendered(text=text, blocks=(section(text), ContextBlock(elements=[MarkdownTextObject(text=footnote)])))


def rating_label(bundle: Bundle, result: QuestionResult) -> str:
    return bundle.messages.text(f"rating_{result.rating or 'skipped'}")


def _mark(result: QuestionResult) -> str:
    return RATING_MARKS[result.rating] if result.rating else SKIPPED_MARK


def plan_item_text(bundle: Bundle, result: QuestionResult) -> str:
    content = bundle.assessment.question(result.question_id)
    if result.rating is None:
        advice = bundle.messages.text("skipped_advice")
        next_step = bundle.messages.text("skipped_next_step")
    else:
        tip = content.advice[result.rating]  # type: ignore[index]
        advice, next_step = tip.advice, tip.next_step
    return bundle.messages.text("plan_item", title=content.title, advice=advice, next_step=next_step)


def weakest_link_text(bundle: Bundle, result: AssessmentResult) -> str:
    if result.weakest is None:
        return bundle.messages.text("no_weak_link")
    weakest = result.weakest
    content = bundle.assessment.question(weakest.question_id)
    if weakest.rating is None:
        advice = bundle.messages.text("skipped_advice")
    else:
        advice = content.advice[weakest.rating].advice  # type: ignore[index]
    return bundle.messages.text("weakest_link", title=content.title, advice=advice)


def scorecard_lines(bundle: Bundle, result: AssessmentResult) -> list[str]:
    return [
        f"{_mark(r)} {bundle.assessment.question(r.question_id).title}: {rating_label(bundle, r)}"
        for r in result.results
    ]


def summary(bundle: Bundle, outcome: Summary) -> Rendered:
    result = outcome.result
    verdict = bundle.assessment.verdicts[result.verdict]
    title = bundle.messages.text("summary_title", verdict=verdict.title)
    blocks: list[Block] = []
    if outcome.recalled:
        blocks.append(section(bundle.messages.text("last_result", date=format_date(bundle, outcome.completed_at))))
    blocks += [
        HeaderBlock(text=title[:150]),
        section(
            f"{verdict.summary}\n_{bundle.messages.text('score_line', score=result.score, max_score=result.max_score)}_"
        ),
        section(f"*{bundle.messages.text('scorecard_title')}*\n" + "\n".join(scorecard_lines(bundle, result))),
        section(weakest_link_text(bundle, result)),
    ]
    if result.plan:
        blocks.append(DividerBlock())
        blocks.append(section(f"*{bundle.messages.text('plan_title')}*"))
        blocks += [section(plan_item_text(bundle, item)) for item in result.plan]
    blocks.append(
        ActionsBlock(
            block_id=f"summary:{outcome.assessment_id}",
            elements=[
                ButtonElement(
                    text=bundle.messages.text("button_find_stage"),
                    action_id=CARDS_ACTION,
                    value="cards",
                    style="primary",
                ),
                ButtonElement(
                    text=bundle.messages.text("button_retake"),
                    action_id=RETAKE_ACTION,
                    value=str(outcome.assessment_id),
                ),
            ],
        )
    )
    return Rendered(text=title, blocks=blocks)


def start_prompt(bundle: Bundle, key: str) -> Rendered:
    """A notice with a button to start, for members who have no assessment yet."""
    text = notice_text(bundle, key)
    return Rendered(
        text=text,
        blocks=(
            section(text),
            ActionsBlock(
                elements=[
                    ButtonElement(text=bundle.messages.text("button_start"), action_id=START_ACTION, value="start")
                ]
            ),
        ),
    )
