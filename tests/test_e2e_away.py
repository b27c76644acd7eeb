"""Away until a date, end to end in every language and every way of asking: ``/coach pause until``
(English), typed in the DM (Finnish), the date picker of ``/coach settings`` (Italian). Nothing is
sent before the date (no check-in, no reminder), the pause ends at midnight in the member's own time
zone, and that day's check-in goes out on its own (driven by ``coach tick --now``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode

import pytest

from bot.store import Store
from bot.views.common import format_date, notice_text
from bot.views.journey import CHECKIN_PREFIX
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import TEST_NOW
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver, delivered_to
from tests.test_e2e_follow_up import home_showing
from tests.test_e2e_home_privacy import home_opened
from tests.test_e2e_journey import place

UNTIL = "2027-01-18"  # a Monday: the day the check-ins come back
MIDNIGHT_IN_HELSINKI = datetime(2027, 1, 17, 22, 0, tzinfo=UTC)  # 18 January begins there (UTC+2)
CHECKIN_THAT_DAY = datetime(2027, 1, 18, 7, 0, tzinfo=UTC)  # Monday 09:00 in Helsinki
HOW = {  # the member's Slack locale, and how they ask
    "en-US": ("command", "pause until 2027-01-18"),
    "fi-FI": ("dm", "tauko 18.1.2027 asti"),
    "it-IT": ("settings", UNTIL),
}


def checkins_to(fake: FakeSlack, user: str) -> list:
    return [c for c in delivered_to(fake.calls, user) if CHECKIN_PREFIX in str(c.args.get("blocks"))]


def ask_for_the_pause(driver: SlackDriver, user: str, expected: str, how: str, words: str) -> None:
    """Ask in one of the three ways, and see the coach's answer ``expected``."""
    if how == "command":  # answered privately, through the command's response URL
        assert expected in driver.command_reply(user, words)["text"]
        return
    if how == "dm":
        assert driver.dm(user, words).status == 200
    else:
        assert driver.command(user, "settings").status == 200
        driver.fake.wait_for("views.open")
        values = {
            "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "0"}}},
            "time": {"time": {"type": "static_select", "selected_option": {"value": "09:00"}}},
            "paused": {"paused": {"type": "checkboxes", "selected_options": []}},
            "paused_until": {"paused_until": {"type": "datepicker", "selected_date": words}},
        }
        assert driver.submit_view(user, "checkin_settings", values).status == 200
    driver.messages_with(user, expected)


def member_at_stage_3(driver: SlackDriver, settings, user: str, locale: str) -> tuple[Store, MemberKey]:
    """A member in Helsinki, placed at stage 3 a week ago, whose Slack language is ``locale``."""
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    place(store, member, 3, "Europe/Helsinki", TEST_NOW - timedelta(days=7))
    store.update_member(member, locale=locale)
    return store, member


@pytest.mark.parametrize("locale", HOW)
def test_a_pause_until_a_date_sends_nothing_before_it_and_resumes_on_it(
    coach_server: SlackDriver, tick, settings, locale: str
) -> None:
    driver, user = coach_server, f"U0AWAY{locale[:2].upper()}"
    bundle = load_bundle(locale[:2])
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    store = Store(settings.coach_db)
    place(store, MemberKey("T0001", user), 3, "Europe/Helsinki", TEST_NOW - timedelta(days=7))
    driver.command(user)  # an assessment left open at its first question: reminders would be due
    driver.wait_question(user, 1)

    moment = datetime(2027, 1, 18, 12, 0, tzinfo=UTC)
    ask_for_the_pause(driver, user, notice_text(bundle, "paused_until", {"date": moment}), *HOW[locale])
    home_opened(driver, user)
    home_showing(driver, user, bundle.messages.text("home_schedule_paused_until", date=format_date(bundle, moment)))

    before = len(delivered_to(driver.fake.calls, user))
    first_monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    for instant in (TEST_NOW + timedelta(hours=25), TEST_NOW + timedelta(hours=73), first_monday):
        tick(instant)  # the reminders' hours, and the first weekly slot
    for week in range(1, 7):
        tick(first_monday + timedelta(weeks=week))
    tick(MIDNIGHT_IN_HELSINKI - timedelta(minutes=1))  # still 17 January where the member lives
    assert len(delivered_to(driver.fake.calls, user)) == before  # no check-in, no reminder
    assert store.member(MemberKey("T0001", user)).paused  # type: ignore[union-attr]

    tick(MIDNIGHT_IN_HELSINKI)
    member = store.member(MemberKey("T0001", user))
    assert member is not None and not member.paused and member.paused_until is None
    assert checkins_to(driver.fake, user) == []  # resumed at midnight; the check-in keeps its hour
    tick(CHECKIN_THAT_DAY)
    assert len(checkins_to(driver.fake, user)) == 1


