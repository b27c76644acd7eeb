"""Adoption stages and the weekly check-in, end to end: placement by card and by quiz over HTTP,
check-ins sent by ``coach tick --now`` and answered by signed clicks, settings, pause, nudges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, send_key
from flows.content import load_bundle
from flows.values import MemberKey
from tests.blocks import all_text, find_button
from tests.conftest import TEST_NOW
from tests.fake_slack import Call, FakeSlack
from tests.slack_driver import SlackDriver

USER = "U0DAVE"
MEMBER = MemberKey("T0001", USER)


def place(store: Store, member: MemberKey, stage: int, tz: str, now: datetime) -> None:
    store.ensure_member(member, now)
    store.update_member(member, tz=tz)
    row = store.member(member)
    assert row is not None
    assert store.set_stage(row, stage, "placement", now)


def checkins_to(fake: FakeSlack, user: str) -> list:
    return [
        c
        for c in fake.messages_to(f"D{user}")
        if c.response.get("ok") and "Where are you now?" in c.args.get("text", "")
    ]


def test_placement_by_card(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.fake.users[USER] = {"id": USER, "tz": "America/Los_Angeles", "locale": "en-US"}
    assert "direct message" in driver.command_reply(USER, "stage")["text"]
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    assert all_text(cards.args["blocks"]).count("This is me") == 6
    driver.click(USER, cards, "stage_pick", value="stage:2")
    (coaching,) = driver.messages_with(USER, "You're at stage 2")
    text = all_text(coaching.args["blocks"])
    assert "The trap:" in text and "Your next move:" in text and "Tip for this week:" in text
    driver.fake.wait_for("users.info")
    store = Store(settings.coach_db)
    row = store.member(MEMBER)
    assert row is not None and row.stage == 2
    assert [(c["from_stage"], c["to_stage"], c["source"]) for c in store.stage_changes(MEMBER)] == [
        (None, 2, "placement")
    ]
    assert store.member(MEMBER).tz == "America/Los_Angeles"  # type: ignore[union-attr]


def test_a_second_click_on_this_is_me_changes_nothing_and_sends_no_second_coaching(
    coach_server: SlackDriver, settings
) -> None:
    driver = coach_server
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:2")
    driver.messages_with(USER, "You're at stage 2")
    driver.click(USER, cards, "stage_pick", value="stage:2")  # the same card once more
    driver.messages_with(USER, "already at stage 2")
    driver.settle(USER)
    assert len(driver.messages_with(USER, "Tip for this week:")) == 1
    store = Store(settings.coach_db)
    assert [(c["to_stage"], c["source"]) for c in store.stage_changes(MEMBER)] == [(2, "placement")]
    driver.click(USER, cards, "stage_pick", value="stage:4")  # a different card is a real change
    driver.messages_with(USER, "You're at stage 4")
    driver.command(USER, "stage")  # asked again: the stage already held is a fair answer
    cards_again = driver.messages_with(USER, "Where are you on the social media journey?", count=2)[-1]
    driver.click(USER, cards_again, "stage_pick", value="stage:4")
    driver.messages_with(USER, "You're at stage 4", count=2)
    assert [c["to_stage"] for c in store.stage_changes(MEMBER)] == [2, 4, 4]


def test_placement_by_quiz(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "quiz_start")
    (first,) = driver.messages_with(USER, "How often does your business post")
    driver.click(USER, first, "quiz_answer:1")  # now and then, when someone remembers
    (second,) = driver.messages_with(USER, "How do your posts get out?")
    driver.click(USER, first, "quiz_answer:2")  # attack probe: an answered question clicked again
    driver.messages_with(USER, load_bundle("en").messages.text("quiz_old"))
    driver.click(USER, second, "quiz_answer:2")  # by hand when we feel like it
    (third,) = driver.messages_with(USER, "Are you seeing results from it?")
    driver.click(USER, third, "quiz_answer:1")  # no, it feels like wasted effort
    (fourth,) = driver.messages_with(USER, "Do you measure it with tools")
    driver.click(USER, fourth, "quiz_answer:0")  # every question is asked, even after clear answers
    (fifth,) = driver.messages_with(USER, "Do other people come to you for advice")
    driver.click(USER, fifth, "quiz_answer:0")
    (suggestion,) = driver.messages_with(USER, "you sound like stage 3")
    driver.click(USER, suggestion, "stage_pick", value="stage:3")
    driver.messages_with(USER, "You're at stage 3")
    driver.click(USER, fifth, "quiz_answer:1")  # after the quiz: no rewind, no question again
    driver.messages_with(USER, load_bundle("en").messages.text("quiz_old"), count=2)
    assert len(driver.messages_with(USER, "How do your posts get out?")) == 1
    assert len(driver.messages_with(USER, "you sound like stage 3")) == 1
    store = Store(settings.coach_db)
    assert [(c["to_stage"], c["source"]) for c in store.stage_changes(MEMBER)] == [(3, "quiz")]


# Monday 09:00 local, on both sides of each zone's 2026 daylight-saving changes.
CHECKIN_INSTANTS = [
    ("Europe/Helsinki", datetime(2026, 3, 23, 7, 0, tzinfo=UTC)),  # EET, UTC+2
    ("Europe/Helsinki", datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),  # EEST from 29 March, UTC+3
    ("Europe/Helsinki", datetime(2026, 10, 19, 6, 0, tzinfo=UTC)),  # EEST
    ("Europe/Helsinki", datetime(2026, 10, 26, 7, 0, tzinfo=UTC)),  # EET from 25 October
    ("America/Los_Angeles", datetime(2026, 3, 2, 17, 0, tzinfo=UTC)),  # PST, UTC-8
    ("America/Los_Angeles", datetime(2026, 3, 9, 16, 0, tzinfo=UTC)),  # PDT from 8 March, UTC-7
    ("America/Los_Angeles", datetime(2026, 10, 26, 16, 0, tzinfo=UTC)),  # PDT
    ("America/Los_Angeles", datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),  # PST from 1 November
]


@pytest.mark.parametrize(("tz", "instant"), CHECKIN_INSTANTS)
def test_checkin_goes_out_at_nine_local_across_dst(
    tick, fake_slack: FakeSlack, db_path: Path, tz: str, instant
) -> None:
    fake_slack.users[USER] = {"id": USER, "tz": tz}
    place(Store(db_path), MEMBER, 3, tz, instant - timedelta(days=30))
    tick(instant - timedelta(minutes=1))
    assert checkins_to(fake_slack, USER) == []
    tick(instant)
    tick(instant + timedelta(minutes=5))
    (checkin,) = checkins_to(fake_slack, USER)
    assert "Last time, you were at stage 3" in checkin.args["text"]
    week = f"{instant.isocalendar()[0]}-W{instant.isocalendar()[1]:02d}"
    assert Store(db_path).send_status(send_key(MEMBER, "checkin", week)) == "sent"


def test_checkin_missed_by_less_than_a_day_goes_late_older_is_skipped(
    tick, fake_slack: FakeSlack, db_path: Path
) -> None:
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki
    place(Store(db_path), MEMBER, 2, "Europe/Helsinki", monday - timedelta(days=10))
    tick(monday + timedelta(hours=23))
    assert len(checkins_to(fake_slack, USER)) == 1
    other = MemberKey("T0001", "U0LATE")
    place(Store(db_path), other, 2, "Europe/Helsinki", monday - timedelta(days=10))
    tick(monday + timedelta(hours=25))
    assert checkins_to(fake_slack, "U0LATE") == []


def this_weeks_checkin(driver: SlackDriver, tick, settings) -> Call:
    """MEMBER placed at stage 3 a week ago, and the check-in Monday 23 November's tick sent them."""
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    place(Store(settings.coach_db), MEMBER, 3, "Europe/Helsinki", monday - timedelta(days=7))
    tick(monday)
    (checkin,) = checkins_to(driver.fake, USER)
    return checkin


