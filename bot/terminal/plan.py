"""``coach chat``'s ``plan`` command: the same plan, section by section, with plain prompts; then the
Markdown, printed or written to ``--out``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from bot.usecases.plan import Plans
from bot.views.plan import offer_key
from flows.content import Bundle, load_bundle
from flows.plan import LISTED_KINDS, PlanContent, PlanField, PlanSection
from flows.plan_document import FieldValue, message_mention, render_plan_markdown
from flows.plan_outcomes import PlanOffer
from flows.values import MemberKey, whole_number

Read = Callable[[str], str]
Write = Callable[[str], None]
CLEAR = "-"


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


def _ask_choice(plan: PlanContent, section: PlanSection, item: PlanField, typed: str) -> FieldValue | None:
    """Numbers to option ids; None when a number is not an option."""
    options = section.options_of(item)
    picked: list[str] = []
    for part in typed.replace(" ", "").split(","):
        number = whole_number(part)
        if number is None or not 1 <= number <= len(options):
            return None
        picked.append(options[number - 1].id)
    return tuple(picked) if item.kind in LISTED_KINDS else (picked[0] if len(picked) == 1 else None)


def _ask_field(
    plan: PlanContent, section: PlanSection, item: PlanField, current: FieldValue | None, read: Read, write: Write
) -> FieldValue | None:
    options = section.options_of(item)
    if options:
        write("\n".join(f"  {n}) {o.label}" for n, o in enumerate(options, start=1)))
        write(plan.text("chat_choose_many" if item.kind in LISTED_KINDS else "chat_choose_one"))
    elif item.kind == "person":
        write(plan.text("chat_person"))
    while True:
        shown = _shown(section, item, current)
        typed = read(f"{item.label}{f' [{shown}]' if shown else ''} ").strip()
        if not typed:
            return current
        if typed == CLEAR:
            return None
        if not options:
            return typed
        chosen = _ask_choice(plan, section, item, typed)
        if chosen is not None:
            return chosen
        write(plan.text("chat_invalid"))


def _write_section(plans: Plans, member: MemberKey, section: PlanSection, read: Read, write: Write) -> None:
    plan = plans.bundle.plan
    write(f"\n{plan.text('chat_section', title=section.title)}\n{section.intro}")
    current: Mapping[str, FieldValue] = plans.plans.answers(member).get(section.id, {})
    while True:
        typed = {item.id: _ask_field(plan, section, item, current.get(item.id), read, write) for item in section.fields}
        if not any(typed.values()):
            return  # left empty: this part stays unwritten for now
        result = plans.save(member, section.id, typed, people_are_ids=False)
        if isinstance(result, list):
            write(plan.text("saved", title=section.title).replace("*", ""))
            return
        for field_id, (key, params) in result.errors.items():
            write(f"{section.field(field_id).label} {plan.text(key, **params)}")
        current = {k: v for k, v in typed.items() if v}


def run_plan(plans: Plans, member: MemberKey, read: Read, write: Write, out: Path | None = None) -> None:
    """Every section, weakest first; then the whole plan as Markdown, printed or written to ``out``."""
    plan = plans.bundle.plan
    write(plan.text("chat_intro"))
    try:
        for section_id in plans.order(member):
            _write_section(plans, member, plan.section(section_id), read, write)
    except (EOFError, KeyboardInterrupt):
        write("")  # the input ended: show the plan as far as it is written
    markdown = render_plan_markdown(plan, plans.plans.answers(member), message_mention)
    if out is None:
        write("\n" + markdown)
        return
    out.write_text(markdown, encoding="utf-8")
    write(plan.text("chat_written", path=out))
