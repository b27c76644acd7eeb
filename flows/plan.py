"""The social media plan's content: one section per readiness question, each a few short fields.

Validated by pydantic when the bundle loads (``content/<locale>/plan.toml``). This module imports
nothing from ``flows.content`` (which loads it), so the section ids are checked there, in ``Bundle``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FieldKind = Literal["text", "long_text", "person", "choice", "choices", "rules"]
TEXT_KINDS: tuple[FieldKind, ...] = ("text", "long_text")
LISTED_KINDS: tuple[FieldKind, ...] = ("choices", "rules")  # answers with several values
OTHER_OPTION = "other"  # an option that stands for "something else", spelled out in a text field
TEXT_LIMIT = 300
LONG_TEXT_LIMIT = 1500
ID_PATTERN = r"^[a-z0-9_]+$"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanOption(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1, max_length=75)
    sentence: str | None = Field(default=None, min_length=1)  # rules only: the policy sentence
    words: tuple[str, ...] = ()  # other names members type for it ("insta", "fb")


class PlanField(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    kind: FieldKind
    label: str = Field(min_length=1, max_length=150)
    line: str = Field(min_length=1)
    placeholder: str | None = Field(default=None, max_length=150)
    optional: bool = False
    options: tuple[PlanOption, ...] = Field(default=(), max_length=10)
    options_from: str | None = None
    max_selected: int | None = Field(default=None, ge=1)
    spells_out: str | None = None  # a text field naming the "other" option of this choices field
    enough_with: str | None = None  # another field whose answer is enough when this one is left empty

    @model_validator(mode="after")
    def _consistent(self) -> PlanField:
        if placeholders(self.line) != {"value"}:
            raise ValueError(f"field {self.id!r}: line must use exactly {{value}}")
        needs_options = self.kind in ("choice", "choices", "rules")
        if needs_options and not (self.options or self.options_from):
            raise ValueError(f"field {self.id!r}: a {self.kind} field needs options")
        if not needs_options and (self.options or self.options_from):
            raise ValueError(f"field {self.id!r}: a {self.kind} field takes no options")
        if self.kind == "rules" and any(o.sentence is None for o in self.options):
            raise ValueError(f"field {self.id!r}: every rule needs its sentence")
        return self

    @property
    def limit(self) -> int:
        return LONG_TEXT_LIMIT if self.kind == "long_text" else TEXT_LIMIT


class PlanSection(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=60)
    short: str = Field(min_length=1, max_length=24)  # a modal's title and a button's label
    intro: str = Field(min_length=1)
    fields: tuple[PlanField, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> PlanSection:
        ids = [f.id for f in self.fields]
        if len(set(ids)) != len(ids):
            raise ValueError(f"section {self.id!r}: field ids must be unique")
        for item in self.fields:
            for source_id in (item.options_from, item.spells_out):
                if source_id is None:
                    continue
                source = next((f for f in self.fields if f.id == source_id), None)
                if source is None or not source.options:
                    raise ValueError(f"section {self.id!r}: {item.id!r} refers to an unknown choices field")
        return self

    def field(self, field_id: str) -> PlanField:
        return next(f for f in self.fields if f.id == field_id)

    def options_of(self, item: PlanField) -> tuple[PlanOption, ...]:
        return self.field(item.options_from).options if item.options_from else item.options


class PlanContent(_Frozen):
    plan_words: tuple[str, ...] = Field(min_length=1)  # what a member types in `coach chat` to write the plan
    messages: Mapping[str, str]
    sections: tuple[PlanSection, ...]

    def section(self, section_id: str) -> PlanSection:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def text(self, key: str, **params: object) -> str:
        return self.messages[key].format(**params)


def plan_problems(reference: PlanContent, other: PlanContent, locale: str) -> list[str]:
    """Where a locale's plan differs in shape from the reference: keys, placeholders, ids, kinds."""
    where = f"content/{locale}/plan.toml"
    problems = [f"{where}: missing key {k!r}" for k in sorted(set(reference.messages) - set(other.messages))]
    problems += [f"{where}: unknown key {k!r}" for k in sorted(set(other.messages) - set(reference.messages))]
    for key, template in reference.messages.items():
        if key in other.messages and placeholders(other.messages[key]) != placeholders(template):
            problems.append(f"{where}: {key!r} uses other placeholders than English")

    def shape(plan: PlanContent) -> list[object]:
        return [
            (
                s.id,
                [
                    (f.id, f.kind, f.optional, f.options_from, f.spells_out, f.max_selected, [o.id for o in f.options])
                    for f in s.fields
                ],
            )
            for s in plan.sections
        ]

    if shape(other) != shape(reference):
        problems.append(f"{where}: sections, fields and options must match English (ids, kinds, order)")
    return problems
