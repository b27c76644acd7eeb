"""Reading a typed reply against a list of options: a quiz question's answers, a plan field's choices.

An option is named by its label, by the words content gives it (``words`` in ``stages.toml`` and
``plan.toml``) and by the label's telling words (those no other option shares, common words left
out); a number in a listed range ("about 8 hours" for "6–10 hours a week") names it too, and so
does its position in the list when the whole reply is that number. The option named most clearly
wins; a tie, a slip of the keyboard, or a negative word the names do not account for asks back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from flows.content import QuizQuestion, load_bundle
from flows.matching import Hit, Matcher, build_matcher, canonical, find
from flows.plan import LISTED_KINDS, PlanField, PlanOption
from flows.reading import READ_CHARS, languages_read, lexicon_for, read_words, tokens
from flows.short_replies import not_knowing
from flows.understanding import (
    Understanding,
    by_place,
    command_of,
    excluding,
    negated,
    negators,
    places,
    question_back,
    refusals,
    refused,
    stage_named,
    stopwords,
    words_read,
)
from flows.understanding import warm_up as warm_up_words
from flows.values import whole_number

_RANGE = re.compile(r"(\d+)\s*[–\-]\s*(\d+)")
_NUMBER = re.compile(r"\d+")


def _alternatives(locale: str, field: str) -> str:
    """A regular expression's alternatives: the phrases of a ``reading.toml`` list in the member's language
    and English, longest first ("more than" before "more"); a ``*`` ending a phrase stands for any ending."""
    phrases = sorted({p for _, words in words_read(locale) for p in getattr(words, field)}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\*", r"\w*") for p in phrases)


@cache
def _numbered(locale: str) -> re.Pattern[str]:
    """"number 4", "nro 4", "#4": the word before a number that is the whole reply."""
    return re.compile(rf"^(?:{_alternatives(locale, 'number_words')})\s*")


@cache
def _plus(locale: str) -> re.Pattern[str]:
    """"more than 10", "yli 10", "oltre 10": a number and everything above it."""
    return re.compile(rf"\b(?:{_alternatives(locale, 'more_than')})\s+(\d+)")


@cache
def _number_separators(locale: str) -> re.Pattern[str]:
    """What joins the numbers of several options picked by place ("1, 3", "1 and 4"): never an "or"."""
    return re.compile(rf"\s*(?:[,;+&/]|\b(?:{_alternatives(locale, 'and_words')})\b)\s*")


@dataclass(frozen=True)
class Option:
    key: str
    names: tuple[tuple[str, str], ...]  # (phrase, its language): its labels and other words for it
    labels: tuple[tuple[str, str], ...]  # its labels, whose telling words name it too
    low: float | None = None  # the range of numbers the option stands for, if its label has one
    high: float | None = None


def _telling_words(options: Sequence[Option], locale: str) -> list[tuple[str, str, str]]:
    """Single label words that name only one option (common words left out)."""
    owned: dict[str, set[str]] = {}  # by stem: "day" and "days" are one word
    spelled: dict[str, tuple[str, str]] = {}
    for option in options:
        for phrase, language in option.labels:
            for word in tokens(phrase):
                if word not in stopwords(locale) and not word.isdigit() and len(word) > 2:
                    owned.setdefault(canonical(word, language), set()).add(option.key)
                    spelled[canonical(word, language)] = (word, language)
    return [(next(iter(keys)), *spelled[root]) for root, keys in owned.items() if len(keys) == 1]


@cache
def option_matcher(options: tuple[Option, ...], locale: str) -> Matcher:
    named = [(o.key, phrase, language) for o in options for phrase, language in o.names]
    return build_matcher([*named, *_telling_words(options, locale)], languages_read(locale))


def _by_number(text: str, locale: str, options: Sequence[Option]) -> list[str] | None:
    """Options named by their place in the list: "2", "1, 3", "1 and 4"."""
    parts = [p for p in _number_separators(locale).split(text.strip().lower()) if p]
    numbers = [whole_number(p) for p in parts]
    if not parts or any(n is None or not 1 <= n <= len(options) for n in numbers):
        return None
    return list(dict.fromkeys(options[n - 1].key for n in numbers if n is not None))


@cache
def _other_units(locale: str) -> re.Pattern[str]:
    """An amount in other units than the options' hours a week ("30 min a day", "2 tuntia päivässä"):
    no range is read from it."""
    return re.compile(rf"\b(?:{_alternatives(locale, 'other_units')})\b")


def _by_range(text: str, locale: str, options: Sequence[Option]) -> str | None:
    if _other_units(locale).search(text.lower()):
        return None
    plus = _plus(locale).search(text.lower())
    found = _NUMBER.search(text)
    if found is None:
        return None
    value = float(plus.group(1)) + 0.5 if plus else float(found.group())
    inside = [o.key for o in options if o.low is not None and o.high is not None and o.low <= value <= o.high]
    return inside[0] if len(inside) == 1 else None


def _ranked(hits: list[Hit]) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for hit in hits:
        scores[hit.key] = scores.get(hit.key, 0.0) + hit.size * (0.5 if hit.fuzzy else 1.0)
    return sorted(scores.items(), key=lambda item: -item[1])


def read_options(text: str, locale: str, options: tuple[Option, ...], several: bool = False) -> Understanding:
    """One option (or, with ``several``, every option named), joined by "+" in the order typed."""
    text = text[:READ_CHARS]  # as ``tokens`` does: the cost never grows with the reply
    numbered = _by_number(text, locale, options)
    if numbered is not None:
        return Understanding(choice="+".join(numbered)) if several or len(numbered) == 1 else Understanding()
    if (place := by_place(text, locale, len(options))) is not None:
        return Understanding(choice=options[place - 1].key)
    words = tokens(text)
    hits = find(words, option_matcher(options, locale))
    ranked = _ranked(hits)
    denied = negated(words, hits, locale)
    unsure = denied or "?" in words or any(h.fuzzy for h in hits)
    if not ranked:
        ranged = _by_range(text, locale, options)
        if ranged is not None:
            return Understanding(choice=ranged, guess=ranged)
        question = question_back(words, locale)
        return Understanding(question=question) if question else Understanding()
    if several:  # a list: "instagram but no facebook", "everything except linkedin" name what is left out
        keys = list(dict.fromkeys(h.key for h in hits))
        unsure = unsure or negated(words, hits, locale, refusing=True) or excluding(words, locale)
        unsure = unsure or _unplaced(text, option_matcher(options, locale), locale)
        return Understanding(guess=keys[0]) if unsure else Understanding(choice="+".join(keys))
    (best, top), rest = ranked[0], ranked[1:]
    if (denied or refused(words, hits, locale)) and not _says_no(next(o for o in options if o.key == best), locale):
        return Understanding()  # "not every week", "no tools", "ei joka viikko": the option it denies is not offered
    if unsure or (rest and rest[0][1] >= top):
        return Understanding(guess=best)
    return Understanding(choice=best)


@cache
def _list_items(locale: str) -> re.Pattern[str]:
    """What separates the items of a list typed in one line: wider than ``_number_separators``, since an
    "or" splits items here but must never pick two numbered options there."""
    return re.compile(rf"[,;/&+]|\b(?:{_alternatives(locale, 'and_words')}|{_alternatives(locale, 'or_words')})\b")


def _unplaced(text: str, matcher: Matcher, locale: str) -> bool:
    """A list with an item no option holds ("followers and DMs"): asked back, never silently dropped."""
    common = stopwords(locale)
    for item in _list_items(locale).split(text.lower()):
        words = tokens(item)
        if any(w not in common and len(w) > 1 and not w.isdigit() for w in words) and not find(words, matcher):
            return True
    return False


def _says_no(option: Option, locale: str) -> bool:
    """An option whose label begins with a no ("Emme lainkaan…", "No, andiamo a sensazione", "Non
    proprio"): a no before its words agrees with it rather than turning it round. ("Every week, without
    fail" is no such option.)"""
    nos = negators(locale) | refusals(locale)
    return any(tokens(label)[:1] and tokens(label)[0] in nos for label, _ in option.labels)


# Quiz questions


def _label_rating(label: str, locale: str) -> str | None:
    reading = read_words(tokens(label), lexicon_for(locale))
    return reading.rating or reading.guess


@cache
def quiz_options(question_id: str, locale: str) -> tuple[Option, ...]:
    """A quiz question's answers as options, keyed by their number ("1", "2", …), in every language read."""
    options = []
    for index in range(len(load_bundle(locale).stages.quiz_question(question_id).answers)):
        names, labels = [], []
        for language, _ in words_read(locale):
            answer = load_bundle(language).stages.quiz_question(question_id).answers[index]
            labels.append((answer.label, language))
            names += [(answer.label, language), *((w, language) for w in answer.words)]
        options.append(Option(str(index + 1), tuple(names), tuple(labels)))
    return tuple(options)


def read_quiz(text: str, locale: str, question: QuizQuestion) -> Understanding:
    """A quiz answer by its words, or by its yes or no when exactly one answer says that."""
    options = quiz_options(question.id, locale)
    words = tokens(text)
    if len(words) > 1 and words[0] in lexicon_for(locale).fillers:  # Finnish "no on": "well, yes", not "No, …"
        text = " ".join(words[1:])
    understood = read_options(text, locale, options)
    if not_knowing(text, locale):  # "no idea" is no "No, it feels like wasted effort": asked back
        return Understanding()
    if understood.choice is not None or understood.question is not None:
        return understood
    # "kinda" says nothing of which answer is meant; nor does a no to "How do your posts get out?"
    rating = read_words(tokens(text), lexicon_for(locale)).rating if question.yes_no else None
    if rating not in ("ready", "not_yet"):
        rating = None
    answers = enumerate(question.answers, start=1)
    matching = [str(n) for n, a in answers if rating and _label_rating(a.label, locale) == rating]
    if len(matching) == 1 and understood.guess in (None, matching[0]):
        return Understanding(choice=matching[0])
    command = command_of(tokens(text), locale)
    return Understanding(command=command) if command else understood


# Plan fields


def _range_of(label: str, locale: str) -> tuple[float | None, float | None]:
    found = _RANGE.search(label)
    if found:
        return float(found.group(1)), float(found.group(2))
    plus = _plus(locale).search(label.lower())
    return (float(plus.group(1)) + 0.1, float("inf")) if plus else (None, None)


@cache
def field_options(section_id: str, field_id: str, locale: str) -> tuple[Option, ...]:
    """A plan field's options, named by their labels and words in every language read, and their ids."""
    options = []
    own = load_bundle(locale).plan.section(section_id)
    for index, option in enumerate(own.options_of(own.field(field_id))):
        names: list[tuple[str, str]] = [(option.id.replace("_", " "), "en")]
        labels = []
        for language, _ in words_read(locale):
            section = load_bundle(language).plan.section(section_id)
            other: PlanOption = section.options_of(section.field(field_id))[index]
            labels.append((other.label, language))
            names += [(other.label, language), *((w, language) for w in other.words)]
        options.append(Option(option.id, tuple(names), tuple(labels), *_range_of(option.label, locale)))
    return tuple(options)


def read_field(text: str, locale: str, section_id: str, item: PlanField) -> Understanding:
    """A plan field's value: option ids joined by "+" for a choice, or the words for a text field.

    A command (skip, back, quit, help) or a word for leaving (``cancel``) counts as the whole reply."""
    words = tokens(text)
    command = command_of(words, locale)
    if command is not None:
        return Understanding(command=command)
    cancel = {tokens(p) for _, w in words_read(locale) for p in w.cancel}
    if words in cancel:
        return Understanding(command="cancel")
    if item.kind not in ("choice", *LISTED_KINDS):
        return Understanding(choice=text.strip()) if text.strip() else Understanding()
    return read_options(text, locale, field_options(section_id, item.id, locale), several=item.kind in LISTED_KINDS)


# Stage cards


@cache
def stage_options(locale: str) -> tuple[Option, ...]:
    """The six stages as options, named by their names ("OMG, tools!", "Evangelist") in every language read."""
    options = []
    for number in range(1, 7):
        labels = tuple(
            (load_bundle(language).stages.stage(number).name, language) for language, _ in words_read(locale)
        )
        options.append(Option(str(number), labels, labels))
    return tuple(options)


_ORDINAL_DIGIT = re.compile(r"^([1-6])(?:st|nd|rd|th)?$")
HEDGED_WORDS = 5  # "2nd one i think", "la 2 direi": a stage's number among a few words


def _stage_in_a_few_words(text: str, locale: str) -> int | None:
    """The one stage number (1 to 6, "2nd") in a short reply that denies nothing and holds no other number."""
    words = tokens(text)
    if len(words) > HEDGED_WORDS or negated(words, [], locale, refusing=True):
        return None
    numbers = [m.group(1) for w in words if (m := _ORDINAL_DIGIT.match(w))]
    typed = re.findall(r"\d+", text, re.ASCII)  # as typed: "²" folds to 2 in the words, but is no stage
    if len(numbers) != 1 or typed != numbers:
        return None
    return int(numbers[0])


def read_stage(text: str, locale: str) -> int | None:
    """A stage named by its number, by "stage 4", or by its name; None when not clearly one stage."""
    number = whole_number(_numbered(locale).sub("", text.strip().lower()).rstrip("!.)"))  # "4!", "number 4", "nro 4"
    if number is not None:
        return number if 1 <= number <= 6 else None
    hedged = _stage_in_a_few_words(text, locale)  # "la 2 direi", "2nd one i think"
    if hedged is not None:
        return hedged
    words = tokens(text)
    named = stage_named(words, locale)
    if named is not None:
        return None if negated(words, [], locale, refusing=True) else named  # "definitely not stage 1"
    understood = read_options(text, locale, stage_options(locale))
    return int(understood.choice) if understood.choice is not None else None


def warm_up(locale: str) -> None:
    """Build these readers' tables for ``locale`` now (at start-up), not on a member's first reply
    (the six questions': ``flows.readiness_answers.warm_up``, which calls this)."""
    warm_up_words(locale)
    bundle = load_bundle(locale)
    for quiz in bundle.stages.quiz:
        quiz_options(quiz.id, locale)
        option_matcher(quiz_options(quiz.id, locale), locale)
    for section in bundle.plan.sections:
        for item in section.fields:
            if section.options_of(item):
                option_matcher(field_options(section.id, item.id, locale), locale)
    option_matcher(stage_options(locale), locale)
    places(locale)