def test_a_date_that_cannot_be_a_pause_gets_a_clear_reply_and_pauses_nothing(
    coach_server: SlackDriver, settings
) -> None:
    driver, user = coach_server, "U0AWAYBAD"
    bundle = load_bundle("en")
    assert bundle.messages.text("pause_bad_date") in driver.command_reply(user, "pause until soonish")["text"]
    driver.dm(user, "pause until 2026-01-15")
    driver.messages_with(user, bundle.messages.text("pause_date_past"))
    assert driver.command(user, "settings").status == 200
    driver.fake.wait_for("views.open")
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "0"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "09:00"}}},
        "paused_until": {"paused_until": {"type": "datepicker", "selected_date": "2029-01-15"}},
    }
    refused = driver.submit_view(user, "checkin_settings", values).json()
    assert refused == {"response_action": "errors", "errors": {"paused_until": bundle.messages.text("pause_date_far")}}
    member = Store(settings.coach_db).member(MemberKey("T0001", user))
    assert member is not None and not member.paused and member.paused_until is None


@pytest.mark.parametrize(
    ("locale", "typed", "until"),
    [
        ("en-US", "please pause until 18 January 2027", "2027-01-18"),
        ("fi-FI", "tauko kaksi viikkoa", (TEST_NOW + timedelta(weeks=2)).date().isoformat()),
        ("it-IT", "ferie fino al 18/1, pausa", "2027-01-18"),
        ("en-US", "pause until the end of january", None),
        ("en-US", "pause for -2 weeks", None),  # probe: paused for 2 weeks, the sign dropped
        ("fi-FI", "tauko 2,5 viikkoa", None),  # probe: "2.5 weeks" paused until 2 May
        ("it-IT", "pausa per 1e3 giorni", None),  # probe: paused 3 days
        ("fi-FI", "tauko kuukaudeksi", "2026-12-25"),  # probe: paused for good, the month dropped
        ("it-IT", "pausa un mese", "2026-12-25"),
        ("en-US", "pause for a month", "2026-12-25"),  # probe: "couldn't read that date"
        ("fi-FI", "tauko viikoksi", "2026-12-02"),
        ("fi-FI", "lomalla kaksi viikkoa, tauko", None),  # probe: paused for good, the weeks dropped
        ("en-US", "pause until the 6th of January", "2027-01-06"),  # probe: "couldn't read that date"
        ("it-IT", "pausa fino al 6 di gennaio", "2027-01-06"),
        ("en-US", "pause for a couple of weeks", (TEST_NOW + timedelta(weeks=2)).date().isoformat()),
        ("it-IT", "pausa per un paio di settimane", (TEST_NOW + timedelta(weeks=2)).date().isoformat()),
        ("en-US", "pause until the end of the month", None),  # "of month": no amount, no span
        ("fi-FI", "tauko ensi vuoteen", None),  # probe: "until" said by a case ending paused for good
        ("fi-FI", "tauko tammikuuhun", None),
        ("fi-FI", "tauko joulun jälkeen", None),
        ("en-US", "pause over christmas", None),
        ("en-US", "stop the check-ins until 10 January", "2027-01-10"),  # probe: "couldn't read that date"
        ("en-US", "off on holiday till 2027-01-11", "2027-01-11"),  # probe: not read, nothing paused
        ("it-IT", "in vacanza fino al 11/01/2027", "2027-01-11"),
        ("it-IT", "pausa fino al 1° gennaio", "2027-01-01"),  # probe: "couldn't read that date"
        ("it-IT", "pausa fino al primo gennaio", "2027-01-01"),
    ],
)
def test_a_pause_in_other_words_keeps_its_date_and_an_unreadable_one_pauses_nothing(
    coach_server: SlackDriver, settings, locale: str, typed: str, until: str | None
) -> None:
    """Probe: these paused the check-ins for good, saying nothing of the date they named."""
    driver, user = coach_server, f"U0AWAY{locale[:2].upper()}"
    store, member = member_at_stage_3(driver, settings, user, locale)
    messages = load_bundle(locale[:2]).messages
    driver.dm(user, typed)
    expected = messages.text("pause_bad_date") if until is None else messages.text("paused_until", date="X")[:8]
    driver.messages_with(user, expected)
    row = store.member(member)
    assert row is not None and row.paused == (until is not None)
    assert (row.paused_until.isoformat() if row.paused_until else None) == until


