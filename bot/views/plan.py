"""The plan in Slack: the offer with a button per section, the section modal with Slack-native inputs,
the re-rating question, the plan's part of App Home, and its short notices."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.views.common import Rendered, escape, modal, section
from flows.content import RATINGS, Bundle
from flows.plan import PlanField, PlanSection
from flows.plan_document import FieldValue, SectionAnswers, SectionCheck
from flows.plan_outcomes import PlanNotice, PlanOffer, PlanRerate, PlanTip

OPEN_ACTION_PREFIX = "plan_open:"  # + section id: opens that section's modal
BUILD_ACTION = "plan_build"  # opens the first section not yet written, weakest first
RERATE_ACTION_PREFIX = "plan_rerate:"  # + rating
SECTION_CALLBACK = "plan_section"


def section_buttons(bundle: Bundle, order: tuple[str, ...], done: frozenset[str]) -> ActionsBlock:
    """ "Build my plan" (the first section not yet written), then a button per section in ``order`` to
    write or edit it; written ones carry a tick."""
    plan = bundle.plan
    first_missing = next((s for s in order if s not in done), None)
    buttons = []
    if first_missing is not None:
        build = plan.text("button_build")
        buttons.append(ButtonElement(text=build, action_id=BUILD_ACTION, value=first_missing, style="primary"))
    for section_id in order:
        short = plan.section(section_id).short
        label = plan.text("button_section_done", title=short) if section_id in done else short
        buttons.append(ButtonElement(text=label, action_id=f"{OPEN_ACTION_PREFIX}{section_id}", value=section_id))
    return ActionsBlock(block_id="plan_sections", elements=buttons)


def offer_key(bundle: Bundle, outcome: PlanOffer) -> str:
    """The offer's opening: an invitation to write (from the weakest part, when the result has an
    answered gap; without one, or before any result, in order), or, once every part is written, to update."""
    if len(outcome.done) == len(bundle.plan.sections):
        return "offer_all_written"
    if outcome.ranked:
        return "offer_text"
    return "offer_no_gap" if outcome.assessed else "offer_unranked"


def offer(bundle: Bundle, outcome: PlanOffer) -> Rendered:
    plan = bundle.plan
    progress = plan.text("offer_progress", done=len(outcome.done), total=len(plan.sections))
    if outcome.saved is None:
        text = f"{plan.text(offer_key(bundle, outcome))}\n{progress}"
    else:
        following = next((s for s in outcome.order if s not in outcome.done), None)
        lines = [plan.text("saved", title=plan.section(outcome.saved).title)]
        lines.append(
            plan.text("next_section", title=plan.section(following).title) if following else plan.text("all_done")
        )
        text = " ".join(lines) + f"\n{progress}"
    return Rendered(text=text, blocks=(section(text), section_buttons(bundle, outcome.order, outcome.done)))


def rerate(bundle: Bundle, outcome: PlanRerate) -> Rendered:
    question = bundle.assessment.question(outcome.question_id)
    text = bundle.plan.text("rerate_question", title=question.title)
    buttons = [
        ButtonElement(
            text=question.answer(rating).label,
            action_id=f"{RERATE_ACTION_PREFIX}{rating}",
            value=f"{outcome.question_id}:{rating}:{outcome.assessment_id or ''}",
        )
        for rating in RATINGS
    ]
    return Rendered(text=text, blocks=(section(text), ActionsBlock(block_id="plan_rerate", elements=buttons)))


def tip(bundle: Bundle, outcome: PlanTip) -> Rendered:
    plan = bundle.plan
    text = plan.text("checkin_tip", title=plan.section(outcome.section_id).title)
    button = ButtonElement(
        text=plan.text("button_write_now"),
        action_id=f"{OPEN_ACTION_PREFIX}{outcome.section_id}",
        value=outcome.section_id,
        style="primary",
    )
    return Rendered(text=text, blocks=(section(text), ActionsBlock(block_id="plan_tip", elements=[button])))


def plan_notice_text(bundle: Bundle, outcome: PlanNotice) -> str:
    params = dict(outcome.params)
    if "question_id" in params:
        params["title"] = bundle.assessment.question(str(params.pop("question_id"))).title
    if "rating" in params:
        params["answer"] = bundle.messages.text(f"rating_{params.pop('rating')}")
    return bundle.plan.text(outcome.key, **params)


def plan_notice(bundle: Bundle, outcome: PlanNotice) -> Rendered:
    text = plan_notice_text(bundle, outcome)
    return Rendered(text=text, blocks=(section(text),))


def _option(label: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=label), value=value)


def _element(plan_section: PlanSection, item: PlanField, value: FieldValue | None) -> InputInteractiveElement:
    options = [_option(o.label, o.id) for o in plan_section.options_of(item)]
    chosen = [o for o in options if value and o.value in ((value,) if isinstance(value, str) else value)]
    placeholder = PlainTextObject(text=item.placeholder) if item.placeholder else None
    if item.kind == "person":
        return UserSelectElement(action_id=item.id, initial_user=value if isinstance(value, str) else None)
    if item.kind == "choice":
        return StaticSelectElement(action_id=item.id, options=options, initial_option=chosen[0] if chosen else None)
    if item.kind == "choices":
        return StaticMultiSelectElement(
            action_id=item.id, options=options, initial_options=chosen or None, max_selected_items=item.max_selected
        )
    if item.kind == "rules":
        return CheckboxesElement(action_id=item.id, options=options, initial_options=chosen or None)
    return PlainTextInputElement(
        action_id=item.id,
        multiline=item.kind == "long_text",
        max_length=item.limit,
        placeholder=placeholder,
        initial_value=value if isinstance(value, str) else None,
    )


def section_modal(bundle: Bundle, section_id: str, answers: SectionAnswers | None) -> View:
    """One section as a modal: an input per field, filled with what the member wrote before."""
    plan = bundle.plan
    plan_section = plan.section(section_id)
    current: Mapping[str, FieldValue] = answers or {}
    blocks: list[Block] = [section(plan_section.intro)]
    blocks += [
        InputBlock(
            block_id=item.id,
            label=item.label,
            optional=item.optional or item.enough_with is not None,  # the check says when it is enough
            element=_element(plan_section, item, current.get(item.id)),
        )
        for item in plan_section.fields
    ]
    return modal(
        callback_id=SECTION_CALLBACK,
        private_metadata=section_id,
        title=plan_section.short,
        submit=plan.text("modal_save"),
        close=plan.text("modal_cancel"),
        blocks=blocks,
    )


def slack_link(url: str, label: str) -> str:
    return f"<{url}|{escape(label)}>"


def home_blocks(bundle: Bundle, order: tuple[str, ...], done: frozenset[str], link: str | None) -> list[Block]:
    """The plan on App Home: every section with a done or missing mark, buttons to write or edit."""
    plan = bundle.plan
    order = order or tuple(s.id for s in plan.sections)
    lines = [f"*{plan.text('home_title')}*", plan.text("home_progress", done=len(done), total=len(plan.sections))]
    for plan_section in plan.sections:
        key = "home_done" if plan_section.id in done else "home_missing"
        lines.append(plan.text(key, title=plan_section.title))
    if link:
        lines.append(plan.text("home_link", link=slack_link(link, plan.text("document_title"))))
    return [section("\n".join(lines)), section_buttons(bundle, order, done)]


def section_errors(bundle: Bundle, check: SectionCheck) -> dict[str, str]:
    """A refused section's errors, field by field, as the modal shows them under each input."""
    return {field: bundle.plan.text(key, **params) for field, (key, params) in check.errors.items()}
