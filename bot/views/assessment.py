"""Messages of the readiness assessment: the intro, each question, and the summary."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
)

from bot.views.actions import step_with_button
from bot.views.common import (
    Rendered,
    escape,
    format_date,
    inert,
    notice_text,
    section,
    sections,
    shortened,
    worth_quoting,
)
from bot.views.lookback import history_lines
from flows.assessment import AssessmentResult, QuestionResult
from flows.content import Bundle, Question
from flows.lookback import Change, changes
from flows.outcomes import Ask, AskBack, AskBackClosed, Closed, Explanation, Summary
from flows.plan_outcomes import PlanDocument
from flows.summary import summary_text
from flows.values import whole_number
from flows.verdicts import gets_weekly_checkins

ANSWER_ACTION_PREFIX = "answer:"
CONFIRM_ACTION_PREFIX = "confirm:"  # "Did you mean …?": block ``confirm:<assessment>:<question>``
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
    assessment_id = whole_number(parts[1]) if len(parts) == 3 else None
    return (assessment_id, parts[2]) if assessment_id is not None else None


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
        if closed.words and worth_quoting(closed.words):
            footnote += "\n" + bundle.messages.text("in_your_words", text=inert(closed.words))
    elif closed.how == "skipped":
        footnote = f"{SKIPPED_MARK} {bundle.messages.text('answered_skipped')}"
    elif closed.how == "restarted":
        footnote = bundle.messages.text("answered_restarted")
    else:
        footnote = bundle.messages.text("answered_left")
    return Rendered(text=text, blocks=(section(text), ContextBlock(elements=[MarkdownTextObject(text=footnote)])))


def ask_back_text(bundle: Bundle, ask: AskBack) -> str:
    """ "Did you mean …?", quoting what the member wrote, escaped so it can never ping or link."""
    if ask.guess is None:
        return bundle.messages.text("did_you_mean_unclear", text=escape(ask.text))
    label = bundle.assessment.question(ask.question_id).answer(ask.guess).label
    return bundle.messages.text("did_you_mean", text=escape(ask.text), answer=escape(label))


def ask_back(bundle: Bundle, ask: AskBack) -> Rendered:
    content = bundle.assessment.question(ask.question_id)
    text = ask_back_text(bundle, ask)
    buttons = ActionsBlock(
        block_id=f"confirm:{ask.assessment_id}:{ask.question_id}",
        elements=[
            ButtonElement(
                text=answer.label,
                action_id=f"{CONFIRM_ACTION_PREFIX}{answer.rating}",
                value=f"{ask.question_id}:{answer.rating}",
                style="primary" if answer.rating == ask.guess else None,
            )
            for answer in content.answers
        ],
    )
    return Rendered(text=text, blocks=(section(text), buttons))


def ask_back_closed(bundle: Bundle, closed: AskBackClosed) -> Rendered:
    label = bundle.assessment.question(closed.question_id).answer(closed.rating).label
    text = bundle.messages.text("ask_back_closed", text=escape(closed.text), answer=escape(label))
    return Rendered(text=text, blocks=(section(f"{RATING_MARKS[closed.rating]} {text}"),))


def rating_label(bundle: Bundle, result: QuestionResult) -> str:
    return bundle.messages.text(f"rating_{result.rating or 'skipped'}")


def compared_ratings(bundle: Bundle, result: AssessmentResult, previous: AssessmentResult | None) -> dict[str, str]:
    """Each question's answer as shown: after an earlier assessment, where it was → where it is now."""
    if previous is None:
        return {r.question_id: rating_label(bundle, r) for r in result.results}
    return {c.question_id: change_text(bundle, c) for c in changes(previous, result)}


def change_text(bundle: Bundle, change: Change) -> str:
    """One question's answer then and now: "Not yet → Partly"."""
    before, after = (bundle.messages.text(f"rating_{r or 'skipped'}") for r in (change.before, change.after))
    return f"{before} → {after}"


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
    """The weakest answered gap with the answer given; its advice is left to the plan, which lists it first."""
    if result.weakest is None:
        return bundle.messages.text("weakest_link_unknown" if result.plan else "no_weak_link")
    content = bundle.assessment.question(result.weakest.question_id)
    answer = content.answer(result.weakest.rating).label  # type: ignore[arg-type]
    return bundle.messages.text("weakest_link", title=content.title, answer=answer)


def plan_title(bundle: Bundle, result: AssessmentResult) -> str:
    return bundle.assessment.verdicts[result.verdict].plan_title or bundle.messages.text("plan_title")


