"""The team report: refused for plain members, totals for admins, the three-member rule, the opt-in,
and the weekly digest posted once per week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.store import Store
from flows.values import MemberKey
from tests.blocks import all_text
from tests.conftest import TEST_NOW, serving
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

ADMIN = "U0ADMIN"


def finish_assessment(driver: SlackDriver, user: str, word: str) -> None:
    driver.command(user)
    for count in range(1, 7):
        driver.wait_question(user, count)
        driver.dm(user, word)
    driver.messages_with(user, "Your social media readiness")


def report_reply(driver: SlackDriver, user: str, text: str = "report") -> str:
    reply = driver.command_reply(user, text)
    return reply.get("text", "") + all_text(reply.get("blocks") or [])


def test_plain_members_are_refused_politely(coach_server: SlackDriver) -> None:
    assert "for workspace owners and admins" in report_reply(coach_server, "U0PLAIN")


def test_admin_sees_totals_but_no_breakdown_below_three_members(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True, "tz": "Europe/Helsinki"}
    finish_assessment(driver, "U0ONE", "yes")
    finish_assessment(driver, "U0TWO", "no")
    text = report_reply(driver, ADMIN)
    assert "Members who have taken the readiness assessment: *2* of 2" in text
    assert "Readiness:" not in text and "at least three members" in text

    finish_assessment(driver, "U0THREE", "partly")
    text = report_reply(driver, ADMIN)
    assert "*3* of 3" in text
    assert "Ready 1 · Getting there 1 · Not yet 0 · Not for now 1 · Can't tell yet 0" in text  # all "no"
    assert "Stage totals appear once at least three members" in text  # nobody placed yet
    assert "Most common gap:* A clear reason" in text
    assert "<@U0ONE>" not in text and "<@U0TWO>" not in text  # nobody opted in
    assert "Actions:" not in text  # none made yet

    actions = Store(settings.coach_db).actions
    for title, due in (("Ask five customers", date(2026, 11, 20)), ("Write the house rules", date(2026, 12, 9))):
        actions.create(MemberKey("T0001", "U0ONE"), "U0TWO", "step:policy", title, due, TEST_NOW)
    text = report_reply(driver, ADMIN)
    assert "Actions: 2 open (1 past their date), 0 done, 0 dropped." in text  # totals only
    assert "Ask five customers" not in text and "<@U0TWO>" not in text


def test_names_only_for_members_who_opted_in(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_owner": True}
    for user, word in (("U0ONE", "yes"), ("U0TWO", "no"), ("U0THREE", "partly")):
        finish_assessment(driver, user, word)
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "0"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "09:00"}}},
        "paused": {"paused": {"type": "checkboxes", "selected_options": []}},
        "share": {"share": {"type": "checkboxes", "selected_options": [{"value": "share"}]}},
    }
    driver.submit_view("U0ONE", "checkin_settings", values)
    driver.messages_with("U0ONE", "Saved.")
    text = report_reply(driver, ADMIN)
    assert "<@U0ONE>: Ready, not placed" in text
    assert "<@U0TWO>" not in text and "<@U0THREE>" not in text


def test_digest_posted_in_a_channel_once_per_week(coach_server: SlackDriver, tick, settings, clock) -> None:
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True, "tz": "Europe/Helsinki"}
    assert "Mention the channel" in report_reply(driver, ADMIN, "report general")
    assert "Posted the team report in <#C0TEAM>" in report_reply(driver, ADMIN, "report <#C0TEAM|team>")

    def posts() -> list:
        return driver.fake.calls_to("chat.postMessage", channel="C0TEAM")

    assert len(posts()) == 1 and posts()[0].args["text"] == "Weekly team report"
    again = report_reply(driver, ADMIN, "report <#C0TEAM|team>")  # attack probe: posted again each time
    assert "already goes to <#C0TEAM>" in again and "nothing posted again" in again
    tick(clock())  # this week's digest already went out with the command
    assert len(posts()) == 1
    next_monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki
    tick(next_monday)
    tick(next_monday + timedelta(hours=1))
    assert len(posts()) == 2


def test_an_admin_stops_the_weekly_report_in_a_channel(coach_server: SlackDriver, tick, settings, clock) -> None:
    """Probe: "/coach report stop" got "Mention the channel like this", and nothing could stop the digest."""
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True, "tz": "Europe/Helsinki"}
    for channel in ("C0TEAM", "C0WRONG"):
        assert "Posted the team report" in report_reply(driver, ADMIN, f"report <#{channel}|x>")
    assert "has stopped" in report_reply(driver, ADMIN, "report stop <#C0WRONG|wrong>")
    assert "doesn't get the weekly team report" in report_reply(driver, ADMIN, "report stop <#C0WRONG>")
    assert "for workspace owners and admins" in report_reply(driver, "U0PLAIN", "report stop")
    assert [d["channel_id"] for d in Store(settings.coach_db).digests()] == ["C0TEAM"]
    tick(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # next Monday: only the channel still subscribed
    assert len(driver.fake.calls_to("chat.postMessage", channel="C0WRONG")) == 1
    assert len(driver.fake.calls_to("chat.postMessage", channel="C0TEAM")) == 2
    assert "<#C0TEAM> has stopped" in report_reply(driver, ADMIN, "report off")  # every channel
    assert "No channel gets the weekly team report" in report_reply(driver, ADMIN, "report stop")
    assert Store(settings.coach_db).digests() == []


def test_report_failure_in_channel_is_explained(coach_server: SlackDriver, fake_slack: FakeSlack, settings) -> None:
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True}
    fake_slack.fail("chat.postMessage", error="not_in_channel")
    assert "Invite me to the channel first" in report_reply(driver, ADMIN, "report <#C0SECRET>")
    assert Store(settings.coach_db).digests() == []  # no weekly digest for a channel we cannot post in


def test_two_workspaces_never_see_each_other(coach_server: SlackDriver, settings, clock) -> None:
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True}
    for user in ("U0A", "U0B", "U0C"):
        finish_assessment(driver, user, "yes")
    store = Store(settings.coach_db)
    other = MemberKey("T0OTHER", "U0Z")
    store.ensure_member(other, clock())
    text = report_reply(driver, ADMIN)
    assert "*3* of 3" in text  # the other workspace's member is not counted


def test_a_rate_limited_channel_report_is_posted_after_the_wait_not_blamed_on_the_channel(
    coach_server: SlackDriver, fake_slack: FakeSlack, settings
) -> None:
    """Probe: one 429 on the channel post told the admin to invite the coach, and set up no weekly report."""
    driver = coach_server
    driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True}
    fake_slack.fail("chat.postMessage", error="ratelimited", status=429, retry_after=1, times=1)
    answer = report_reply(driver, ADMIN, "report <#C0TEAM|team>")
    assert "Posted the team report in <#C0TEAM>" in answer and "Invite me" not in answer
    posted = [c for c in fake_slack.calls_to("chat.postMessage", channel="C0TEAM") if c.response.get("ok")]
    assert len(posted) == 1 and [d["channel_id"] for d in Store(settings.coach_db).digests()] == ["C0TEAM"]


def test_a_channel_report_slack_answers_too_late_for_is_not_called_a_failure(
    settings, fake_slack: FakeSlack
) -> None:
    """Probe: a post that landed after SLACK_TIMEOUT told the admin to invite the coach (and run it again,
    which would post the report twice); now they are told to look, and the weekly report is set up."""
    store = Store(settings.coach_db)
    with serving(settings.model_copy(update={"slack_timeout": 1}), store, fake_slack) as driver:
        driver.fake.users[ADMIN] = {"id": ADMIN, "is_admin": True}
        fake_slack.fail("chat.postMessage", delay=1.5, succeed=True, times=1)
        answer = report_reply(driver, ADMIN, "report <#C0TEAM|team>")
        assert "didn't confirm the team report in <#C0TEAM>" in answer and "Invite me" not in answer
        assert [d["channel_id"] for d in store.digests()] == ["C0TEAM"]