@pytest.mark.parametrize(
    ("outcome", "stage_after", "reply"),
    [
        ("same", 3, "Still at stage 3"),
        ("forward", 4, "You're at stage 4"),
        ("back", 2, "You're at stage 2"),
        ("skip", 3, "I'll ask again next week"),
    ],
)
def test_checkin_answered(
    coach_server: SlackDriver, tick, settings, outcome: str, stage_after: int, reply: str
) -> None:
    driver = coach_server
    checkin = this_weeks_checkin(driver, tick, settings)
    assert driver.click(USER, checkin, f"checkin:{outcome}").status == 200
    driver.messages_with(USER, reply)
    update = driver.fake.wait_for("chat.update", ts=checkin.response["ts"])[0]
    assert all(block["type"] != "actions" for block in update.args["blocks"])
    store = Store(settings.coach_db)
    assert store.member(MEMBER).stage == stage_after  # type: ignore[union-attr]
    if outcome in ("forward", "back"):
        assert store.stage_changes(MEMBER)[-1]["source"] == "checkin"
    driver.click(USER, checkin, f"checkin:{outcome}")  # a second click on the same check-in
    driver.messages_with(USER, "already answered this week's check-in")
    assert store.member(MEMBER).stage == stage_after  # type: ignore[union-attr]