def scorecard_lines(
    bundle: Bundle,
    result: AssessmentResult,
    words: Mapping[str, str] | None = None,
    for_slack: bool = True,
    previous: AssessmentResult | None = None,
) -> list[str]:
    """One line per question (with ``previous``: where it was, then where it is now); under a typed
    answer, the member's own words (escaped for Slack)."""
    lines = []
    shown = compared_ratings(bundle, result, previous)
    for r in result.results:
        lines.append(f"{_mark(r)} {bundle.assessment.question(r.question_id).title}: {shown[r.question_id]}")
        typed = (words or {}).get(r.question_id)
        if typed and worth_quoting(typed) and r.rating is not None:  # plain, not italic: a typed _ or * would break it
            typed = inert(typed) if for_slack else shortened(typed)
            lines.append(f"      {bundle.messages.text('in_your_words', text=typed)}")
    return lines


def compared_title(bundle: Bundle, outcome: Summary) -> list[str]:
    """The scorecard's title; after an earlier assessment, also what it is compared with and the verdicts."""
    title = f"*{bundle.messages.text('scorecard_title')}*"
    if outcome.previous is None or outcome.previous_at is None:
        return [title]
    verdicts = bundle.assessment.verdicts
    then, now = verdicts[outcome.previous.verdict].title, verdicts[outcome.result.verdict].title
    since = bundle.messages.text("compared_with", date=format_date(bundle, outcome.previous_at), before=then, after=now)
    return [title, since]


def summary(bundle: Bundle, outcome: Summary) -> Rendered:
    result, previous = outcome.result, outcome.previous
    verdict = bundle.assessment.verdicts[result.verdict]
    title = bundle.messages.text("summary_title", verdict=verdict.title)
    blocks: list[Block] = []
    if outcome.recalled:
        blocks.append(section(bundle.messages.text("last_result", date=format_date(bundle, outcome.completed_at))))
    blocks += [
        HeaderBlock(text=title[:150]),
        section(
            f"{summary_text(verdict, result)}\n"
            f"_{bundle.messages.text('score_line', score=result.score, max_score=result.max_score)}_"
        ),
        *sections([*compared_title(bundle, outcome), *scorecard_lines(bundle, result, outcome.words, True, previous)]),
        *sections(history_lines(bundle, outcome.history)),
        section(weakest_link_text(bundle, result)),
    ]
    if result.plan:
        blocks.append(DividerBlock())
        blocks.append(section(f"*{plan_title(bundle, result)}*"))
        if gets_weekly_checkins(result.verdict):  # each next step can become an action with an owner and a date
            blocks += [step_with_button(bundle, plan_item_text(bundle, item), item.question_id) for item in result.plan]
        else:
            blocks += [section(plan_item_text(bundle, item)) for item in result.plan]
    retake = ButtonElement(
        text=bundle.messages.text("button_retake"), action_id=RETAKE_ACTION, value=str(outcome.assessment_id)
    )
    if not gets_weekly_checkins(result.verdict):  # Not for now: no journey to place oneself on
        blocks.append(ActionsBlock(block_id=f"summary:{outcome.assessment_id}", elements=[retake]))
        return Rendered(text=title, blocks=blocks)
    find_stage = ButtonElement(
        text=bundle.messages.text("button_find_stage"), action_id=CARDS_ACTION, value="cards", style="primary"
    )
    blocks.append(ActionsBlock(block_id=f"summary:{outcome.assessment_id}", elements=[find_stage, retake]))
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


def explanation_text(bundle: Bundle, outcome: Explanation) -> str:
    """A question back answered from content: the question's explanation, an example, or its reason."""
    question = bundle.assessment.question(outcome.question_id)
    return f"*{question.title}*: {getattr(question, outcome.kind)}"


def explanation(bundle: Bundle, outcome: Explanation) -> Rendered:
    text = explanation_text(bundle, outcome)
    return Rendered(text=text, blocks=(section(text),))


def progress_lines(bundle: Bundle, document: PlanDocument) -> tuple[str, ...]:
    """The plan canvas's look back: since when, then each question before -> after (empty without one)."""
    if not document.progress or document.progress_since is None:
        return ()
    since = bundle.messages.text("canvas_progress_since", date=format_date(bundle, document.progress_since))
    title = bundle.assessment.question
    changed = [f"- {title(c.question_id).title}: {change_text(bundle, c)}" for c in document.progress]
    over_time = history_lines(bundle, document.history, "-")
    heading = [f"\n**{bundle.messages.text('verdicts_over_time')}**"] if over_time else []
    return (since, *changed, *heading, *over_time[1:])
