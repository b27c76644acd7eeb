"""The plan's rules: cleaning a section's answers, which sections are done, in what order to offer
them, and the plan document itself as Markdown. Pure: no Slack, no SQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from flows.plan import LISTED_KINDS, OTHER_OPTION, TEXT_KINDS, PlanContent, PlanField, PlanSection

FieldValue = str | tuple[str, ...]
SectionAnswers = Mapping[str, FieldValue]
PlanAnswers = Mapping[str, SectionAnswers]
Mention = Callable[[str], str]

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
RATING_POINTS = {"ready": 2, "partly": 1, "not_yet": 0}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]~|#])")
_LINE_MARKERS = re.compile(r"^(\s*)([-+=])", re.MULTILINE)  # a list item, a rule or a heading underline
_NUMBERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)  # a numbered list item
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•–])\s+")  # "1. ", "2) ", "- ", "• " before a line typed as a list
SENTENCE_ENDS = (".", "!", "?", "…")


def canvas_mention(user_id: str) -> str:
    """A person in a Slack canvas: canvas Markdown writes user mentions as ``![](@U…)``."""
    return f"![](@{user_id})"


def message_mention(user_id: str) -> str:
    """A person in a Markdown file or a message: Slack's ``<@U…>``."""
    return f"<@{user_id}>"


def markdown_text(text: str) -> str:
    """Member text made inert in Markdown: Slack's control characters and Markdown's markers escaped,
    so typed text can never become a mention, a link or formatting. Markdown ends a line at ``\r``
    as well as at ``\n``, so both are made ``\n`` before line starts are escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = _LINE_MARKERS.sub(r"\1\\\2", text)
    return _NUMBERED.sub(r"\1\\.", text)


@dataclass(frozen=True)
class SectionCheck:
    """A section's answers after checking: the clean values, and what is wrong per field."""

    values: dict[str, FieldValue]
    errors: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)


def check_section(
    section: PlanSection, raw: Mapping[str, FieldValue | None], people_are_ids: bool = True
) -> SectionCheck:
    """Clean what a member submitted for one section; every problem is reported, nothing is guessed."""
    values: dict[str, FieldValue] = {}
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    for item in section.fields:
        value = raw.get(item.id)
        if item.kind in LISTED_KINDS:
            chosen = tuple(value) if isinstance(value, tuple | list) else ((value,) if value else ())
            known = {o.id for o in section.options_of(item)}
            if any(c not in known for c in chosen):
                errors[item.id] = ("error_bad_choice", {})
            elif item.max_selected is not None and len(chosen) > item.max_selected:
                errors[item.id] = ("error_too_many", {"max": item.max_selected})
            elif chosen:
                values[item.id] = tuple(dict.fromkeys(chosen))
        else:
            text = value.strip() if isinstance(value, str) else ""
            if item.kind == "choice" and text and text not in {o.id for o in section.options_of(item)}:
                errors[item.id] = ("error_bad_choice", {})
            elif item.kind == "person" and text and people_are_ids and not SLACK_USER_ID.match(text):
                errors[item.id] = ("error_bad_choice", {})
            elif item.kind in (*TEXT_KINDS, "person") and len(text) > item.limit:
                errors[item.id] = ("error_too_long", {"max": item.limit})
            elif text:
                values[item.id] = text
        if item.id not in values and item.id not in errors and not item.optional:
            errors[item.id] = ("error_required", {})
    for item in section.fields:  # a rule list left empty beside rules of one's own is enough
        if item.enough_with and values.get(item.enough_with) and errors.get(item.id) == ("error_required", {}):
            del errors[item.id]
    for item in section.fields:  # "Another network" needs its name, or the plan could not print it
        spelled = values.get(item.spells_out or "")
        if isinstance(spelled, tuple) and OTHER_OPTION in spelled and item.id not in values and item.id not in errors:
            errors[item.id] = ("error_required", {})
    for item in section.fields:  # "the one we start with" is one of the networks chosen, when they are
        chosen_from = values.get(item.options_from or "")
        if isinstance(chosen_from, tuple) and item.id in values and values[item.id] not in chosen_from:
            del values[item.id]
            errors[item.id] = ("error_not_chosen", {})
    return SectionCheck(values, errors)


def section_done(section: PlanSection, answers: SectionAnswers | None) -> bool:
    if not answers:
        return False
    return all(f.optional or answers.get(f.id) or answers.get(f.enough_with or "") for f in section.fields)


def done_sections(plan: PlanContent, answers: PlanAnswers) -> frozenset[str]:
    return frozenset(s.id for s in plan.sections if section_done(s, answers.get(s.id)))


def weakest_first(plan: PlanContent, ratings: Mapping[str, str | None]) -> tuple[str, ...]:
    """Section ids, the weakest readiness answer first (a skipped question counts as weakest);
    ties keep the questions' order."""
    ids = [s.id for s in plan.sections]
    return tuple(sorted(ids, key=lambda i: RATING_POINTS.get(ratings.get(i) or "not_yet", 0)))


