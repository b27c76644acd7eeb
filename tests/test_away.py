"""Reading "pause until <date>" as typed in en, fi and it, and when a pause ends (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from flows.away import (
    PauseRequest,
    find_span,
    pause_over,
    pause_problem,
    read_pause_request,
    resume_slot,
    says_when,
    with_english,
)
from flows.content import load_bundle
from flows.reading import tokens

TODAY = date(2026, 11, 25)
JAN_15 = date(2027, 1, 15)


def read(text: str, locale: str) -> PauseRequest | None:
    return read_pause_request(text, load_bundle(locale).away, locale, TODAY)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "pause until 2027-01-15"),
        ("en", "Pause until 15 January 2027"),
        ("en", "pause until January 15th, 2027"),
        ("en", "I'm away until 15/1"),
        ("en", "away until 15 jan"),
        ("fi", "tauko 15.1.2027 asti"),
        ("fi", "Olen lomalla 15. tammikuuta saakka"),
        ("fi", "pidä tauko 15.1. asti"),
        ("fi", "pause until 2027-01-15"),
        ("it", "pausa fino al 15 gennaio 2027"),
        ("it", "Sono via fino al 15/01/2027"),
        ("it", "in pausa fino al 15 gen"),
    ],
)
def test_a_pause_until_a_date_is_read_in_every_language(locale: str, text: str) -> None:
    assert read(text, locale) == PauseRequest(JAN_15)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("it", "pausa fino al 1° gennaio"),  # probe: "couldn't read that date"
        ("it", "pausa fino al primo gennaio"),
        ("en", "pause until the first of January"),
        ("fi", "tauko ensimmäinen tammikuuta asti"),
    ],
)
def test_the_first_of_a_month_in_words_or_with_a_degree_sign_is_read(locale: str, text: str) -> None:
    assert read(text, locale) == PauseRequest(date(JAN_15.year, 1, 1))


@pytest.mark.parametrize(
    ("locale", "text", "until"),
    [
        ("en", "please pause until 15 January 2027", JAN_15),
        ("en", "im on holiday until 15 january, pause please", JAN_15),
        ("it", "ferie fino al 15/1, pausa", JAN_15),
        ("fi", "lomalla 15.1. asti, tauko kiitos", JAN_15),
        ("en", "pause for 2 weeks", TODAY + timedelta(weeks=2)),
        ("en", "pause for a week", TODAY + timedelta(weeks=1)),
        ("fi", "tauko kaksi viikkoa", TODAY + timedelta(weeks=2)),
        ("fi", "pidä taukoa 10 päivää", TODAY + timedelta(days=10)),
        ("it", "pausa per due settimane", TODAY + timedelta(weeks=2)),
        ("fi", "pause for 2 weeks", TODAY + timedelta(weeks=2)),  # English is read in every language
        ("en", "pause for a couple of weeks", TODAY + timedelta(weeks=2)),  # probe: asked for a date
        ("en", "pause for a couple weeks", TODAY + timedelta(weeks=2)),
        ("fi", "parin viikon tauko", TODAY + timedelta(weeks=2)),
        ("it", "pausa per un paio di settimane", TODAY + timedelta(weeks=2)),
        ("fi", "tauko pari viikkoa", TODAY + timedelta(weeks=2)),
    ],
)
def test_a_pause_in_other_words_or_for_a_span_of_time(locale: str, text: str, until: date) -> None:
    """Probe: a pause phrase with words around it, or a span of time, paused for good and dropped the date."""
    assert read(text, locale) == PauseRequest(until)


def test_an_italian_elided_article_is_read() -> None:
    assert read("sono via fino all'8 gennaio", "it") == PauseRequest(date(2027, 1, 8))


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "pause until whenever"),
        ("en", "pause until 31.2.2027"),
        ("fi", "tauko ensi kuuhun asti"),
        ("en", "pause until the end of january"),  # probe: these paused for good, their date dropped
        ("fi", "tauko tammikuun loppuun"),
        ("fi", "tauko kahdeks viikoks"),
        ("it", "pausa fino a fine gennaio"),
        ("fi", "tauko ensi vuoteen"),  # probe: "until" said by a case ending alone paused for good
        ("fi", "tauko tammikuuhun"),
        ("fi", "tauko huomiseen"),
        ("fi", "tauko loppukuuksi"),
        ("en", "pause for a while, until march"),  # review: a no-end phrase beside an end that is named
        ("it", "pausa per ora, fino a marzo"),
        ("fi", "tauko toistaiseksi, palaan maaliskuussa"),
        ("en", "pause over christmas"),
        ("it", "pausa fino a natale"),
    ],
)
def test_a_pause_phrase_without_a_readable_date_asks_for_one(locale: str, text: str) -> None:
    assert read(text, locale) == PauseRequest(None)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "yes"),
        ("en", "2027-01-15"),
        ("en", "we post until 15 January"),
        ("en", "I will pause 2027-01-15"),  # from that day, or until it?
        ("fi", "ei aina, kesällä on kahden viikon tauko"),  # review: answers that mention a break
        ("it", "a volte facciamo una pausa per 2 settimane"),
        ("en", "not always, we pause posting for the summer"),
        ("en", "I had to pause for a moment"),
        ("fi", "kyllä on"),
        ("it", "in parte sì"),
        ("it", "pausa"),
    ],
)
def test_other_messages_are_no_pause(locale: str, text: str) -> None:
    assert read(text, locale) is None


def test_a_date_without_a_year_is_its_next_occurrence() -> None:
    assert read("pause until 1 March", "en") == PauseRequest(date(2027, 3, 1))
    assert read("pause until 30 November", "en") == PauseRequest(date(2026, 11, 30))


def test_a_pause_must_end_after_today_and_within_a_year() -> None:
    assert pause_problem(TODAY, TODAY) == "pause_date_past"
    assert pause_problem(date(2026, 1, 1), TODAY) == "pause_date_past"
    assert pause_problem(date(2028, 1, 1), TODAY) == "pause_date_far"
    assert pause_problem(JAN_15, TODAY) is None


def test_a_pause_ends_at_midnight_where_the_member_lives() -> None:
    just_before = datetime(2027, 1, 14, 21, 59, tzinfo=UTC)  # 23:59 in Helsinki, 14 January
    assert not pause_over(just_before, "Europe/Helsinki", JAN_15)
    assert pause_over(datetime(2027, 1, 14, 22, 0, tzinfo=UTC), "Europe/Helsinki", JAN_15)
    assert not pause_over(datetime(2027, 1, 15, 4, 59, tzinfo=UTC), "America/New_York", JAN_15)
    assert pause_over(datetime(2027, 1, 15, 5, 0, tzinfo=UTC), "America/New_York", JAN_15)


def test_the_first_checkin_after_a_pause_is_never_one_from_before_its_date() -> None:
    # The pause ends on Tuesday 19 January; Monday's 09:00 slot was 15 hours before: not sent late.
    tuesday_midnight = datetime(2027, 1, 18, 22, 0, tzinfo=UTC)
    slot = resume_slot(tuesday_midnight, "Europe/Helsinki", 0, "09:00", date(2027, 1, 19))
    assert slot == datetime(2027, 1, 25, 7, 0, tzinfo=UTC)
    # The pause ends on Monday 18 January and the tick finds it over at that day's 09:00: sent then.
    monday_nine = datetime(2027, 1, 18, 7, 0, tzinfo=UTC)
    assert resume_slot(monday_nine, "Europe/Helsinki", 0, "09:00", date(2027, 1, 18)) == monday_nine



@pytest.mark.parametrize(
    ("typed", "today", "until"),
    [
        ("tauko kuukaudeksi", date(2027, 1, 31), date(2027, 2, 28)),  # calendar months, the day clamped
        ("pausa 3 mesi", date(2027, 11, 30), date(2028, 2, 29)),
        ("pause for a month", date(2026, 12, 7), date(2027, 1, 7)),
        ("tauko viikoksi", date(2026, 12, 7), date(2026, 12, 14)),  # a unit right after the pause word: one
        ("viikoksi", date(2026, 12, 7), None),  # with no pause word before it, no span
    ],
)
def test_a_span_in_months_and_a_lone_unit(typed: str, today: date, until: date | None) -> None:
    language = {"t": "fi", "p": "it" if typed.startswith("pausa") else "en", "v": "fi"}[typed[0]]
    words = with_english(load_bundle(language).away, language)
    assert find_span(tokens(typed), words, today)[0] == until


@pytest.mark.parametrize(
    ("locale", "text", "names_a_time"),
    [
        ("en", "pause, a lot is going on", False),  # "a" is a week's one only before "week"
        ("it", "pausa, ho una domanda", False),
        ("en", "pause, a couple of things came up", False),
        ("en", "pause for a week", True),
        ("it", "pausa per un paio di settimane", True),
        ("en", "pause for two", True),  # a number with no unit: asked again, never a pause for good
        ("fi", "tauko kevääseen", True),
        ("en", "pause for now", False),  # probe: "for" and "until" with no end named asked for a date
        ("en", "pause until further notice", False),
        ("fi", "tauko toistaiseksi", False),
        ("it", "pausa per un po'", False),
        ("en", "pause, maybe", False),  # "may" is a month only as a whole word
        ("fi", "tauko, huomio: olen lomalla", False),  # review: "huomio" is no "huomenna"
        ("fi", "tauko heti alkaen", False),  # "from now on": no end
        ("en", "pause the next check-ins", False),
        ("en", "pause for good", False),
    ],
)
def test_an_article_or_about_two_alone_names_no_time(locale: str, text: str, names_a_time: bool) -> None:
    assert says_when(text, load_bundle(locale).away, locale) is names_a_time
