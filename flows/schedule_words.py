"""The weekly check-in's day and time read from a reply: "Tuesdays at 8", "perjantaisin klo 14.30",
"il lunedì alle 9"; at the question that asks for them, a day or a time alone ("monday", "9am")."""

from __future__ import annotations

import re
from functools import cache

from babel import dates

from flows.reading import READ_CHARS, languages_read, tokens

_CLOCK = re.compile(r"(?<![\d:.])(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?(?![\d:.])")


@cache
def weekday_names(locale: str) -> tuple[tuple[str, int], ...]:
    """Each weekday's name (as a word of its own and as the start of an inflected one), folded."""
    names = set()
    for language in languages_read(locale):
        for context in ("format", "stand-alone"):
            for weekday, name in dates.get_day_names("wide", context=context, locale=language).items():
                names.add((tokens(name)[0], int(weekday)))
    return tuple(sorted(names, key=lambda item: -len(item[0])))


def _root(name: str) -> str:
    """A weekday's name without its last letter when long: "tiistai" also starts "tiistaisin"."""
    return name[:-1] if len(name) > 6 else name


def _weekday_named(words: tuple[str, ...], locale: str) -> int | None:
    named = {day for word in words for name, day in weekday_names(locale) if word.startswith(_root(name))}
    return named.pop() if len(named) == 1 else None


def read_schedule(text: str, locale: str) -> tuple[int, str] | None:
    """A weekday (Monday is 0) and a time of day ("HH:MM") named in a reply, or None unless both are clear."""
    words = tokens(text)
    weekday = _weekday_named(words, locale)
    clocks = [m for m in _CLOCK.finditer(text[:READ_CHARS].lower()) if int(m.group(1)) <= 23]
    if weekday is None or len(clocks) != 1:
        return None
    hour, minute, half = int(clocks[0].group(1)), int(clocks[0].group(2) or 0), clocks[0].group(3)
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    return (weekday, f"{hour:02d}:{minute:02d}") if minute < 60 else None