def test_coach_pause_for_a_span_pauses_until_its_end(coach_server: SlackDriver, settings) -> None:
    """Probe: "/coach pause for 2 weeks" was refused as an unreadable date, though the DM takes it."""
    driver, user = coach_server, "U0AWAYSPAN"
    answer = driver.command_reply(user, "pause for 2 weeks")["text"]
    assert "Paused until" in answer
    row = Store(settings.coach_db).member(MemberKey("T0001", user))
    assert row is not None and row.paused and row.paused_until == (TEST_NOW + timedelta(weeks=2)).date()


@pytest.mark.parametrize(
    "span", ["for -3 weeks", "for 2.5 weeks", "for 1e3 days", "for 99999999999999999999 weeks", "for 2.5 months"]
)
def test_coach_pause_for_a_span_that_is_no_whole_number_pauses_nothing(
    coach_server: SlackDriver, settings, span: str
) -> None:
    """Attack probe: "-3 weeks" paused 3 weeks, "2.5 weeks" until 2 May, "1e3 days" 3 days and a
    twenty-digit number 9 weeks."""
    driver, user = coach_server, "U0AWAYODD"
    answer = driver.command_reply(user, f"pause {span}")["text"]
    assert answer == load_bundle("en").messages.text("pause_bad_date")
    row = Store(settings.coach_db).member(MemberKey("T0001", user))
    assert row is None or (not row.paused and row.paused_until is None)


def test_a_newcomers_first_words_being_settings_get_their_language_and_time_zone(
    coach_server: SlackDriver, settings
) -> None:
    """``/coach settings`` as someone's very first command: the form, its errors and the saved settings
    speak their Slack language and keep their time zone, as for anyone the coach knows already."""
    driver, user = coach_server, "U0NEWFI"
    bundle = load_bundle("fi")
    driver.fake.users[user] = {"id": user, "locale": "fi-FI", "tz": "Europe/Helsinki"}
    assert driver.command(user, "settings").status == 200
    form = driver.fake.wait_for("views.open")[0].args["view"]
    assert form["title"]["text"] == bundle.messages.text("settings_title")
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "0"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "09:00"}}},
        "paused_until": {"paused_until": {"type": "datepicker", "selected_date": "2029-01-15"}},
    }
    refused = driver.submit_view(user, "checkin_settings", values).json()
    assert refused["errors"] == {"paused_until": bundle.messages.text("pause_date_far")}
    member = Store(settings.coach_db).member(MemberKey("T0001", user))
    assert member is not None and member.tz == "Europe/Helsinki" and member.locale == "fi-FI"
    values["paused_until"] = {"paused_until": {"type": "datepicker", "selected_date": None}}
    assert driver.submit_view(user, "checkin_settings", values).status == 200
    (saved,) = driver.messages_with(user, "Tallennettu.")
    assert "(Europe/Helsinki)" in saved.args["text"] and "UTC" not in saved.args["text"]


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en-US", "pause the check-ins, a couple of things came up"),
        ("it-IT", "pausa, abbiamo un paio di clienti nuovi"),
    ],
)
def test_about_two_of_something_else_is_no_time_and_the_pause_stands(
    coach_server: SlackDriver, settings, locale: str, typed: str
) -> None:
    """Review: "couple" and "paio" counted as a time wherever they stood, so these were asked for a date."""
    driver, user = coach_server, f"U0COUPLE{locale[:2].upper()}"
    store, member = member_at_stage_3(driver, settings, user, locale)
    driver.dm(user, typed)
    driver.messages_with(user, load_bundle(locale[:2]).messages.text("paused")[:20])
    row = store.member(member)
    assert row is not None and row.paused and row.paused_until is None


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en-US", "pause for now"),
        ("en-US", "pause until further notice"),
        ("fi-FI", "tauko toistaiseksi"),
        ("it-IT", "pausa per un po'"),
        ("it-IT", "pausa fino a nuovo ordine"),
    ],
)
def test_a_pause_said_to_have_no_end_pauses_until_resumed(
    coach_server: SlackDriver, settings, locale: str, typed: str
) -> None:
    """Probe (over HTTP): these got "I couldn't read that date" and paused nothing."""
    driver, user = coach_server, f"U0OPEN{locale[:2].upper()}"
    store, member = member_at_stage_3(driver, settings, user, locale)
    driver.dm(user, typed)
    driver.messages_with(user, load_bundle(locale[:2]).messages.text("paused")[:25])
    row = store.member(member)
    assert row is not None and row.paused and row.paused_until is None


