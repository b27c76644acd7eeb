"""What follows a verdict, end to end in every language: after *Not for now* no plan offer and no
weekly check-in, only one quiet question three months on (sent by ``coach tick --now``, declined by
a signed click); a member whose plan is written is not asked to write it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.plans import PlanStore
from flows.content import QUESTION_IDS, language_for, load_bundle
from flows.plan_document import FieldValue
from flows.values import MemberKey
from tests.blocks import all_text
from tests.conftest import TEST_NOW
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver, delivered_to
from tests.test_e2e_home_privacy import home_opened
from tests.test_e2e_journey import place

LOCALES = ("en-US", "fi-FI", "it-IT")
NOT_FOR_NOW = {"reason": "not_yet"}  # no clear reason, everything else ready
FIRST_MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first weekly slot after TEST_NOW (09:00 UTC)
THREE_MONTHS_ON = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # the first Monday slot 91 days or more after it


def texts_to(fake: FakeSlack, user: str) -> list[str]:
    return [all_text(c.args.get("blocks") or []) + c.args.get("text", "") for c in delivered_to(fake.calls, user)]


def take_assessment(driver: SlackDriver, user: str, locale: str, ratings: dict[str, str]) -> str:
    """Click through the assessment (``ratings`` overrides "ready") and return the member's language."""
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "UTC"}
    driver.command(user)
    for count, question_id in enumerate(QUESTION_IDS, start=1):
        question = driver.wait_question(user, count)
        driver.click(user, question, f"answer:{ratings.get(question_id, 'ready')}")
    return language_for(locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_not_for_now_gets_no_plan_no_checkins_and_one_quiet_question(
    coach_server: SlackDriver, tick, settings, locale: str
) -> None:
    driver, user = coach_server, f"U0NFN{locale[:2].upper()}"
    bundle = load_bundle(take_assessment(driver, user, locale, NOT_FOR_NOW))
    messages, plan = bundle.messages, bundle.plan
    driver.messages_with(user, bundle.assessment.verdicts["better_elsewhere"].title)
    driver.messages_with(user, messages.text("after_not_for_now")[:40])
    sent = texts_to(driver.fake, user)
    assert not any(plan.text("offer_text")[:30] in text or "plan_build" in text for text in sent)

    home = home_showing(driver, user, messages.text("home_plan_not_for_now"))
    assert "plan_open:" not in home and "plan_build" not in home  # App Home offers no plan either

    member = MemberKey("T0001", user)
    place(Store(settings.coach_db), member, 3, "UTC", TEST_NOW)  # even a member placed on the journey earlier
    home_opened(driver, user)
    home_showing(driver, user, messages.text("home_schedule_not_for_now"))
    before = len(delivered_to(driver.fake.calls, user))
    tick(FIRST_MONDAY)
    tick(FIRST_MONDAY + timedelta(weeks=1))
    assert len(delivered_to(driver.fake.calls, user)) == before  # no check-in, no invite

    tick(THREE_MONTHS_ON - timedelta(days=6))  # reschedules the slot, not yet three months
    assert len(delivered_to(driver.fake.calls, user)) == before
    tick(THREE_MONTHS_ON)
    (question,) = driver.messages_with(user, messages.text("button_revisit_no"))
    assert "25" in question.args["text"] and "2026" in question.args["text"]  # the date of the verdict, by Babel
    assert driver.click(user, question, "revisit_decline").status == 200
    driver.messages_with(user, messages.text("revisit_declined")[:30])
    after = len(delivered_to(driver.fake.calls, user))
    tick(THREE_MONTHS_ON + timedelta(weeks=1))
    tick(THREE_MONTHS_ON + timedelta(weeks=2))
    assert len(delivered_to(driver.fake.calls, user)) == after  # asked once, declined: nothing more


def test_yes_to_the_three_month_question_starts_the_assessment_again(coach_server: SlackDriver, tick) -> None:
    driver, user = coach_server, "U0AGAIN"
    take_assessment(driver, user, "en-US", {"resources": "not_yet"})
    driver.messages_with(user, "better to stop here")
    for instant in (FIRST_MONDAY, THREE_MONTHS_ON - timedelta(days=6), THREE_MONTHS_ON):
        tick(instant)
    (question,) = driver.messages_with(user, "Has anything changed")
    driver.click(user, question, "assessment_start")
    assert "Question 1 of 6" in driver.wait_question(user, 7).args["text"]


def written_plan() -> dict[str, dict[str, FieldValue]]:
    person = "U0OWNER"
    return {
        "reason": {"so_that": "more weekday bookings", "works_when": "ten a month say they found us online"},
        "networks": {"networks": ("instagram",), "customers_where": "Instagram", "start_with": "instagram"},
        "resources": {"owner": person, "hours": "1_2"},
        "pipeline": {"complaints": person, "ideas": person, "sales": person, "speed": "one_day"},
        "policy": {"rules": ("tone",)},
        "measurement": {"figures": ("reach",), "where": "Insights", "review": "monthly"},
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_a_member_with_the_plan_written_is_not_asked_to_write_it(
    coach_server: SlackDriver, db_path: Path, locale: str
) -> None:
    driver, user = coach_server, f"U0PLN{locale[:2].upper()}"
    store = Store(db_path)
    member = MemberKey("T0001", user)
    store.ensure_member(member, TEST_NOW)
    for section_id, values in written_plan().items():
        PlanStore(store).save_section(member, section_id, values, TEST_NOW)
    bundle = load_bundle(take_assessment(driver, user, locale, {"measurement": "partly"}))
    driver.messages_with(user, bundle.assessment.verdicts["ready"].title)
    driver.messages_with(user, bundle.messages.text("plan_already_written")[:40])
    sent = texts_to(driver.fake, user)
    assert not any(bundle.plan.text("offer_text")[:30] in text or "plan_build" in text for text in sent)


def home_showing(driver: SlackDriver, user: str, fragment: str) -> str:
    """The member opens App Home; wait until a Home view published for them shows ``fragment``; its text
    and action ids."""
    driver.open_home(user)

    def found(calls: list) -> str | None:
        homes = [c.args["view"]["blocks"] for c in calls if c.method == "views.publish" and c.args["user_id"] == user]
        texts = [all_text(blocks) + json.dumps(blocks) for blocks in homes]
        return next((text for text in reversed(texts) if fragment in text), None)

    return driver.fake.wait_until(found, expected=f"{user}'s Home view showing {fragment!r}")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_checkin_time_typed_after_not_for_now_says_in_one_message_that_none_will_come(
    coach_server: SlackDriver, settings, locale: str
) -> None:
    """Probe (over HTTP): "Saved. Your check-in comes every Tuesday" after *Not for now*, when none
    will come; review: one message, not a promise and then its denial."""
    driver, user = coach_server, f"U0NFNSET{locale[:2].upper()}"
    bundle = load_bundle(take_assessment(driver, user, locale, NOT_FOR_NOW))
    driver.messages_with(user, bundle.messages.text("after_not_for_now")[:40])
    driver.dm(user, {"en-US": "Tuesdays at 8", "fi-FI": "tiistaisin klo 8", "it-IT": "il martedì alle 8"}[locale])
    saved = bundle.messages.text("settings_saved_not_for_now", weekday="W", time="T", tz="Z")
    driver.messages_with(user, saved.split("(Z)")[1][:40])
    promise = bundle.messages.text("settings_saved", weekday="W", time="T", tz="Z").split("W")[0]
    assert not [text for text in texts_to(driver.fake, user) if text.startswith(promise)]
