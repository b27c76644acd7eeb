"""Away until a date: reading "pause until 15 January 2027" as typed, and when such a pause is over.

A pause request is read when the message, its date taken out, holds one of the phrases of
``content/<locale>/away.toml`` ("pause until", "tauko asti", "pausa fino al"), or begins with a pause
word ("pause", "tauko", "pausa") with an "until" or a span of time ("for 2 weeks", "kaksi viikkoa",
"due settimane"), so an everyday sentence that holds a date or mentions a break never pauses anything
(see ``read_pause_request``). Dates are read as ISO (2027-01-15), with the day
first (15.1.2027, 15/1/2027, 15.1.), or with the month's name in the member's language or English
(15 January 2027, January 15, 15. tammikuuta, 15 gennaio). A date without a year is its next
occurrence. A pause ends at midnight starting that date, in the member's own time zone.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import dropwhile, zip_longest

from babel import dates as babel_dates

from flows.content import load_bundle
from flows.content_words import AwayWords
from flows.matching import holds
from flows.reading import languages_read, tokens
from flows.schedule import (
    DEFAULT_TIME,
    LATE_SEND_WINDOW,
    next_checkin,
    occurrence,
    parse_clock,
    previous_checkin,
    zone,
)

MERGED = (  # the word lists a member's own language and English share
    "phrases",
    "pause_words",
    "until_words",
    "weeks",
    "days",
    "months",
    "lead_words",
    "amount_links",
    "couple",
    "articles",
    "when_words",
    "open_ended",
)
LONGEST_PAUSE = timedelta(days=366)  # a date further off is more likely a slip than a plan
BABEL_LOCALES = {"en": "en_GB", "fi": "fi_FI", "it": "it_IT"}
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_FIRST = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2})\b|\.|\b)")
_DAY_NAME = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|°|º)?\.?\s+(?:(?:of|di)\s+)?([^\W\d_]+)\.?(?:\s+(\d{4}))?\b")
_NAME_DAY = re.compile(r"\b([^\W\d_]+)\s+(\d{1,2})(?:st|nd|rd|th)?\b,?(?:\s+(\d{4}))?")


@dataclass(frozen=True)
class PauseRequest:
    """A typed or commanded pause until ``until``; ``until`` is None when no date could be read."""

    until: date | None


def month_numbers(locale: str) -> dict[str, int]:
    return dict(_month_numbers(locale))


@cache
def _month_numbers(locale: str) -> tuple[tuple[str, int], ...]:
    """Month names (and their abbreviations) in ``locale`` and English, folded, to their numbers."""
    names: dict[str, int] = {}
    for babel_locale in {BABEL_LOCALES.get(locale, "en_GB"), "en_GB"}:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in babel_dates.get_month_names(width, context, babel_locale).items():
                    for word in tokens(str(name)):
                        names.setdefault(word, number)
    return tuple(names.items())


def _year_for(day: int, month: int, year: int | None, today: date) -> date | None:
    """The date, or its next occurrence from ``today`` on when the year is left out."""
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def find_date(text: str, locale: str, today: date) -> tuple[date | None, str]:
    """The first date in ``text`` and the text without it; (None, text) when there is none."""
    lowered = text.lower()
    if match := _ISO.search(lowered):
        iso_year, month, day = (int(g) for g in match.groups())
        return _year_for(day, month, iso_year, today), _without(lowered, match)
    if match := _DAY_FIRST.search(lowered):
        day, month = int(match.group(1)), int(match.group(2))
        given = int(match.group(3)) if match.group(3) else None
        found = _year_for(day, month, given, today) or _year_for(month, day, given, today)  # 1/15/2027 too
        return found, _without(lowered, match)
    months = month_numbers(locale)
    lowered = _first_day(locale).sub("1 ", lowered)  # "primo gennaio", "the first of January"
    for pattern, day_group, name_group in ((_DAY_NAME, 1, 2), (_NAME_DAY, 2, 1)):
        for match in pattern.finditer(lowered):
            folded = tokens(match.group(name_group))
            if folded and folded[0] in months:
                year = int(match.group(3)) if match.group(3) else None
                found = _year_for(int(match.group(day_group)), months[folded[0]], year, today)
                return found, _without(lowered, match)
    return None, text


@cache
def _first_day(locale: str) -> re.Pattern[str]:
    """The first of a month said in words, before the month's name (which ``find_date`` then checks)."""
    words = {w for language in languages_read(locale) for w in load_bundle(language).away.first_day}
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, sorted(words)))})\s+(?=[^\W\d_])" if words else r"(?!)")