def test_checkin_pick_a_stage_and_an_old_checkin(coach_server: SlackDriver, tick, settings) -> None:
    driver = coach_server
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    place(Store(settings.coach_db), MEMBER, 3, "Europe/Helsinki", monday - timedelta(days=14))
    tick(monday - timedelta(days=7))
    tick(monday)
    last_week, this_week = checkins_to(driver.fake, USER)
    driver.click(USER, last_week, "checkin:forward")
    driver.messages_with(USER, "from an earlier week")
    driver.click(USER, this_week, "checkin:pick")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:5")
    driver.messages_with(USER, "You're at stage 5")
    store = Store(settings.coach_db)
    assert store.member(MEMBER).stage == 5  # type: ignore[union-attr]
    assert [(c["to_stage"], c["source"]) for c in store.stage_changes(MEMBER)] == [(3, "placement"), (5, "checkin")]


@pytest.mark.parametrize("value", ["checkin:2026-W48:zzz", "checkin:2099-W99:back", "checkin:2099-W51:back", "checkin"])
def test_a_checkin_button_no_checkin_of_the_coachs_says_is_called_unreadable(
    coach_server: SlackDriver, tick, settings, value: str
) -> None:
    """Attack probe: a made-up answer or a week never sent got "That check-in is from an earlier week"."""
    driver = coach_server
    this_week = this_weeks_checkin(driver, tick, settings)
    _button, block_id = find_button(this_week.args["blocks"], "checkin:forward", None)
    forged = driver.action_body(USER, this_week, "checkin:forward", value, block_id)
    assert driver.post(forged, "application/x-www-form-urlencoded").status == 200
    driver.messages_with(USER, load_bundle("en").messages.text("stale_button"))
    store = Store(settings.coach_db)
    assert store.member(MEMBER).stage == 3 and not store.has_checkin(MEMBER, "2026-W48")  # type: ignore[union-attr]


def test_tips_rotate_without_repeats(coach_server: SlackDriver, tick, settings) -> None:
    driver = coach_server
    monday = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    place(Store(settings.coach_db), MEMBER, 4, "Europe/Helsinki", monday - timedelta(days=7))
    tips = []
    for week in range(5):
        tick(monday + timedelta(weeks=week))
        checkin = checkins_to(driver.fake, USER)[-1]
        driver.click(USER, checkin, "checkin:same")
        message = driver.messages_with(USER, "Still at stage 4", count=week + 1)[-1]
        tips.append(next(line for line in all_text(message.args["blocks"]).splitlines() if "Tip for this week" in line))
    assert len(set(tips)) == 5


def test_pause_resume_and_settings(coach_server: SlackDriver, tick, settings) -> None:
    driver = coach_server
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    place(Store(settings.coach_db), MEMBER, 2, "Europe/Helsinki", monday - timedelta(days=7))
    assert "paused" in driver.command_reply(USER, "pause")["text"]
    tick(monday)
    assert checkins_to(driver.fake, USER) == []
    assert "every Monday at 09:00 (Europe/Helsinki)" in driver.command_reply(USER, "resume")["text"]
    tick(monday + timedelta(weeks=1))
    assert len(checkins_to(driver.fake, USER)) == 1

    assert driver.command(USER, "settings").status == 200
    modal = driver.fake.wait_for("views.open")[0]
    assert modal.args["view"]["callback_id"] == "checkin_settings"
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "2"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "14:30"}}},
        "paused": {"paused": {"type": "checkboxes", "selected_options": []}},
    }
    assert driver.submit_view(USER, "checkin_settings", values).status == 200
    driver.messages_with(USER, "every Wednesday at 14:30")
    tick(monday + timedelta(weeks=2))  # Monday: no longer the day
    wednesday = datetime(2026, 12, 9, 12, 30, tzinfo=UTC)  # 14:30 in Helsinki
    tick(wednesday)
    assert len(checkins_to(driver.fake, USER)) == 2


