"""``coach chat``'s ``plan`` command: the plan as a conversation, one part at a time; then the
Markdown, printed or written to ``--out``.

Choices are read in words or numbers (``flows.options``: "instagram and google maps", "2 hours a
week maybe"); Enter keeps an answer, ``-`` clears it, a list of lines ends with an empty line.
At any question ``back`` returns to the previous one, ``skip`` leaves the part for later, ``help``
says all this, and ``cancel``, ``quit`` or Ctrl-D stop, keeping every part already saved. ``plan``
resumes at the first part not written yet. A question back ("what do you mean?", "esimerkki?") gets
the part's intro and an example, and any other command or journey word ("stage", "pause", "forget")
stops the form and goes to the conversation: none of them is ever saved as the member's plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from bot.usecases.plan import Plans
from bot.usecases.prompts import OpenPrompts
from bot.views.plan import offer_key, plan_notice_text
from flows.away import read_pause_request
from flows.content import Bundle, load_bundle
from flows.options import read_field
from flows.plan import LISTED_KINDS, OTHER_OPTION, PlanField, PlanSection
from flows.plan_document import FieldValue, done_sections, message_mention, render_plan_markdown
from flows.plan_outcomes import PlanOffer
from flows.prompts import OpenPrompt
from flows.reading import tokens
from flows.short_replies import resume_word
from flows.understanding import journey_word, wholly_question_back
from flows.values import MemberKey

Read = Callable[[str], str]
Write = Callable[[str], None]
CLEAR = "-"


class Step(Enum):
    """What the member asked for instead of an answer."""

    BACK = "back"
    SKIP = "skip"
    STOP = "stop"


STEPS = {"back": Step.BACK, "skip": Step.SKIP, "cancel": Step.STOP, "quit": Step.STOP}


@dataclass(frozen=True)
class Leave:
    """A line meant for the conversation, not the form (a command or a journey word): the form stops
    and hands it on."""

    line: str


def offer_text(bundle: Bundle, outcome: PlanOffer) -> str:
    plan = bundle.plan
    progress = plan.text("offer_progress", done=len(outcome.done), total=len(plan.sections))
    return f"\n{plan.text(offer_key(bundle, outcome))}\n{progress} {plan.text('chat_hint')}".replace("*", "")


def is_plan_command(bundle: Bundle, line: str) -> bool:
    """The member's word for the plan, or the English one (commands are read in both)."""
    words = {*bundle.plan.plan_words, *load_bundle().plan.plan_words}
    return line.strip().lower() in {w.lower() for w in words}


def _shown(section: PlanSection, item: PlanField, value: FieldValue | None) -> str:
    if not value:
        return ""
    labels = {o.id: o.label for o in section.options_of(item)}
    chosen = (value,) if isinstance(value, str) else value
    return ", ".join(labels.get(v, v) for v in chosen)


def _typed(item: PlanField, prompt: str, read: Read) -> str:
    """One line; for a long text, lines until an empty one (the first line empty keeps the answer)."""
    first = read(prompt).strip()
    if item.kind != "long_text" or not first or first == CLEAR:
        return first
    lines = [first]
    while line := read("  ").strip():
        lines.append(line)
    return "\n".join(lines)


def _value(item: PlanField, choice: str) -> FieldValue:
    if item.kind in LISTED_KINDS:
        return tuple(choice.split("+"))
    return choice


def _introduce(bundle: Bundle, section: PlanSection, item: PlanField, write: Write) -> None:
    plan = bundle.plan
    options = section.options_of(item)
    if options:
        write("\n".join(f"  {n}) {o.label}" for n, o in enumerate(options, start=1)))
        write(plan.text("chat_choose_many" if item.kind in LISTED_KINDS else "chat_choose_one"))
    elif item.kind == "person":
        write(plan.text("chat_person"))
    elif item.kind == "long_text":
        write(plan.text("chat_lines"))


def _not_an_answer(
    bundle: Bundle, section: PlanSection, item: PlanField, typed: str, write: Write, today: date
) -> Leave | bool:
    """A line that is no answer to the field: ``plan`` (already here: asked again), a question back
    (explained, then asked again), or a journey word for the conversation (Leave); False otherwise."""
    if is_plan_command(bundle, typed):
        return True
    if wholly_question_back(tokens(typed), bundle.locale) is not None:
        write(section.intro + (f"\n{item.placeholder}" if item.placeholder else ""))
        _introduce(bundle, section, item, write)
        return True
    for_conversation = journey_word(typed, bundle.locale) is not None or resume_word(typed, bundle.locale)
    pausing = read_pause_request(typed, bundle.away, bundle.locale, today) is not None
    return Leave(typed) if for_conversation or pausing else False


def _ask_field(
    plans: Plans, section: PlanSection, item: PlanField, current: FieldValue | None, read: Read, write: Write
) -> FieldValue | None | Step | Leave:
    bundle = plans.bundle
    plan = bundle.plan
    _introduce(bundle, section, item, write)
    while True:
        shown = _shown(section, item, current)
        typed = _typed(item, f"{item.label}{f' [{shown}]' if shown else ''} ", read)
        if not typed:
            if current or item.optional or item.enough_with:  # the part's check says whether it is enough
                return current
            write(plan.text("chat_needed"))
            continue
        if typed == CLEAR:
            return None
        other = _not_an_answer(bundle, section, item, typed, write, plans.clock().date())
        if other is not False:
            if isinstance(other, Leave):
                return other
            continue
        understood = read_field(typed, bundle.locale, section.id, item)
        if understood.command in STEPS:
            return STEPS[understood.command]
        if understood.command == "help":
            write(plan.text("chat_field_help"))
        elif understood.command is not None:  # "forget", "status", "start"…: for the conversation
            return Leave(typed)
        elif understood.choice is not None:
            return _value(item, understood.choice)
        elif understood.guess is not None:
            labels = {o.id: o.label for o in section.options_of(item)}
            write(plan.text("chat_did_you_mean", option=labels.get(understood.guess, understood.guess)))
        else:
            write(plan.text("chat_invalid"))


