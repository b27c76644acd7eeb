"""A look back every quarter, end to end in every language: three months after an assessment a member
on weekly check-ins is offered to take it again (beside that week's check-in, sent by ``coach tick
--now``), and the new result shows, per question, where they were and where they are now, on the
scorecard and on App Home; the offer can be declined, and is then not made again for that result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import Store
from bot.views.common import format_date
from flows.content import load_bundle
from flows.values import MemberKey
from tests.blocks import all_text
from tests.conftest import TEST_NOW, FrozenClock
from tests.fake_slack import Call
from tests.slack_driver import SlackDriver, delivered_to
from tests.test_e2e_follow_up import FIRST_MONDAY, THREE_MONTHS_ON, home_showing, take_assessment
from tests.test_e2e_home_privacy import home_opened
from tests.test_e2e_journey import place
from tests.test_e2e_plan import RESOURCES, submit_section

NOT_YET = {"pipeline": "not_yet"}  # no route for customer feedback: Not yet, with weekly check-ins
BETTER = {"pipeline": "partly"}


def three_months_on(driver: SlackDriver, tick, user: str, text: str) -> Call:
    for instant in (FIRST_MONDAY, THREE_MONTHS_ON - timedelta(days=6), THREE_MONTHS_ON):
        tick(instant)
    (offer,) = driver.messages_with(user, text)
    return offer


@pytest.mark.parametrize("locale", ["en-US", "fi-FI", "it-IT"])
def test_three_months_on_a_new_result_shows_before_and_after(
    coach_server: SlackDriver, tick, settings, clock: FrozenClock, locale: str
) -> None:
    driver, user = coach_server, f"U0LOOK{locale[:2].upper()}"
    bundle = load_bundle(take_assessment(driver, user, locale, NOT_YET))
    messages = bundle.messages
    driver.messages_with(user, bundle.assessment.verdicts["not_yet"].title)
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    place(store, member, 3, "UTC", TEST_NOW)
    submit_section(driver, user, "resources", RESOURCES)  # a plan canvas, which will show the look back too
    canvas_id = driver.fake.wait_for("canvases.create")[0].response["canvas_id"]
    driver.fake.wait_until(lambda _c: store.plans.document(member), expected="the canvas recorded")

    offer = three_months_on(driver, tick, user, messages.text("button_lookback_yes"))
    assert "2026" in offer.args["text"]  # the date of the assessment it looks back on
    clock.now = THREE_MONTHS_ON + timedelta(hours=1)
    assert driver.click(user, offer, "assessment_start").status == 200
    for count, question_id in enumerate(("reason", "networks", "resources", "pipeline", "policy", "measurement"), 1):
        driver.click(user, driver.wait_question(user, count + 6), f"answer:{BETTER.get(question_id, 'ready')}")

    pipeline = bundle.assessment.question("pipeline").title
    change = f"{pipeline}: {messages.text('rating_not_yet')} → {messages.text('rating_partly')}"
    (summary,) = driver.messages_with(user, change)
    text = all_text(summary.args["blocks"])
    then, now = bundle.assessment.verdicts["not_yet"].title, bundle.assessment.verdicts["ready"].title
    assert f"{then} → {now}" in text
    reason = bundle.assessment.question("reason").title
    assert f"{reason}: {messages.text('rating_ready')} → {messages.text('rating_ready')}" in text
    over_time = [  # the verdicts over time, with their dates
        messages.text("verdict_point", date=format_date(bundle, when), verdict=bundle.assessment.verdicts[v].title)
        for when, v in ((TEST_NOW, "not_yet"), (clock.now, "ready"))
    ]
    assert messages.text("verdicts_over_time") in text and f"• {over_time[0]}\n• {over_time[1]}" in text
    home_opened(driver, user)
    home_showing(driver, user, change)
    home_showing(driver, user, f"• {over_time[0]}\n• {over_time[1]}")
    in_canvas = f"- {change}"
    driver.fake.wait_until(lambda _c: in_canvas in driver.fake.canvases.text(canvas_id) or None, expected="look back")
    assert f"## {bundle.plan.text('canvas_progress_heading')}" in driver.fake.canvases.text(canvas_id)
    canvas = driver.fake.canvases.text(canvas_id)
    assert messages.text("verdicts_over_time") in canvas
    assert canvas.index(f"- {over_time[0]}") < canvas.index(f"- {over_time[1]}")  # oldest first


def test_the_look_back_can_be_declined_and_is_not_offered_again(coach_server: SlackDriver, tick, settings) -> None:
    driver, user = coach_server, "U0NOLOOK"
    messages = load_bundle(take_assessment(driver, user, "en-US", NOT_YET)).messages
    place(Store(settings.coach_db), MemberKey("T0001", user), 3, "UTC", TEST_NOW)
    offer = three_months_on(driver, tick, user, messages.text("button_lookback_yes"))
    assert driver.click(user, offer, "lookback_decline").status == 200
    driver.messages_with(user, messages.text("lookback_declined")[:30])
    for week in (1, 2, 3):
        tick(THREE_MONTHS_ON + timedelta(weeks=week))
    offers = [c for c in delivered_to(driver.fake.calls, user) if "lookback_decline" in str(c.args.get("blocks"))]
    assert len(offers) == 1  # declined once: not offered again for that result; the check-ins go on
    checkins = [c for c in delivered_to(driver.fake.calls, user) if "checkin:" in str(c.args.get("blocks"))]
    assert len(checkins) >= 4