def test_nudges_after_24_and_72_hours_and_no_third(coach_server: SlackDriver, tick, settings, clock) -> None:
    driver = coach_server
    driver.command(USER)
    driver.wait_question(USER, 1)
    driver.dm(USER, "yes")
    driver.wait_question(USER, 2)
    started = clock()
    for hours in (23, 25, 30, 73, 100, 500):
        tick(started + timedelta(hours=hours))
    reminders = [c for c in driver.fake.messages_to(f"D{USER}") if "Resume the assessment" in str(c.args["blocks"])]
    assert [("last reminder" in c.args["text"]) for c in reminders] == [False, True]
    assert "question 2 of 6" in reminders[0].args["text"]
    driver.click(USER, reminders[1], "assessment_start")
    driver.wait_question(USER, 3)  # the resume button brings back the open question


def test_members_who_never_placed_are_invited_once(coach_server: SlackDriver, tick, settings) -> None:
    driver = coach_server
    driver.command(USER)
    for count in range(1, 7):
        driver.wait_question(USER, count)
        driver.dm(USER, "partly")
    driver.messages_with(USER, "Your social media readiness")
    Store(settings.coach_db).update_member(MEMBER, tz="Europe/Helsinki")
    first_monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    for week in range(3):
        tick(first_monday + timedelta(weeks=week))
    invites = driver.messages_with(USER, "haven't told me where you stand")
    assert len(invites) == 1


@pytest.mark.parametrize(
    ("locale", "typed"), [("en-US", "no tools, we post when we remember"), ("fi-FI", "ei työkaluja")]
)
def test_a_stage_name_turned_round_places_no_one(coach_server: SlackDriver, settings, locale: str, typed: str) -> None:
    """Chat probe: "no tools, we post when we remember" at the stage cards placed the member at stage 5,
    "OMG, tools!", without a question."""
    driver = coach_server
    user = f"U0NOTOOLS{locale[:2].upper()}"
    driver.fake.users[user] = {"id": user, "locale": locale}
    driver.command(user, "stage")
    driver.settle(user)
    driver.dm(user, typed)
    driver.settle(user)
    member = Store(settings.coach_db).member(MemberKey("T0001", user))
    assert member is None or member.stage is None
    assert Store(settings.coach_db).stage_changes(MemberKey("T0001", user)) == []


@pytest.mark.parametrize(
    ("locale", "args", "stage"),
    [("en-US", "stage 3", 3), ("fi-FI", "stage 4", 4), ("it-IT", "stage 2", 2), ("en-US", "stage evangelist", 6)],
)
def test_coach_stage_with_a_number_places_the_member_there(
    coach_server: SlackDriver, settings, locale: str, args: str, stage: int
) -> None:
    """Probe (over HTTP): "/coach stage 3" showed the cards instead of placing the member at stage 3."""
    driver = coach_server
    user = f"U0STAGE{locale[:2].upper()}"
    driver.fake.users[user] = {"id": user, "locale": locale}
    driver.command(user, args)
    heading = load_bundle(locale[:2]).messages.text("stage_set", number=stage, name="")
    driver.messages_with(user, heading.strip(" :"))
    changes = Store(settings.coach_db).stage_changes(MemberKey("T0001", user))
    assert [(c["to_stage"], c["source"]) for c in changes] == [(stage, "placement")]


@pytest.mark.parametrize("args", ["stage am I in stage 2?", "stage tell me about stage 4", "stage what's stage 3?"])
def test_coach_stage_with_a_question_shows_the_cards_and_moves_no_one(
    coach_server: SlackDriver, settings, args: str
) -> None:
    """Probe (over HTTP): "/coach stage am I in stage 2?" moved a member at stage 4 to stage 2."""
    driver, user = coach_server, "U0STAGEQ"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    place(store, member, 4, "UTC", TEST_NOW)
    driver.command(user, args)
    driver.messages_with(user, load_bundle("en").messages.text("stages_title"))
    row = store.member(member)
    assert row is not None and row.stage == 4
