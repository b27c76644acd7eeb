"""Defects a probe of the running server found, each kept fixed: a revoked token part-way through a
fan-out, a body that is not UTF-8, a first command that chooses the language, a check-in asked for
again after it was answered, a settings form refused in its modal, and a DM with no text."""

from __future__ import annotations

import http.client
import json
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from bot.store import Store
from bot.usecases.workspaces import Workspaces
from flows.values import MemberKey
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver
from tests.test_scheduler_faults import MONDAY, checkins_per_member, populate, scheduler

USER = "U0PROBE"


def test_a_token_revoked_part_way_through_a_fan_out_leaves_the_rest_of_the_week_due(
    fake_slack: FakeSlack, db_path: Path, settings
) -> None:
    members = populate(db_path, 5)
    fake_slack.fail("chat.postMessage", error="invalid_auth")  # the token was rotated away
    scheduler(fake_slack, db_path, settings, wall_clock=lambda: 1_800_000_000.0).tick(MONDAY)
    assert Store(db_path).workspace_active("T0000") is False and checkins_per_member(fake_slack) == {}
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # the rest wait in the outbox, not tried
    Workspaces(Store(db_path), None, lambda: MONDAY).back("T0000", "the new token works")
    later = MONDAY + timedelta(minutes=10)
    scheduler(fake_slack, db_path, settings, now=later, wall_clock=lambda: 1_800_000_010.0).tick(later)
    counts = checkins_per_member(fake_slack)
    assert len(counts) == len(members)  # the one whose send met invalid_auth too: the token was dead, not it
    assert set(counts.values()) == {1}


def test_a_body_that_is_not_utf8_is_refused_as_unsigned(coach_server: SlackDriver) -> None:
    address = urlparse(coach_server.base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    try:
        connection.request("POST", "/slack/events", body=b"\x80\xff\xfe not utf-8", headers=headers)
        response = connection.getresponse()
        assert response.status == 401 and b"Traceback" not in response.read()
    finally:
        connection.close()


def test_a_language_chosen_before_anything_else_is_kept(coach_server: SlackDriver, settings) -> None:
    reply = coach_server.command_reply(USER, "language it")
    assert "italiano" in reply["text"]
    member = Store(settings.coach_db).member(MemberKey("T0001", USER))
    assert member is not None and member.language == "it"


def test_check_in_now_after_this_weeks_answer_says_so_instead_of_dead_buttons(coach_server: SlackDriver) -> None:
    driver = coach_server
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:3")
    driver.messages_with(USER, "You're at stage 3")
    home = driver.home_showing(USER, lambda blocks: "checkin_now" in json.dumps(blocks), "with check in now")
    home.args.update(channel=f"D{USER}", blocks=home.args["view"]["blocks"])
    driver.click(USER, home, "checkin_now")
    (checkin,) = driver.messages_with(USER, "Where are you now?")
    driver.click(USER, checkin, "checkin:same")
    driver.messages_with(USER, "Still at stage 3")
    driver.click(USER, home, "checkin_now")
    driver.messages_with(USER, "already")
    assert len(driver.messages_with(USER, "Where are you now?")) == 1  # no second check-in to click


def test_a_settings_form_with_a_bad_day_is_refused_in_the_modal(coach_server: SlackDriver) -> None:
    values = {"weekday": {"weekday": {"selected_option": {"value": "9"}}}, "time": {"time": {}}}
    reply = coach_server.submit_view(USER, "checkin_settings", values)
    assert reply.status == 200 and reply.json()["errors"] == {"weekday": "Please choose a day from the list."}


def test_a_dm_with_no_text_gets_no_reply(coach_server: SlackDriver) -> None:
    coach_server.command(USER)
    coach_server.wait_question(USER, 1)
    assert coach_server.dm(USER, "   ").status == 200
    coach_server.settle(USER)  # the help reply is the only one after the question
    texts = [c.args.get("text", "") for c in coach_server.fake.messages_to(f"D{USER}")]
    assert not any("You wrote" in text for text in texts)


def test_a_form_slack_will_not_open_is_explained_instead_of_a_dead_button(coach_server: SlackDriver) -> None:
    driver = coach_server
    driver.fake.fail("views.open", error="expired_trigger_id")
    assert driver.command(USER, "settings").status == 200
    (told,) = driver.messages_with(USER, "couldn't open that form just now")
    assert "run the command once more" in told.args["text"] and "in time" not in told.args["text"]


def test_a_form_whose_opening_slack_did_not_confirm_is_not_called_unopened(coach_server: SlackDriver) -> None:
    """Slack took the call (the form is open) and the connection dropped before its answer: the member
    is not told the form did not open, only that it was not confirmed."""
    driver = coach_server
    driver.fake.fail("views.open", hang_up=True)
    assert driver.command(USER, "settings").status == 200
    (told,) = driver.messages_with(USER, "didn't confirm that the form opened")
    assert "couldn't open" not in told.args["text"]
    assert len(driver.fake.calls_to("views.open")) == 1  # not opened twice


def test_an_old_check_in_clicked_after_forget_recreates_nobody(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.command(USER, "stage")
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    driver.click(USER, cards, "stage_pick", value="stage:2")
    home = driver.home_showing(USER, lambda blocks: "checkin_now" in json.dumps(blocks), "with check in now")
    home.args.update(channel=f"D{USER}", blocks=home.args["view"]["blocks"])
    driver.click(USER, home, "checkin_now")
    (checkin,) = driver.messages_with(USER, "Where are you now?")
    Store(settings.coach_db).forget_member(MemberKey("T0001", USER))
    assert driver.click(USER, checkin, "checkin:forward").status == 200
    driver.messages_with(USER, "I keep nothing about you any more")
    assert Store(settings.coach_db).member(MemberKey("T0001", USER)) is None


def test_a_slash_command_is_answered_while_slack_keeps_refusing_the_members_dm(coach_server: SlackDriver) -> None:
    driver = coach_server
    driver.command(USER)
    driver.wait_question(USER, 1)
    driver.fake.fail("chat.postMessage", status=500, error="internal_error", times=200)  # the DM keeps failing
    assert driver.dm(USER, "yes").status == 200
    reply = driver.command_reply(USER, "help")  # answered through the response URL meanwhile
    assert "/coach" in reply["text"]
