"""The weekly check-in's day and time read from a reply: "Tuesdays at 8", "perjantaisin klo 14.30",
"il lunedì alle 9"; at the question that asks for them, also a time of day without a number
("tuesday evening", "keskiviikkoisin puoliltapäivin") and a day or a time alone ("monday", "9am")."""

from __future__ import annotations

import re
from functools import cache

from babel import dates

from flows.content import load_bundle
from flows.matching import holds
from flows.reading import READ_CHARS, languages_read, tokens

# Words around a day or a time that say nothing more: "on Fridays", "at 9", "klo 9", "alle 9", "ore 9".
FILLERS = frozenset({"on", "at", "every", "please", "klo", "kello", "joka", "alle", "ore", "il", "la", "ogni", "h"})
BARE_HOURS = (6, 21)  # a number alone is read as an hour within these, the hours the settings form offers
_CLOCK = re.compile(r"(?<![\d:.,])(\d{1,2})(?:[:.,](\d{2}))?\s*(am|pm)?(?![\d:.,])")
_NUMBER = re.compile(r"\d+")


@cache
def weekday_names(locale: str) -> tuple[tuple[str, int], ...]:
    """Each weekday's name (as a word of its own and as the start of an inflected one), folded."""
    names = set()
    for language in languages_read(locale):
        for context in ("format", "stand-alone"):
            for weekday, name in dates.get_day_names("wide", context=context, locale=language).items():
                names.add((tokens(name)[0], int(weekday)))
    return tuple(sorted(names, key=lambda item: -len(item[0])))


@cache
def weekday_abbreviations(locale: str) -> dict[str, int]:
    """Each weekday's short name in the member's own language ("pe", "ven"; "fri" for English), read
    only as a whole word, and none that is also an everyday word in a language read (English "to")."""
    language = languages_read(locale)[0]
    common = {word for phrases in _lists(locale, "stopwords") for phrase in phrases for word in tokens(phrase)}
    names = dates.get_day_names("abbreviated", context="format", locale=language).items()
    return {tokens(name)[0]: int(day) for day, name in names if tokens(name) and tokens(name)[0] not in common}


SHORT_SCHEDULE = 1  # words beside the time (the day's own) in a reply read with nothing asked: "tue 8am"


def _root(name: str) -> str:
    """A weekday's name without its last letter when long: "tiistai" also starts "tiistaisin"."""
    return name[:-1] if len(name) > 6 else name


def _weekday_named(words: tuple[str, ...], locale: str, short_names: bool = True) -> int | None:
    """The one weekday ``words`` name; by a short name ("tue 8am") only where ``short_names``: in a
    long sentence "sat" or "tue" is more likely something else ("we sat down at 10")."""
    named = {day for word in words for name, day in weekday_names(locale) if word.startswith(_root(name))}
    if short_names:
        named |= {day for word in words if (day := weekday_abbreviations(locale).get(word)) is not None}
    return named.pop() if len(named) == 1 else None


def _lists(locale: str, field: str) -> list[tuple[str, ...]]:
    """A ``reading.toml`` list (``afternoon``, ``stopwords``…) in the member's language and English."""
    return [getattr(load_bundle(language).reading, field) for language in languages_read(locale)]


@cache
def _phrases(locale: str, field: str) -> frozenset[tuple[str, ...]]:
    """A ``reading.toml`` list as words, in the member's language and English."""
    return frozenset(tokens(phrase) for phrases in _lists(locale, field) for phrase in phrases)


