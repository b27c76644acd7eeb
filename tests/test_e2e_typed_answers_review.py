"""Typed answers about actions and to the offer to look again, end to end in every language, where a
reply could mean two things: a number after "which action?", an answer to the actions or the check-in
sent beside the offer, a stray remark after the check-in, a number that is not an action's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.store import Store
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import TEST_NOW, FrozenClock
from tests.slack_driver import SlackDriver
from tests.test_e2e_follow_up import THREE_MONTHS_ON, take_assessment
from tests.test_e2e_journey import place
from tests.test_e2e_lookback import NOT_YET, three_months_on
from tests.test_e2e_plan import user_in
from tests.test_e2e_typed_answers import CHECKIN_SAME, LOCALE, OFFER, TITLES, with_actions

WEEK = "2026-W49"  # the week of Monday's check-in
PICKED = {  # "done" with three asked, then "2" alone: the second done; drop the last; a number not an action's
    "en": ("done", "2", "drop 2", "done, took 3 hours"),
    "fi": ("valmis", "2", "poista 2", "valmis, kesti 3 tuntia"),
    "it": ("fatto", "2", "lascia perdere 2", "fatto, ci ho messo 3 ore"),
}


def statuses(settings, member: MemberKey) -> dict[str, str]:
    return {a.title: a.status for a in Store(settings.coach_db).actions.of_member(member)}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_number_after_which_action_picks_it_and_never_answers_the_checkin(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str
) -> None:
    driver, messages = coach_server, load_bundle(language).messages
    user = user_in(driver, language, "PICKER")
    member = with_actions(driver, settings, clock, tick, user)
    done, number, drop, hours = PICKED[language]
    driver.dm(user, done)
    driver.messages_with(user, messages.text("action_which")[:20])
    driver.dm(user, number)  # the answer given, for the second action: not "moved forward" at the check-in
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[1]))
    assert (row := Store(settings.coach_db).member(member)) is not None and row.stage == 3
    assert not Store(settings.coach_db).has_checkin(member, WEEK)
    driver.dm(user, drop)
    driver.messages_with(user, messages.text("action_answered_drop", title=TITLES[2]))
    driver.dm(user, hours)  # one left: 3 is not an action's number
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[0]))
    assert statuses(settings, member) == {TITLES[0]: "done", TITLES[1]: "done", TITLES[2]: "dropped"}


ALL_DONE = {"en": "all done", "fi": "kaikki valmiita", "it": "tutte fatte"}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_all_done_answers_every_action_asked(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str
) -> None:
    driver, messages = coach_server, load_bundle(language).messages
    user = user_in(driver, language, "ALLDONE")
    member = with_actions(driver, settings, clock, tick, user)
    driver.dm(user, ALL_DONE[language])
    for title in TITLES:
        driver.messages_with(user, messages.text("action_answered_done", title=title))
    assert set(statuses(settings, member).values()) == {"done"}


STRAY = {  # after the check-in and a word about something else: remarks that are no answer about an action
    "en": ("hello", "thanks, all done", "I'm done for today", "done, feeling better"),
    "fi": ("moi", "kunnossa, kiitos", "poista minut", "valmis, menee paremmin"),
    "it": ("ciao", "ok, tutto fatto", "finito per oggi", "fatto, va meglio"),
}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_stray_remark_after_the_checkin_closes_no_action(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str
) -> None:
    driver, messages = coach_server, load_bundle(language).messages
    user = user_in(driver, language, "STRAY")
    member = with_actions(driver, settings, clock, tick, user)
    store = Store(settings.coach_db)
    driver.dm(user, CHECKIN_SAME[language])
    driver.fake.wait_until(lambda _c: store.has_checkin(member, WEEK) or None, expected="the check-in")
    for typed in STRAY[language]:  # the first, about nothing asked, closes the question about the actions
        driver.dm(user, typed)
        driver.messages_with(user, messages.text("open_not_understood", text=typed))
    assert set(statuses(settings, member).values()) == {"open"}
    driver.dm(user, PICKED[language][2])  # an answer that is the whole message still answers
    driver.messages_with(user, messages.text("action_answered_drop", title=TITLES[1]))


THANKS = {"en": "thanks!", "fi": "kiitos!", "it": "grazie!"}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_actions_listed_are_asked_no_more_after_a_remark_about_something_else(
    coach_server: SlackDriver, settings, language: str
) -> None:
    driver, bundle = coach_server, load_bundle(language)
    user = user_in(driver, language, "THANKS")
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    store.ensure_member(member, TEST_NOW)
    store.update_member(member, locale=LOCALE[language])
    for title in TITLES[:2]:
        store.actions.create(member, user, "plan:resources", title, date(2027, 2, 1), TEST_NOW)
    driver.dm(user, bundle.reading.intents["actions"][0])
    driver.messages_with(user, bundle.messages.text("actions_open_title"))
    driver.dm(user, f"{PICKED[language][0]} 1")
    driver.messages_with(user, bundle.messages.text("action_answered_done", title=TITLES[0]))
    driver.dm(user, THANKS[language])
    driver.messages_with(user, bundle.messages.text("open_not_understood", text=THANKS[language]))


BESIDE_THE_OFFER = {  # not yet and done about the action, the check-in, unclear, then yes to the offer
    "en": ("no, not yet", "yes, done!", "same, no change", "maybe", "yes please"),
    "fi": ("ei vielä", "joo valmis", CHECKIN_SAME["fi"], "en tiedä", OFFER["fi"]["yes"]),
    "it": ("no, non ancora", "ok fatto", CHECKIN_SAME["it"], "sì ma dopo", OFFER["it"]["yes"]),
}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_answers_about_the_actions_and_checkin_sent_beside_the_offer_are_theirs(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str
) -> None:
    driver, user = coach_server, f"U0BESIDE{language.upper()}"
    messages = load_bundle(take_assessment(driver, user, LOCALE[language], NOT_YET)).messages
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    place(store, member, 3, "UTC", TEST_NOW)
    due = (THREE_MONTHS_ON + timedelta(days=2)).date()  # asked in the check-in sent with the offer
    store.actions.create(member, user, "step:pipeline", TITLES[0], due, TEST_NOW)
    three_months_on(driver, tick, user, messages.text("button_lookback_yes"))
    clock.now = THREE_MONTHS_ON + timedelta(hours=1)
    not_yet, done, same, unclear, yes = BESIDE_THE_OFFER[language]
    driver.dm(user, not_yet)
    driver.messages_with(user, messages.text("action_answered_not_yet", title=TITLES[0]))
    driver.dm(user, done)
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[0]))
    assert len(driver.question_messages(user)) == 6  # no new assessment started
    driver.dm(user, same)
    driver.fake.wait_until(lambda _c: store.has_checkin(member, "2027-W09") or None, expected="the check-in")
    driver.dm(user, unclear)  # the offer, still unanswered, is asked again
    driver.messages_with(user, messages.text("choice_unclear", text=unclear))
    driver.messages_with(user, messages.text("button_lookback_yes"), count=2)
    driver.dm(user, yes)
    driver.wait_question(user, 7)  # the first question of the new assessment
