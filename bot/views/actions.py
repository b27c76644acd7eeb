"""Block Kit for actions: the button and menu that make one, its form (what, who, by when), the
check-in's questions about the ones due, and App Home's list. Pure builders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.blocks import MarkdownTextObject as Markdown
from slack_sdk.models.views import View

from bot.views.common import Rendered, escape, format_date, modal, section
from flows.actions import ACTION_ANSWERS, MAX_TITLE, ActionAnswered, ActionForm, ActionLine, ActionsAsk, ActionSaved
from flows.content import Bundle
from flows.outcomes import Notice, Outcome
from flows.plan_document import markdown_text

ACTION_NEW = "action_new"  # a button whose value is the action's source (``step:<question id>``)
ACTION_FROM_PLAN = "action_new_plan"  # App Home's menu of written plan parts
ACTION_CALLBACK = "action_form"
ACTION_ANSWER_PREFIX = "action_answer:"
MARKS = {"open": "☐", "done": "✅", "dropped": "✖"}


def due_text(bundle: Bundle, due: str) -> str:
    return format_date(bundle, datetime.combine(date.fromisoformat(due), time(12, 0)))


def new_action_button(bundle: Bundle, source: str) -> ButtonElement:
    return ButtonElement(text=bundle.messages.text("action_button"), action_id=ACTION_NEW, value=source)


def step_with_button(bundle: Bundle, text: str, question_id: str) -> SectionBlock:
    """A verdict's next step, with the button that makes it an action."""
    return SectionBlock(text=Markdown(text=text[:3000]), accessory=new_action_button(bundle, f"step:{question_id}"))


def plan_part_menu(bundle: Bundle, done: frozenset[str]) -> ActionsBlock | None:
    """On App Home: a menu of the written plan parts, each of which can become an action."""
    sections = [s for s in bundle.plan.sections if s.id in done]
    options = [Option(text=PlainTextObject(text=s.title[:75]), value=f"plan:{s.id}") for s in sections]
    if not options:
        return None
    menu = StaticSelectElement(
        action_id=ACTION_FROM_PLAN, placeholder=bundle.messages.text("action_from_plan"), options=options
    )
    return ActionsBlock(block_id="actions_from_plan", elements=[menu])


def action_modal(bundle: Bundle, form: ActionForm) -> View:
    messages = bundle.messages
    return modal(
        callback_id=ACTION_CALLBACK,
        private_metadata=form.source,
        title=messages.text("action_form_title"),
        submit=messages.text("settings_save"),
        close=messages.text("settings_cancel"),
        blocks=[
            InputBlock(
                block_id="title",
                label=messages.text("action_title_label"),
                element=PlainTextInputElement(action_id="title", initial_value=form.title, max_length=MAX_TITLE),
            ),
            InputBlock(
                block_id="owner",
                label=messages.text("action_owner_label"),
                element=UserSelectElement(action_id="owner", initial_user=form.owner_id),
            ),
            InputBlock(
                block_id="due",
                label=messages.text("action_due_label"),
                element=DatePickerElement(action_id="due", initial_date=form.due),
            ),
        ],
    )


ACTION_FIELD_ERRORS = {"action_no_title": "title", "action_date_past": "due", "action_date_far": "due"}


def action_errors(bundle: Bundle, outcomes: Sequence[Outcome]) -> dict[str, str]:
    """A refused action form, as Slack shows errors under a modal's inputs; empty when it was saved."""
    return {
        ACTION_FIELD_ERRORS[o.key]: bundle.messages.text(o.key)
        for o in outcomes
        if isinstance(o, Notice) and o.key in ACTION_FIELD_ERRORS
    }


def in_sentence(title: str) -> str:
    """An action's title inside a sentence that goes on after it ("…, due 14 December"): without the
    full stop that ends it as a next step ("keep a tally." / "…it works when __.\"")."""
    if title.endswith(".."):  # an ellipsis ("Post weekly..."): it stays
        return title
    for ending in ('."', ".\u201d", "."):
        if title.endswith(ending):
            return title[: -len(ending)] + ending[1:]
    return title


def saved(bundle: Bundle, outcome: ActionSaved) -> Rendered:
    title, owner = escape(in_sentence(outcome.title)), f"<@{outcome.owner_id}>"
    whose = "_own" if outcome.own else ""
    key = f"action_saved{whose}_{outcome.unasked}" if outcome.unasked else "action_saved"
    text = bundle.messages.text(key, title=title, owner=owner, date=due_text(bundle, outcome.due))
    return Rendered(text=text, blocks=(section(text),))


def asked(bundle: Bundle, outcome: ActionsAsk) -> Rendered:
    messages = bundle.messages
    title = messages.text("actions_open_title" if outcome.listed else "actions_due_title")
    blocks: list[Block] = [section(f"*{title}*")]
    for text, line in zip(action_lines(bundle, outcome, escape), outcome.actions, strict=True):
        buttons = [
            ButtonElement(
                text=messages.text(f"button_action_{answer}"),
                action_id=f"{ACTION_ANSWER_PREFIX}{answer}",
                value=str(line.id),
            )
            for answer in ACTION_ANSWERS
        ]
        blocks += [section(text), ActionsBlock(block_id=f"action:{line.id}", elements=buttons)]
    return Rendered(text=title, blocks=tuple(blocks))


def action_lines(bundle: Bundle, outcome: ActionsAsk, shown: Callable[[str], str]) -> list[str]:
    """Each action asked about, numbered when there are several (typed answers name it by number)."""
    lines = []
    for number, line in enumerate(outcome.actions, start=1):
        title, due = shown(in_sentence(line.title)), due_text(bundle, line.due)
        text = bundle.messages.text("action_line", title=title, date=due)
        lines.append(f"{number}. {text}" if len(outcome.actions) > 1 else text)
    return lines


def answered(bundle: Bundle, outcome: ActionAnswered) -> Rendered:
    text = bundle.messages.text(f"action_answered_{outcome.answer}", title=escape(in_sentence(outcome.title)))
    return Rendered(text=text, blocks=(section(text),))


def checklist(bundle: Bundle, actions: tuple[ActionLine, ...], mention: Callable[[str], str]) -> tuple[str, ...]:
    """The member's actions as a checklist for their plan canvas."""
    def item(line: ActionLine) -> str:
        owner, due = mention(line.owner_id), due_text(bundle, line.due)
        text = bundle.messages.text("home_action", title=markdown_text(in_sentence(line.title)), owner=owner, date=due)
        return f"- [{'x' if line.status == 'done' else ' '}] {text}"

    return tuple(item(line) for line in actions if line.status != "dropped")


def home_lines(bundle: Bundle, actions: tuple[ActionLine, ...]) -> list[str]:
    if not actions:
        return []
    lines = [f"*{bundle.messages.text('home_actions_title')}*"]
    for line in actions:
        owner, due = f"<@{line.owner_id}>", due_text(bundle, line.due)
        text = bundle.messages.text("home_action", title=escape(in_sentence(line.title)), owner=owner, date=due)
        lines.append(f"{MARKS[line.status]} {text}")
    return lines