def _write_section(
    plans: Plans, member: MemberKey, section: PlanSection, read: Read, write: Write, start_at: str | None = None
) -> Step | Leave | None:
    """Ask the part's questions (from ``start_at``, the question left open last time) and save it; a
    Step when the member skipped or stopped instead, a Leave when they typed something for the
    conversation (the form is then no longer open). Each question asked is the member's open prompt."""
    bundle = plans.bundle
    prompts = OpenPrompts(plans.store, plans.clock)
    write(f"\n{bundle.plan.text('chat_section', title=section.title)}\n{section.intro}")
    saved: Mapping[str, FieldValue] = plans.plans.answers(member).get(section.id, {})
    values: dict[str, FieldValue | None] = dict(saved)
    asking = list(section.fields)  # every question, then only those whose answer could not be saved
    # The question left open last time, when the part's earlier answers were saved (else from its start).
    position = next((n for n, item in enumerate(asking) if item.id == start_at), 0) if saved else 0
    while position < len(asking):
        item = asking[position]
        if not _asked(item, values):
            position += 1
            continue
        prompts.open(member, OpenPrompt("plan", f"{section.id}/{item.id}"))
        answer = _ask_field(plans, section, item, values.get(item.id), read, write)
        if answer is Step.BACK:  # to the previous question asked (not one skipped as not applying)
            position = max(0, position - 1)
            while position > 0 and not _asked(asking[position], values):
                position -= 1
            continue
        if isinstance(answer, Leave):
            prompts.close(member)
            return answer
        if isinstance(answer, Step):
            return answer
        values[item.id] = answer
        position += 1
        if position < len(asking):  # kept as it goes: a chat stopped here goes on from the next question
            plans.keep_draft(member, section.id, values)
        if position == len(asking):
            asking, position = _save(plans, member, section, values, write), 0
    return None


def _asked(item: PlanField, values: Mapping[str, FieldValue | None]) -> bool:
    """A field naming "Another network" is asked only when that option was chosen."""
    if item.spells_out is None:
        return True
    chosen = values.get(item.spells_out) or ()
    return OTHER_OPTION in ((chosen,) if isinstance(chosen, str) else chosen)


def _save(
    plans: Plans, member: MemberKey, section: PlanSection, values: dict[str, FieldValue | None], write: Write
) -> list[PlanField]:
    """Save the part; returns the questions to ask again (none once it is saved, or left empty)."""
    if not any(values.values()):
        return []  # left empty: this part stays unwritten for now
    result = plans.save(member, section.id, values, people_are_ids=False)
    if isinstance(result, list):
        write(plans.bundle.plan.text("saved", title=section.title).replace("*", ""))
        return []
    for field_id, (key, params) in result.errors.items():
        write(f"{section.field(field_id).label} {plans.bundle.plan.text(key, **params)}")
    return [f for f in section.fields if f.id in result.errors]


def _to_write(plans: Plans, member: MemberKey) -> tuple[list[str], dict[str, str], bool]:
    """The parts to write, weakest first (every part when all are written), the one whose question was
    left open last time first of all; that question, by part; and whether all were written."""
    plan = plans.bundle.plan
    order = plans.order(member)
    done = done_sections(plan, plans.plans.answers(member))
    todo = [section_id for section_id in order if section_id not in done]
    all_written = not todo
    if all_written:
        todo = list(order)
    prompt = OpenPrompts(plans.store, plans.clock).current(member)
    left_open = prompt.ref if prompt is not None and prompt.kind == "plan" else ""
    section_id, _, field_id = left_open.partition("/")
    if section_id not in todo:
        return todo, {}, all_written
    return [section_id, *(s for s in todo if s != section_id)], {section_id: field_id}, all_written


def run_plan(plans: Plans, member: MemberKey, read: Read, write: Write, out: Path | None = None) -> str | None:
    """The parts not written yet, weakest first (every part when all are written); then the plan as
    Markdown, printed or written to ``out``, unless the form stopped for a line typed for the
    conversation: that line is returned instead."""
    plan = plans.bundle.plan
    for notice in plans.after_not_for_now(member):  # the verdict offered no plan: it is here all the same
        write(plan_notice_text(plans.bundle, notice).replace("*", ""))
    write(plan.text("chat_intro"))
    todo, left_at, all_written = _to_write(plans, member)
    if all_written:
        write(plan.text("chat_all_written"))
    handed_on: str | None = None
    try:
        for section_id in todo:
            start_at = left_at.pop(section_id, None)
            ended = _write_section(plans, member, plan.section(section_id), read, write, start_at)
            if ended is Step.STOP or isinstance(ended, Leave):
                write(plan.text("chat_stopped"))
                handed_on = ended.line if isinstance(ended, Leave) else None
                break
        else:
            OpenPrompts(plans.store, plans.clock).close(member)  # every part asked: nothing left open
    except (EOFError, KeyboardInterrupt):
        write("\n" + plan.text("chat_stopped"))  # the input ended: what is saved stays saved
    markdown = render_plan_markdown(plan, plans.plans.answers(member), message_mention)
    if handed_on is not None:  # straight on to what the member asked for instead
        return handed_on
    if out is None:
        write("\n" + markdown)
    else:
        out.write_text(markdown, encoding="utf-8")
        write(plan.text("chat_written", path=out))
    return handed_on
