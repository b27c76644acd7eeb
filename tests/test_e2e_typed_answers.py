"""Typed answers at two questions of their own, end to end in every language: the actions asked about
in the weekly check-in ("done", "ei vielä 1", "lascia perdere"), and the quarterly offer to look again
(yes, no, later), each read by the check-in's reader and acted on as the buttons are."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.store import Store
from bot.views.actions import due_text
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import TEST_NOW, FrozenClock
from tests.slack_driver import SlackDriver
from tests.test_e2e_actions import DUE, MONDAY_CHECKIN
from tests.test_e2e_follow_up import THREE_MONTHS_ON, home_showing, take_assessment
from tests.test_e2e_home_privacy import home_opened
from tests.test_e2e_journey import place
from tests.test_e2e_lookback import NOT_YET, three_months_on
from tests.test_e2e_plan import user_in

TITLES = ("Ask five customers where they found us", "Photograph the new menu", "Print flyers")
TYPED = {  # "done" with three asked (which one?), then done 1, not yet 1, and drop the last one
    "en": ("done", "done 1", "not yet 1", "drop it"),
    "fi": ("valmis", "valmis 1", "ei vielä 1", "poista"),
    "it": ("fatto", "fatto 1", "non ancora 1", "lascia perdere"),
}


def with_actions(driver: SlackDriver, settings, clock: FrozenClock, tick, user: str) -> MemberKey:
    """Three actions of the member's due this week, asked about in Monday's check-in; then it is Monday."""
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    place(store, member, 3, "Europe/Helsinki", TEST_NOW)
    for title in TITLES:
        store.actions.create(member, user, "step:measurement", title, date.fromisoformat(DUE), TEST_NOW)
    tick(MONDAY_CHECKIN)
    clock.now = MONDAY_CHECKIN + timedelta(hours=1)
    return member


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_actions_asked_in_the_checkin_are_answered_by_typing(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str
) -> None:
    driver, messages = coach_server, load_bundle(language).messages
    user = user_in(driver, language, "TYPIST")
    member = with_actions(driver, settings, clock, tick, user)
    driver.messages_with(user, messages.text("actions_due_title"))
    which, done, not_yet, drop = TYPED[language]

    driver.dm(user, which)  # three asked: which one?
    driver.messages_with(user, messages.text("action_which")[:20])
    driver.dm(user, done)
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[0]))
    driver.dm(user, not_yet)  # numbered afresh: the first of the two left
    driver.messages_with(user, messages.text("action_answered_not_yet", title=TITLES[1]))
    driver.dm(user, drop)  # one left: no number needed
    driver.messages_with(user, messages.text("action_answered_drop", title=TITLES[2]))

    statuses = {a.title: a.status for a in Store(settings.coach_db).actions.of_member(member)}
    assert statuses == {TITLES[0]: "done", TITLES[1]: "open", TITLES[2]: "dropped"}
    home_opened(driver, user)
    bundle = load_bundle(language)
    line = messages.text("home_action", title=TITLES[0], owner=f"<@{user}>", date=due_text(bundle, DUE))
    home_showing(driver, user, f"✅ {line}")


def test_a_typed_checkin_answer_is_still_the_checkins_and_actions_stay_open_after_it(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock
) -> None:
    driver, messages = coach_server, load_bundle("en").messages
    user = user_in(driver, "en", "BOTH")
    member = with_actions(driver, settings, clock, tick, user)
    driver.dm(user, "we moved forward")  # the check-in's answer, not an action's
    driver.messages_with(user, load_bundle("en").stages.stage(4).name)  # stage 4 now
    assert (row := Store(settings.coach_db).member(member)) is not None and row.stage == 4
    driver.dm(user, "Print flyers is done: number 3")  # the check-in answered, its actions still asked
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[2]))
    statuses = [a.status for a in Store(settings.coach_db).actions.of_member(member)]
    assert sorted(statuses) == ["done", "open", "open"]


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_actions_typed_in_the_dm_lists_them_to_answer(
    coach_server: SlackDriver, settings, clock: FrozenClock, language: str
) -> None:
    driver, messages = coach_server, load_bundle(language).messages
    user = user_in(driver, language, "LISTER")
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    store.ensure_member(member, TEST_NOW)
    store.update_member(member, locale=LOCALE[language])  # known, in their language
    driver.dm(user, load_bundle(language).reading.intents["actions"][1])  # "my actions": none yet
    driver.messages_with(user, messages.text("actions_none")[:30])
    store.actions.create(member, user, "plan:resources", TITLES[1], date(2027, 2, 1), TEST_NOW)
    driver.dm(user, load_bundle(language).reading.intents["actions"][0])
    driver.messages_with(user, messages.text("actions_open_title"))
    driver.dm(user, TYPED[language][1].split()[0])  # one listed: "done" is about it
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[1]))


OFFER = {
    "en": {"yes": "yes please", "no": "no thanks", "later": "maybe later"},
    "fi": {"yes": "kyllä, katsotaan", "no": "ei kiitos", "later": "myöhemmin"},
    "it": {"yes": "sì, certo", "no": "no grazie", "later": "più tardi"},
}
LOCALE = {"en": "en-US", "fi": "fi-FI", "it": "it-IT"}
CHECKIN_SAME = {"en": "same as last week", "fi": "samassa vaiheessa", "it": "tutto uguale"}


@pytest.mark.parametrize("answer", ["yes", "no", "later"])
@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_the_offer_to_look_again_is_answered_by_typing(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str, answer: str
) -> None:
    driver, user = coach_server, f"U0OFFER{language.upper()}{answer.upper()}"
    bundle = load_bundle(take_assessment(driver, user, LOCALE[language], NOT_YET))
    messages = bundle.messages
    place(Store(settings.coach_db), MemberKey("T0001", user), 3, "UTC", TEST_NOW)
    three_months_on(driver, tick, user, messages.text("button_lookback_yes"))
    clock.now = THREE_MONTHS_ON + timedelta(hours=1)
    driver.dm(user, OFFER[language][answer])
    if answer == "yes":
        driver.wait_question(user, 7)  # the first question of the new assessment
        return
    driver.messages_with(user, messages.text("lookback_declined" if answer == "no" else "offer_later")[:25])
    driver.dm(user, CHECKIN_SAME[language])  # the check-in sent beside the offer is still open
    store = Store(settings.coach_db)
    driver.fake.wait_until(lambda _c: store.has_checkin(MemberKey("T0001", user), "2027-W09") or None, expected="it")
    driver.dm(user, OFFER[language]["yes"])  # the offer was answered: a yes now starts nothing
    driver.messages_with(user, messages.text("open_not_understood", text="x")[:25])
    assert len(driver.question_messages(user)) == 6


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_check_in_asked_for_asks_about_the_weeks_actions_too(
    coach_server: SlackDriver, settings, language: str
) -> None:
    driver, bundle = coach_server, load_bundle(language)
    user = user_in(driver, language, "ASKER")
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    place(store, member, 3, "Europe/Helsinki", TEST_NOW)
    store.update_member(member, locale=LOCALE[language])
    store.actions.create(member, user, "plan:resources", TITLES[2], date(2026, 11, 27), TEST_NOW)
    driver.dm(user, bundle.reading.intents["checkin"][0])  # "check in", "katsaus", "check-in"
    driver.messages_with(user, bundle.messages.text("actions_due_title"))
    driver.dm(user, TYPED[language][3])  # drop it: the one asked
    driver.messages_with(user, bundle.messages.text("action_answered_drop", title=TITLES[2]))
    driver.dm(user, CHECKIN_SAME[language])  # and the check-in it came with
    driver.fake.wait_until(lambda _c: store.has_checkin(member, "2026-W48") or None, expected="the check-in")


@pytest.mark.parametrize(
    ("language", "both"),
    [("en", "moved forward, done 1"), ("fi", "mentiin eteenpäin, valmis 1"), ("it", "siamo andati avanti e fatto 1")],
)
def test_a_checkin_answer_typed_with_an_actions_answer_records_both(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, language: str, both: str
) -> None:
    """Chat probe: "moved forward, done 1" marked the action done and lost the check-in answer."""
    driver, messages = coach_server, load_bundle(language).messages
    user = user_in(driver, language, "BOTH")
    member = with_actions(driver, settings, clock, tick, user)
    driver.messages_with(user, messages.text("actions_due_title"))
    driver.dm(user, both)
    driver.messages_with(user, messages.text("action_answered_done", title=TITLES[0]))
    store = Store(settings.coach_db)
    assert {a.title: a.status for a in store.actions.of_member(member)}[TITLES[0]] == "done"
    period = store.latest_sent_period(member, "checkin")
    assert period is not None and store.has_checkin(member, period)
    assert store.member(member).stage == 4  # type: ignore[union-attr]