def next_missing(order: Iterable[str], done: frozenset[str], after: str | None = None) -> str | None:
    """The first section not yet done in ``order``, skipping ``after`` (the one just written)."""
    return next((s for s in order if s not in done and s != after), None)


def join_words(words: list[str], and_word: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {and_word} {words[-1]}"


def option_labels(section: PlanSection, item: PlanField, answers: SectionAnswers) -> dict[str, str]:
    """The labels of a choice field's options as the plan prints them: "other" is the name the member
    typed for it, and left out when they typed none (its label is no name to print in a sentence)."""
    labels = {o.id: o.label for o in section.options_of(item) if o.id != OTHER_OPTION}
    source = item.options_from or item.id
    for other in section.fields:
        typed = answers.get(other.id)
        if other.spells_out == source and isinstance(typed, str) and typed.strip():
            labels[OTHER_OPTION] = markdown_text(typed.strip())
    return labels


def _value_text(
    plan: PlanContent, section: PlanSection, item: PlanField, answers: SectionAnswers, mention: Mention
) -> str:
    """The answer as it goes in the field's sentence; empty when nothing printable was chosen."""
    value = answers[item.id]
    if item.kind in ("choice", "choices"):
        labels = option_labels(section, item, answers)
        chosen = [value] if isinstance(value, str) else list(value)
        return join_words([labels[c] for c in chosen if c in labels], plan.text("list_and"))
    if item.kind == "person":
        text = str(value)
        return mention(text) if SLACK_USER_ID.match(text) else markdown_text(text)
    return markdown_text(str(value))


def as_sentence(text: str) -> str:
    """A line the member typed, as a sentence: a capital first letter and a full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in SENTENCE_ENDS else f"{text}."


def _tidy_end(sentence: str) -> str:
    """One full stop at the end, even when the typed text ended with its own punctuation."""
    for end in SENTENCE_ENDS:
        if sentence.endswith(f"{end}.") and end != ".":
            return sentence[:-1]
    return sentence[:-1] if sentence.endswith("..") and not sentence.endswith("...") else sentence


def _shown_elsewhere(section: PlanSection, item: PlanField, answers: SectionAnswers) -> bool:
    """A field naming "other" is already part of its choices' sentence when "other" was chosen."""
    chosen = answers.get(item.spells_out) if item.spells_out else None
    return chosen is not None and OTHER_OPTION in (chosen if isinstance(chosen, tuple) else (chosen,))


def _policy(plan: PlanContent, section: PlanSection, answers: SectionAnswers) -> list[str]:
    """The chosen house rules and the member's own, as a numbered draft policy in full sentences."""
    sentences: list[str] = []
    for item in section.fields:
        value = answers.get(item.id)
        if not value:
            continue
        if item.kind == "rules":
            by_id = {o.id: o.sentence or o.label for o in section.options_of(item)}
            sentences += [by_id[c] for c in value if c in by_id]
        elif item.kind == "long_text":  # one rule a line, without the member's own numbers or bullets
            sentences += [markdown_text(as_sentence(line)) for line in _unlisted(str(value).splitlines())]
    return [f"### {plan.text('policy_heading')}", "", *(f"{n}. {s}" for n, s in enumerate(sentences, start=1))]


def _unlisted(lines: list[str]) -> list[str]:
    """The lines typed, without their numbers or bullets when every one has them ("1. Be nice", "- no
    politics"): the policy numbers them itself; a line that merely begins with a number keeps it."""
    typed = [line for line in lines if line.strip()]
    if typed and all(_LIST_MARKER.match(line) for line in typed):
        return [_LIST_MARKER.sub("", line) for line in typed]
    return typed


def _section_body(
    plan: PlanContent, section: PlanSection, answers: SectionAnswers | None, mention: Mention
) -> list[str]:
    if not answers or not any(answers.values()):
        return [f"_{plan.text('section_missing', number=_number(plan, section))}_"]
    if any(f.kind == "rules" for f in section.fields):
        return _policy(plan, section, answers)
    values = {
        item.id: _value_text(plan, section, item, answers, mention)
        for item in section.fields
        if answers.get(item.id) and not _shown_elsewhere(section, item, answers)
    }
    sentences = [_tidy_end(item.line.format(value=values[item.id])) for item in section.fields if values.get(item.id)]
    return [" ".join(sentences)] if sentences else [f"_{plan.text('section_missing', number=_number(plan, section))}_"]


def _number(plan: PlanContent, section: PlanSection) -> int:
    return [s.id for s in plan.sections].index(section.id) + 1


def section_body(plan: PlanContent, section: PlanSection, answers: PlanAnswers, mention: Mention) -> list[str]:
    """The lines under one section's heading."""
    return _section_body(plan, section, answers.get(section.id), mention)


def render_plan_markdown(plan: PlanContent, answers: PlanAnswers, mention: Mention = canvas_mention) -> str:
    """The whole plan as one Markdown page, in the plan's language, every section in order."""
    lines = [f"# {plan.text('document_title')}", "", plan.text("document_intro")]
    for number, section in enumerate(plan.sections, start=1):
        lines += ["", f"## {number}. {section.title}", ""]
        lines += section_body(plan, section, answers, mention)
    return "\n".join(lines) + "\n"
