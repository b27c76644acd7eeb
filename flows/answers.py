"""Answers read at two prompts of their own: about an action asked in the weekly check-in ("done",
"ei vielä", "lascia perdere 2"), and to the offer to take the assessment again (yes, no, later).

The same reader as the check-in's (``flows.understanding.one_choice`` over a ``Matcher`` of the
phrases in ``reading.toml`` and the buttons' labels), so a typed answer and a click end the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from flows.away import find_date
from flows.content import load_bundle
from flows.matching import covered, find
from flows.reading import languages_read, tokens
from flows.understanding import Understanding, checkin_matcher, choices_matcher, one_choice, stopwords, words_read
from flows.values import whole_number


@dataclass(frozen=True)
class ActionReading:
    """An answer about an action ("done", "not yet", "drop"), and the number of the one meant, if named."""

    understood: Understanding
    number: int | None = None
    every: bool = False  # "all done", "kaikki valmiita", "tutte fatte": about every action asked
    whole: bool = False  # the answer is the whole message ("done 2"), not a word in a remark ("thanks, all done")


@cache
def _markers(locale: str, kind: Literal["unfinished", "every"]) -> frozenset[str]:
    return frozenset(w for _, words in words_read(locale) for p in getattr(words.markers, kind) for w in tokens(p))


def read_action(text: str, locale: str) -> ActionReading:
    """"done", "ei vielä", "lascia perdere 2": the answer, and which of the listed actions (by number).
    A word of not being finished outside the answer ("almost done", "valmis ei ole") leaves it unclear."""
    words = tokens(text)
    hits = find(words, choices_matcher(locale, "actions"))
    inside = covered(hits)
    unfinished = any(w in _markers(locale, "unfinished") and i not in inside for i, w in enumerate(words))
    numbers = {n for w in words if (n := whole_number(w)) is not None}
    understood = one_choice(words, hits, locale, unfinished) if hits else Understanding()
    every = any(w in _markers(locale, "every") for w in words)
    rest = [w for i, w in enumerate(words) if i not in inside and not _filler(w, locale)]
    number = numbers.pop() if len(numbers) == 1 else None
    return ActionReading(understood, number, every, whole=bool(hits) and not rest)


def _filler(word: str, locale: str) -> bool:
    """A word that adds nothing to an answer about actions: a number, a small word, "all"."""
    return whole_number(word) is not None or word in stopwords(locale) or word in _markers(locale, "every")


def read_offer(text: str, locale: str) -> Understanding:
    """Yes, no or later to the offer to take the assessment again."""
    words = tokens(text)
    hits = find(words, choices_matcher(locale, "offer"))
    return one_choice(words, hits, locale) if hits else Understanding()


def offer_keys(text: str, locale: str) -> frozenset[str]:
    """Every answer to an offer a reply names: "nah maybe later" names both no and later."""
    return frozenset(hit.key for hit in find(tokens(text), choices_matcher(locale, "offer")))


def offer_only(text: str, locale: str) -> bool:
    """Whether the offer's words are all a reply says ("no thanks", "ei kiitos"): not a word about anything else."""
    words = tokens(text)
    inside = covered(find(words, choices_matcher(locale, "offer")))
    return bool(inside) and all(i in inside for i in range(len(words)))


def checkin_named(text: str, locale: str) -> bool:
    """Whether a reply names a check-in answer anywhere ("better", "samassa"), clearly or not."""
    return bool(find(tokens(text), checkin_matcher(locale)))


@dataclass(frozen=True)
class NewAction:
    """``coach chat``'s "action 2 [date]": next step 2 of the result to make an action, by ``due`` when
    a date is given; ``readable`` False when what follows the number is no date the coach can read."""

    number: int
    due: date | None = None
    readable: bool = True


def read_new_action(text: str, locale: str, today: date) -> NewAction | None:
    """``coach chat``'s "action 2" (or "tehtävä 2 15.1.2027", "azione 2 15 gennaio"): the number of a
    next step of the result to make an action, and its date when one is given; None for anything else.
    Dates are read as a pause's are (``flows.away.find_date``): ISO, day first, or with the month's name."""
    typed = text.strip().lower()
    for language in languages_read(locale):
        for word in sorted(load_bundle(language).reading.new_action, key=len, reverse=True):
            if not typed.startswith(word.lower() + " "):
                continue
            first, _, when = typed.removeprefix(word.lower()).strip().partition(" ")
            number = whole_number(first)
            if number is None:
                continue
            if not when.strip():
                return NewAction(number)
            due, left = find_date(when, locale, today)
            return NewAction(number, due, readable=due is not None and not left.strip(" .,"))
    return None