def _said_with_time(locale: str) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The phrases (as words) that put a time after noon, and those that add half an hour."""
    return _phrases(locale, "afternoon"), _phrases(locale, "half_past")


def _half_before(text: str, locale: str) -> bool:
    """Whether the hour comes after a word that takes half an hour off it (Finnish "puoli 9")."""
    words, before = tokens(text), {phrase[0] for phrase in _phrases(locale, "half_before")}
    return any(word in before and following.isdigit() for word, following in zip(words, words[1:], strict=False))


def _holds_any(words: tuple[str, ...], phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(holds(words, phrase) for phrase in phrases)


def _clock(text: str, locale: str) -> str | None:
    """The one time of day ("HH:MM") in ``text``; None for none, two, or no time at all (25:00, 9:75).
    "3 in the afternoon", "alle 3 del pomeriggio" are 15:00; "alle 8 e mezza", "half past 8" 08:30."""
    lowered = text[:READ_CHARS].lower()
    clocks = [m for m in _CLOCK.finditer(lowered) if int(m.group(1)) <= 23]
    if len(clocks) != 1 or len(_NUMBER.findall(lowered)) != 1 + (clocks[0].group(2) is not None):
        return None  # two times, or another number beside it ("2 30 pm", "alle 14 e 30"): not clear
    hour, minute, half = int(clocks[0].group(1)), int(clocks[0].group(2) or 0), clocks[0].group(3)
    afternoon, half_past = _said_with_time(locale)
    words = tokens(text)
    if _holds_any(words, _phrases(locale, "unread_minutes")):
        return None  # "quarter past 9", "varttia yli 9", "alle 9 e un quarto": minutes not read
    if _holds_any(words, _phrases(locale, "unread_bounds")):
        return None  # "fridays before 10", "entro le 10": a bound, and any time before it a guess
    if (half == "pm" or (half is None and _holds_any(words, afternoon))) and 1 <= hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if clocks[0].group(2) is None and _holds_any(words, half_past):
        minute = 30
    if clocks[0].group(2) is None and _half_before(text, locale) and 1 <= hour:  # "klo puoli 9": 8.30
        hour, minute = hour - 1, 30
    if half is None and clocks[0].group(2) is None and hour < BARE_HOURS[0]:
        return None  # "thursday around 3": 03:00 is no time for a check-in, and 15:00 a guess
    return f"{hour:02d}:{minute:02d}" if minute < 60 else None


@cache
def _times_of_day(locale: str) -> tuple[tuple[str, frozenset[tuple[str, ...]]], ...]:
    """(HH:MM, the phrases read as it), in the member's language and English."""
    times: dict[str, set[tuple[str, ...]]] = {}
    for language in languages_read(locale):
        for at, phrases in load_bundle(language).reading.times_of_day.items():
            times.setdefault(at, set()).update(tokens(phrase) for phrase in phrases)
    return tuple((at, frozenset(phrases)) for at, phrases in sorted(times.items()))


def _time_named(words: tuple[str, ...], locale: str) -> str | None:
    """The one time of day a reply names in words ("evening": 18:00), if exactly one."""
    named = {at for at, phrases in _times_of_day(locale) if _holds_any(words, phrases)}
    return named.pop() if len(named) == 1 else None


@cache
def _leaving_out(locale: str) -> frozenset[tuple[str, ...]]:
    """Words that leave out what follows ("except", "paitsi", "tranne", "not"), in the member's language and
    English; a plain "no" only in their own (Finnish "no" is "well")."""
    found: set[tuple[str, ...]] = set()
    for language in languages_read(locale):
        markers = load_bundle(language).reading.markers
        own = markers.refusals if language == languages_read(locale)[0] else ()
        found |= {tokens(p) for p in (*markers.excluding, *markers.negators, *own)}
    return frozenset(found)


def _leaves_out(words: tuple[str, ...], locale: str) -> bool:
    return _holds_any(words, _leaving_out(locale))


@cache
def _hours(locale: str) -> tuple[tuple[tuple[str, ...], int], ...]:
    """Each hour said in words ("at eight", "kahdeksalta", "alle otto") with its number, longest first."""
    said = {(tokens(p), hour) for words in _lists(locale, "hours") for hour, ps in enumerate(words, 1) for p in ps}
    return tuple(sorted(said, key=lambda item: -len(item[0])))


