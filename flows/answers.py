"""Answers read at two prompts of their own: about an action asked in the weekly check-in ("done",
"ei vielä", "lascia perdere 2"), and to the offer to take the assessment again (yes, no, later).

The same reader as the check-in's (``flows.understanding.one_choice`` over a ``Matcher`` of the
phrases in ``reading.toml`` and the buttons' labels), so a typed answer and a click end the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.content import load_bundle
from flows.matching import find
from flows.reading import languages_read, tokens
from flows.understanding import Understanding, checkin_matcher, choices_matcher, one_choice
from flows.values import whole_number


@dataclass(frozen=True)
class ActionReading:
    """An answer about an action ("done", "not yet", "drop"), and the number of the one meant, if named."""

    understood: Understanding
    number: int | None = None


def read_action(text: str, locale: str) -> ActionReading:
    """"done", "ei vielä", "lascia perdere 2": the answer, and which of the listed actions (by number)."""
    words = tokens(text)
    hits = find(words, choices_matcher(locale, "actions"))
    numbers = {n for w in words if (n := whole_number(w)) is not None}
    understood = one_choice(words, hits, locale) if hits else Understanding()
    return ActionReading(understood, numbers.pop() if len(numbers) == 1 else None)


def read_offer(text: str, locale: str) -> Understanding:
    """Yes, no or later to the offer to take the assessment again."""
    words = tokens(text)
    hits = find(words, choices_matcher(locale, "offer"))
    return one_choice(words, hits, locale) if hits else Understanding()


def checkin_named(text: str, locale: str) -> bool:
    """Whether a reply names a check-in answer anywhere ("better", "samassa"), clearly or not."""
    return bool(find(tokens(text), checkin_matcher(locale)))


def read_new_action(text: str, locale: str) -> tuple[int, date | None] | None:
    """``coach chat``'s "action 2" (or "tehtävä 2 2027-01-15"): the number of a next step of the result
    to make an action, and its date when one is given; None for anything else."""
    typed = text.strip().lower()
    for language in languages_read(locale):
        for word in sorted(load_bundle(language).reading.new_action, key=len, reverse=True):
            rest = typed.removeprefix(word.lower()).split() if typed.startswith(word.lower() + " ") else []
            number = whole_number(rest[0]) if rest else None
            due = _date(rest[1]) if len(rest) == 2 else None
            if number is not None and (len(rest) == 1 or (len(rest) == 2 and due is not None)):
                return number, due
    return None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