@pytest.mark.parametrize(
    ("field", "time", "date", "error"),
    [
        ("paused_until", "09:00", "2027-13-45", "pause_bad_date"),  # no date a date picker sends
        ("paused_until", "09:00", "soon", "pause_bad_date"),
        ("time", "03:17", None, "settings_bad_time"),  # no time the form offered
        ("time", "25:00", None, "settings_bad_time"),
    ],
)
def test_a_settings_form_sent_with_values_it_never_offered_is_refused_and_changes_nothing(
    coach_server: SlackDriver, settings, field: str, time: str, date: str | None, error: str
) -> None:
    """Attack probe: a signed submission with a garbled date lifted a pause, and one with an hour off
    the form's list was saved."""
    driver, user = coach_server, "U0FORGEDFORM"
    bundle, store, member = load_bundle("en"), Store(settings.coach_db), MemberKey("T0001", user)
    driver.dm(user, "pause until 2027-01-15")
    driver.messages_with(user, "Paused until")
    values: dict[str, dict[str, dict[str, object]]] = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "2"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": time}}},
        "paused_until": {"paused_until": {"type": "datepicker", "selected_date": date}},
    }
    refused = driver.submit_view(user, "checkin_settings", values).json()
    assert refused == {"response_action": "errors", "errors": {field: bundle.messages.text(error)}}
    row = store.member(member)
    assert row is not None and row.paused and str(row.paused_until) == "2027-01-15"  # the pause stands
    assert (row.checkin_weekday, row.checkin_time) == (0, "09:00")  # as it was


def test_unticking_pause_in_the_form_resumes_though_the_date_is_still_shown(
    coach_server: SlackDriver, settings
) -> None:
    """Probe (over HTTP): the form shows the pause's date; unticking "Pause" and saving said "Paused until
    20 December" and kept the member paused."""
    driver, user = coach_server, "U0UNTICK"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.dm(user, "pause until 2026-12-20")
    driver.messages_with(user, "Paused until")
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "0"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "09:00"}}},
        "paused": {"paused": {"type": "checkboxes", "selected_options": []}},
        "paused_until": {"paused_until": {"type": "datepicker", "selected_date": "2026-12-20"}},
    }
    assert driver.submit_view(user, "checkin_settings", values).status == 200
    driver.messages_with(user, "Saved. Your check-in comes every Monday")
    row = store.member(member)
    assert row is not None and not row.paused and row.paused_until is None
    values["paused_until"] = {"paused_until": {"type": "datepicker", "selected_date": "2027-01-10"}}  # a new date
    assert driver.submit_view(user, "checkin_settings", values).status == 200
    row = store.member(member)
    assert row is not None and row.paused and str(row.paused_until) == "2027-01-10"


def test_a_pause_that_ended_while_the_form_was_open_is_not_started_again_by_unticking(
    coach_server: SlackDriver, settings
) -> None:
    """Review: the form shows the pause's date; if the pause ended (resumed) while it was open, unticking
    "Pause" and saving compared the date with no pause at all and paused the member again."""
    driver, user = coach_server, "U0ENDEDOPEN"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.dm(user, "pause until 2026-12-20")
    driver.messages_with(user, "Paused until")
    assert driver.command(user, "settings").status == 200
    (opened,) = driver.fake.wait_for("views.open")
    assert opened.args["view"]["private_metadata"] == "2026-12-20"  # the date the form shows
    store.update_member(member, paused=0, paused_until=None)  # resumed meanwhile (a tick, or "resume")
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "0"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "09:00"}}},
        "paused": {"paused": {"type": "checkboxes", "selected_options": []}},
        "paused_until": {"paused_until": {"type": "datepicker", "selected_date": "2026-12-20"}},
    }
    payload = json.loads(parse_qs(driver.view_submission_body(user, "checkin_settings", values))["payload"][0])
    payload["view"]["private_metadata"] = "2026-12-20"
    reply = driver.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    assert reply.status == 200 and not reply.body  # saved, no errors under the fields
    row = store.member(member)
    assert row is not None and not row.paused and row.paused_until is None