def _hours_in_digits(text: str, locale: str) -> str:
    """``text`` with an hour said in words written as its number ("tuesdays at eight": "tuesdays 8"),
    so the clock reads it as it reads digits; unchanged when it says none."""
    words = tokens(text)
    for phrase, hour in _hours(locale):
        for start in range(len(words) - len(phrase) + 1):
            if words[start : start + len(phrase)] == phrase:
                return " ".join([*words[:start], str(hour), *words[start + len(phrase) :]])
    return text


def _beside_the_time(words: tuple[str, ...], locale: str) -> list[str]:
    """A reply's words other than its time and the words around a time ("at", "klo", "alle"); a day's
    short name counts, though it may also be one of those ("la", Finnish Saturday, an Italian "the")."""
    short = weekday_abbreviations(locale)
    said = (w for w in words if not any(c.isdigit() for c in w) and w not in ("am", "pm"))
    return [w for w in said if w not in FILLERS or w in short]


def read_schedule(text: str, locale: str, asked: bool = False) -> tuple[int, str] | None:
    """A weekday (Monday is 0) and a time of day ("HH:MM") named in a reply, or None unless both are clear.
    A time of day in words ("tuesday evening") counts only where the day and time were ``asked`` for:
    said in passing ("busy on friday morning") it would move the check-in unasked."""
    in_digits = _hours_in_digits(text, locale)
    if asked or len(_beside_the_time(tokens(in_digits), locale)) <= SHORT_SCHEDULE:  # "i posted at nine on…": no
        text = in_digits
    words = tokens(text)
    if _leaves_out(words, locale):
        return None  # "any day but monday at 9", "paitsi maanantaisin": not the day named
    short = asked or len(_beside_the_time(words, locale)) <= SHORT_SCHEDULE  # "la 9 postausta", "sab 9 post": no
    weekday = _weekday_named(words, locale, short_names=short)
    at = _clock(text, locale)
    if at is None and asked and _NUMBER.search(text[:READ_CHARS]) is None:
        at = _time_named(words, locale)
    return (weekday, at) if weekday is not None and at is not None else None


def read_day_or_time(text: str, locale: str) -> tuple[int | None, str | None]:
    """A reply that is a day alone ("monday", "on Fridays") or a time alone ("9am", "klo 14.30", "alle
    9"), to the question that asks for both: the other is kept as it was. Only the whole reply counts,
    so a number inside a sentence ("pause for 2 weeks") is no time."""
    text = _hours_in_digits(text, locale)
    words = [word for word in tokens(text) if word not in FILLERS]
    weekday = _weekday_named(tuple(words), locale)
    if weekday is not None and len(words) == 1:
        return weekday, None
    at = _clock(text, locale)
    afternoon, half_past = _said_with_time(locale)
    said = {word for phrase in afternoon | half_past for word in phrase} | {"am", "pm"}  # the clock's own
    said |= {word for phrase in _phrases(locale, "half_before") for word in phrase}
    if at is None and _NUMBER.search(text[:READ_CHARS]) is None:  # "mornings", "a mezzogiorno"
        at = _time_named(tuple(words), locale)
        said |= {word for _, phrases in _times_of_day(locale) for phrase in phrases for word in phrase}
    rest = [word for word in words if not word.isdigit() and word not in said]
    if at is None or weekday is not None or rest:
        return None, None
    bare = len(words) == 1 == len(tokens(text))  # "2" alone may be a Tuesday: an hour of the day only
    return (None, at) if not bare or BARE_HOURS[0] <= int(at[:2]) <= BARE_HOURS[1] else (None, None)


def less_than_weekly(text: str, locale: str) -> bool:
    """"every other Friday", "joka toinen perjantai", "ogni due settimane": asked less often than weekly."""
    return _holds_any(tokens(text), _phrases(locale, "every_other"))
