"""App Home and the member's control of their data, end to end over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.models.views import View

from bot.store import Store
from bot.usecases.home import home_tab
from bot.views.home import home_view
from flows.content import load_bundle
from flows.values import MemberKey
from tests.blocks import all_text
from tests.conftest import wait_for_empty_outbox
from tests.slack_driver import SlackDriver

USER = "U0ERIN"
MEMBER = MemberKey("T0001", USER)


def home_opened(driver: SlackDriver, user: str) -> None:
    driver.open_home(user)


def published_homes(driver: SlackDriver, user: str, count: int) -> list[str]:
    calls = driver.fake.wait_for("views.publish", count=count, user_id=user)
    return [all_text(c.args["view"]["blocks"]) for c in calls]


def home_showing(driver: SlackDriver, user: str, fragment: str) -> str:
    """Wait until a Home view published for the member shows ``fragment``; return its text."""

    def found(calls: list) -> str | None:
        homes = [all_text(c.args["view"]["blocks"]) for c in calls if c.method == "views.publish"]
        return next((text for text in reversed(homes) if fragment in text), None)

    return driver.fake.wait_until(found, expected=f"a Home view showing {fragment!r}")


def test_home_welcomes_then_shows_real_figures_and_updates_after_answers(coach_server: SlackDriver) -> None:
    driver = coach_server
    home_opened(driver, USER)
    (first,) = published_homes(driver, USER, 1)
    assert "I help you and your team" in first and "Start the assessment" in first
    assert "Only you see this page" in first

    driver.command(USER)
    for count, word in enumerate(["yes", "partly", "no", "yes", "yes", "partly"], start=1):
        driver.wait_question(USER, count)
        driver.dm(USER, word)
    driver.messages_with(USER, "Your social media readiness")
    latest = home_showing(driver, USER, "Latest result")
    assert "*Not for now*, 8 of 12 points" in latest  # nobody with time: not for now
    assert (
        ":large_green_square::large_green_square::large_green_square::large_green_square:  A clear reason: Ready"
        in latest
    )
    assert ":large_red_square::white_large_square:" in latest  # resources: not yet
    assert "Next step, Time and people to keep going" in latest
    assert "I help you and your team" not in latest  # the welcome is for the first visit only


def test_home_journey_timeline_and_checkin_now(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    home_opened(driver, USER)
    published_homes(driver, USER, 1)  # a first look: from now on it follows the member's steps
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:4")
    driver.messages_with(USER, "You're at stage 4")
    home = published_homes(driver, USER, 2)[-1]
    assert "*Now:* stage 4" in home and "This week's tip" in home and "Weekly check-in: every Monday at 09:00" in home
    view = driver.fake.calls_to("views.publish")[-1].args["view"]
    home_message = driver.fake.calls_to("views.publish")[-1]
    home_message.args["channel"] = f"D{USER}"  # clicks in the Home tab carry no channel; the driver needs one
    home_message.args["blocks"] = view["blocks"]
    driver.click(USER, home_message, "checkin_now")
    (checkin,) = driver.messages_with(USER, "Where are you now?")
    assert "You placed yourself at stage 4 today" in checkin.args["text"]  # not "last week", minutes after
    driver.click(USER, checkin, "checkin:forward")
    driver.messages_with(USER, "You're at stage 5")
    store = Store(settings.coach_db)
    assert store.member(MEMBER).stage == 5  # type: ignore[union-attr]
    period = checkin.args["blocks"][1]["block_id"].removeprefix("checkin:")
    sends = list(store.db.table("sends").rows_where("user_id = ?", [USER]))
    assert [(s["kind"], s["period"], s["status"]) for s in sends] == [("checkin", period, "sent")]


def test_largest_realistic_home_view_fits_slacks_limits(tmp_path) -> None:
    """A member with a year of weekly check-ins, stage changes every week and many retakes."""
    store = Store(tmp_path / "c.db")
    bundle = load_bundle()
    start = datetime(2025, 11, 24, 7, 0, tzinfo=UTC)
    store.ensure_member(MEMBER, start)
    for week in range(52):
        row = store.member(MEMBER)
        assert row is not None
        store.set_stage(row, 1 + week % 6, "checkin", start + timedelta(weeks=week))
        store.record_tip(MEMBER, 1 + week % 6, week % 5, start + timedelta(weeks=week))
        store.record_checkin(MEMBER, f"2026-W{week:02d}", 1 + week % 6, "forward", start + timedelta(weeks=week))
    for _ in range(12):
        assessment = store.create_assessment(MEMBER, "reason", start)
        for _question in range(5):
            fresh = store.assessment(assessment.id)
            assert fresh is not None
            store.advance(fresh, "x", start, None)
        fresh = store.assessment(assessment.id)
        assert fresh is not None
        store.advance(fresh, "summary", start, None, completed=True)
    view = home_view(bundle, home_tab(store, bundle, MEMBER))
    payload = view.to_dict()  # runs slack_sdk's own validation of every block
    assert isinstance(view, View) and len(payload["blocks"]) <= 100
    assert len(json.dumps(payload)) < 250_000
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


def test_export_sends_a_json_file_of_everything(coach_server: SlackDriver) -> None:
    driver = coach_server
    driver.command(USER)
    driver.wait_question(USER, 1)
    driver.dm(USER, "yes")
    driver.wait_question(USER, 2)
    assert "putting your data together" in driver.command_reply(USER, "export")["text"]
    upload = driver.fake.wait_for("upload")[0]
    complete = driver.fake.wait_for("files.completeUploadExternal")[0]
    assert complete.args["channel_id"] == f"D{USER}"
    data = json.loads(upload.args["content"])
    assert data["user_id"] == USER and data["member"]["user_id"] == USER
    (assessment,) = data["assessments"]
    assert assessment["state"] == "networks"
    assert [(a["question_id"], a["rating"], a["source"]) for a in assessment["answers"]] == [
        ("reason", "ready", "text")
    ]


def test_forget_asks_first_then_leaves_nothing_behind(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    other = "U0KEEP"
    for user in (USER, other):
        driver.command(user)
        driver.wait_question(user, 1)
        driver.dm(user, "yes")
        driver.wait_question(user, 2)
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:2")
    driver.messages_with(USER, "You're at stage 2")

    question = driver.command_reply(USER, "forget")
    assert "cannot be undone" in question["text"]
    assert "your plan's canvas and your action list items" in question["text"]  # what goes in Slack too
    confirm_message = driver.fake.calls_to("conversations.open")[0]  # any recorded call works as a carrier
    confirm_message.args.update(channel="C0GENERAL", blocks=question["blocks"])
    confirm_message.response["ts"] = "1.1"
    driver.click(USER, confirm_message, "forget_confirm")
    driver.messages_with(USER, "has been deleted")
    store = Store(settings.coach_db)
    wait_for_empty_outbox(store)
    driver.click(USER, confirm_message, "forget_confirm")  # attack probe: "deleted" said again
    driver.messages_with(USER, load_bundle("en").messages.text("forgotten_already"))
    wait_for_empty_outbox(store)
    for table in store.db.table_names():
        for row in store.db.table(table).rows:
            assert USER not in json.dumps(row), f"{table} still mentions the member: {row}"
    assert store.member(MemberKey("T0001", other)) is not None  # nobody else's data was touched


def test_a_home_the_member_looked_at_shows_nothing_of_theirs_once_they_are_forgotten(
    coach_server: SlackDriver, settings
) -> None:
    """Slack keeps showing the last Home view published: after a forget it must be one that holds
    nothing of the member's, not the stage they were at."""
    driver = coach_server
    home_opened(driver, USER)
    published_homes(driver, USER, 1)
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:4")
    home_showing(driver, USER, "*Now:* stage 4")
    before = len(driver.fake.calls_to("views.publish"))

    question = driver.command_reply(USER, "forget")
    carrier = driver.fake.calls_to("conversations.open")[0]  # any recorded call carries the buttons
    carrier.args.update(channel="C0GENERAL", blocks=question["blocks"])
    carrier.response["ts"] = "1.1"
    driver.click(USER, carrier, "forget_confirm")
    driver.messages_with(USER, "has been deleted")
    wait_for_empty_outbox(Store(settings.coach_db))
    after = driver.fake.wait_for("views.publish", count=before + 1, user_id=USER)[-1]
    shown = all_text(after.args["view"]["blocks"])
    assert "stage 4" not in shown and "Start the assessment" in shown
    assert Store(settings.coach_db).member(MEMBER) is None  # publishing it kept nothing of theirs


@pytest.mark.parametrize(
    ("locale", "typed"), [("en-US", "forget 3"), ("fi-FI", "unohda 3"), ("it-IT", "dimentica la 3")]
)
def test_forget_with_more_words_never_asks_to_delete_everything(
    coach_server: SlackDriver, settings, locale: str, typed: str
) -> None:
    """Chat probe: "unohda 3" (meaning action 3) brought up the delete-everything question, and a plain
    "kyllä" then deleted the member's data."""
    driver = coach_server
    user = f"U0FORGET{locale[:2].upper()}"
    driver.fake.users[user] = {"id": user, "locale": locale}
    driver.command(user)
    driver.wait_question(user, 1)
    driver.settle(user)  # "help" closes nothing: question 1 stays open
    driver.command(user, "stage")  # nothing typed is an answer from here
    driver.settle(user)
    before = len(driver.fake.messages_to(f"D{user}"))
    driver.dm(user, typed)
    driver.settle(user)
    forget_question = load_bundle(locale[:2]).messages.text("forget_question")[:30]
    sent = driver.fake.messages_to(f"D{user}")[before:]
    assert not any(forget_question in (c.args.get("text") or "") for c in sent)
    assert Store(settings.coach_db).member(MemberKey("T0001", user)) is not None