def _without(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


# An amount no span is counted in: signed ("-3 weeks"), with a fraction ("2.5 weeks", "1e3 days") or too
# long to be meant ("99999999999999999999 weeks"); read before the words, which drop the sign and the point.
_ODD_AMOUNT = re.compile(r"(?:[-−+]\s*\d+|\d+[.,]\d+|\d+e\d+|\d{4,})\s*([^\W\d_]+)")


@cache
def _span_units(words: AwayWords) -> dict[str, str]:
    """Each word of a span's unit ("viikkoa", "mesi"), with the unit it is: weeks, days or months."""
    return {unit: kind for kind in ("weeks", "days", "months") for unit in tokens(" ".join(getattr(words, kind)))}


@cache
def _amount_words(words: AwayWords) -> dict[str, int]:
    """Each word for a number ("kaksi", "due", "a"), with the number."""
    return {word: n for n, names in enumerate(words.numbers, start=1) for word in tokens(" ".join(names))}


@cache
def _span_amounts(words: AwayWords) -> dict[str, int]:
    """The words an amount of a span may be: a number's, and "couple" words for two (read only right
    before a unit, so not in ``_amount_words``, which ``says_when`` reads anywhere)."""
    return {**_amount_words(words), **dict.fromkeys(tokens(" ".join(words.couple)), 2)}


def odd_amount(text: str, words: AwayWords) -> bool:
    """Whether ``text`` holds a span whose amount is no plain whole number ("-3 weeks", "2.5 months")."""
    units = _span_units(words)
    return any(
        tokens(match.group(1))[:1] and tokens(match.group(1))[0] in units
        for match in _ODD_AMOUNT.finditer(text.lower())
    )


def find_span(words_typed: tuple[str, ...], words: AwayWords, today: date) -> tuple[date | None, tuple[str, ...]]:
    """A span of time from today ("2 weeks", "kaksi viikkoa", "una settimana", "a month") as the day it
    ends, and the words without it; (None, the words) when there is none. A unit right after a pause
    word stands for one of it ("tauko viikoksi", "tauko kuukaudeksi"); a link may stand between an
    amount and its unit ("a couple of weeks")."""
    amounts, units = _span_amounts(words), _span_units(words)
    pausing = set(tokens(" ".join(words.pause_words)))
    links = set(tokens(" ".join(words.amount_links)))
    for i, word in enumerate(words_typed):
        kind = units.get(word)
        if kind is None or i == 0:
            continue
        linked = int(i >= 2 and words_typed[i - 1] in links)
        before = words_typed[i - 1 - linked]
        amount = int(before) if before.isdigit() and len(before) <= 3 else amounts.get(before)
        if amount is None and before in pausing and not linked:  # the pause word stays: it is what asks
            return _after(today, 1, kind), words_typed[:i] + words_typed[i + 1 :]
        if amount:
            return _after(today, amount, kind), words_typed[: i - 1 - linked] + words_typed[i + 1 :]
    return None, words_typed


def _after(today: date, amount: int, kind: str) -> date:
    if kind == "weeks":
        return today + timedelta(weeks=amount)
    if kind == "days":
        return today + timedelta(days=amount)
    index = today.month - 1 + amount  # calendar months: 31 January and a month is 28 (or 29) February
    year, month = today.year + index // 12, index % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@cache
def with_english(words: AwayWords, locale: str) -> AwayWords:
    """A member's own words for a pause, and English ones (members mix it in, as everywhere else)."""
    if locale == "en":
        return words
    english = load_bundle("en").away
    numbers = tuple((*own, *other) for own, other in zip_longest(words.numbers, english.numbers, fillvalue=()))
    merged = {field: (*getattr(words, field), *getattr(english, field)) for field in MERGED}
    return AwayWords(**merged, numbers=numbers)


def read_pause_request(text: str, words: AwayWords, locale: str, today: date) -> PauseRequest | None:
    """A pause until a date or for a span of time; None when the message asks for no pause.

    The date (or span) is taken out; what is left must hold one of the pause phrases ("pause until",
    "tauko asti", "on holiday until"), or begin with a pause word ("pause", "tauko", "pausa", after a
    "please") with an "until" or a span, so an answer that mentions a break ("in summer there's a
    two-week break", "a volte facciamo una pausa per 2 settimane") never pauses anything. Begun with
    a pause word, a date that cannot be read ("pause until the end of January") is a request without
    a date (``until`` None), so the member can be told how to write it, never paused for good."""
    words = with_english(words, locale)
    found, words_left, spanned = pause_end(text, words, locale, today)
    phrases = [tokens(phrase) for phrase in words.phrases]
    leading = set(tokens(" ".join(words.lead_words)))
    asking = tuple(dropwhile(lambda word: word in leading, words_left))  # "please pause …"
    starts_pausing = bool(asking) and asking[0] in set(tokens(" ".join(words.pause_words)))
    until = set(tokens(" ".join(words.until_words))) & set(words_left)
    if found is not None and (any(holds(words_left, p) for p in phrases) or (starts_pausing and (until or spanned))):
        return PauseRequest(found)  # "pause 2027-01-15" alone may mean from that day: not read as until
    rest, open_end = _without_open_end(asking, words)
    if starts_pausing and open_end and found is None and not names_when(rest, words, locale):
        return None  # "pause for now": a pause until resumed, the plain pause
    if any(asking[:1] == p[:1] and set(p) <= set(asking) for p in phrases):
        return PauseRequest(None)
    if starts_pausing and (until or names_when(asking, words, locale)):
        return PauseRequest(None)  # a pause with a span or a date in it, but not one to pause until
    return None


def pause_end(
    text: str, words: AwayWords, locale: str, today: date
) -> tuple[date | None, tuple[str, ...], bool]:
    """The day a pause asked in ``text`` ends (a date, or a span from today), the words left without
    it, and whether it was a span. A span whose amount is no whole number ("-3 weeks", "2.5 weeks")
    names no day. ``words``: with English's (``with_english``)."""
    if odd_amount(text, words):
        return None, tokens(text), False
    found, rest = find_date(text, locale, today)
    if found is not None:
        return found, tokens(rest), False
    found, words_left = find_span(tokens(rest), words, today)
    return found, words_left, found is not None


@cache
def _time_hints(words: AwayWords, locale: str) -> frozenset[str]:
    """Words that say a pause has an end ("until", a unit, a month's name)."""
    return frozenset(tokens(" ".join(words.until_words))) | set(_span_units(words)) | set(month_numbers(locale))


@cache
def _bent_time_words(words: AwayWords) -> re.Pattern[str]:
    """The single words of ``when_words``, a ``*`` at the end standing for any ending ("tammikuu*":
    "tammikuuhun", "tammikuun")."""
    stems = [re.escape(w).replace(r"\*", r"\w*") for w in words.when_words if " " not in w]
    return re.compile("|".join(stems) or r"(?!)")


def _without_open_end(typed: tuple[str, ...], words: AwayWords) -> tuple[tuple[str, ...], bool]:
    """The words without a phrase that says a pause has no end ("for now", "toistaiseksi", "per ora"),
    and whether there was one."""
    for phrase in sorted((tokens(p) for p in words.open_ended), key=len, reverse=True):
        for start in range(len(typed) - len(phrase) + 1):
            if typed[start : start + len(phrase)] == phrase:
                return (*typed[:start], *typed[start + len(phrase) :]), True
    return typed, False


def names_when(typed: tuple[str, ...], words: AwayWords, locale: str) -> bool:
    """Whether the words name a time at all (a number, a span's unit, "until", a month, "christmas",
    "ensi vuoteen"), beside any words that say there is no end ("for now, until march" names one).
    ``words``: with English's (``with_english``)."""
    typed, _ = _without_open_end(typed, words)
    numbers = set(_amount_words(words)) - set(tokens(" ".join(words.articles)))  # "a" says no time
    if any(w.isdigit() for w in typed) or set(typed) & (_time_hints(words, locale) | numbers):
        return True
    phrases = [tokens(p) for p in words.when_words if " " in p]
    return any(holds(typed, p) for p in phrases) or any(_bent_time_words(words).fullmatch(w) for w in typed)


def says_when(text: str, words: AwayWords, locale: str) -> bool:
    """Whether ``text`` names a time (``names_when``): a pause asked with one that could not be read is
    asked again, never taken as a pause for good."""
    return names_when(tokens(text), with_english(words, locale), locale)


def pause_problem(until: date, today: date) -> str | None:
    """Why a pause cannot end on ``until`` (a notice key), or None when it can."""
    if until <= today:
        return "pause_date_past"
    if until - today > LONGEST_PAUSE:
        return "pause_date_far"
    return None


def local_today(now: datetime, tz_name: str | None) -> date:
    return now.astimezone(zone(tz_name)).date()


def resume_slot(now: datetime, tz_name: str | None, weekday: int, clock_text: str, until: date) -> datetime:
    """The first check-in after a pause until ``until``: that day's own slot when it has just come (the
    tick found the pause over at the slot itself), else the next one, never one from before the date."""
    at = parse_clock(clock_text) or DEFAULT_TIME
    latest = previous_checkin(now, tz_name, weekday, at)
    started = occurrence(until, time(0, 0), zone(tz_name))
    return latest if latest >= started and now - latest < LATE_SEND_WINDOW else next_checkin(now, tz_name, weekday, at)


def pause_over(now: datetime, tz_name: str | None, until: date) -> bool:
    """Whether a pause until ``until`` has ended: it is that date, or later, where the member lives."""
    return now >= occurrence(until, time(0, 0), zone(tz_name))
