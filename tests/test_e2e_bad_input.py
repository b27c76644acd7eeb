"""Bad input and faults, end to end over HTTP: each leaves the data as it was and tells the member why."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.store import Store
from flows.values import MemberKey
from tests.slack_driver import SlackDriver
from tests.test_e2e_assessment import wait_for_text

USER = "U0BOB"
MEMBER = MemberKey("T0001", USER)


def row_counts(store: Store) -> dict[str, int]:
    return {table: store.db.table(table).count for table in ("members", "assessments", "answers")}


def progress(settings) -> tuple[str, dict[str, Any]]:
    """The member's open question and answers so far, straight from the database."""
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None
    return latest.state, store.answers(latest.id)


def begin(driver: SlackDriver) -> None:
    assert driver.command(USER).status == 200
    driver.wait_question(USER, 1)


def test_forged_unsigned_and_stale_requests_are_refused(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    body = driver.command_body(USER)
    forged = driver.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    stale = driver.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600)
    unsigned = driver.post(body, "application/x-www-form-urlencoded", signature="", headers={"X-Slack-Signature": ""})
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    assert "Traceback" not in forged.body + stale.body + unsigned.body
    assert row_counts(Store(settings.coach_db)) == {"members": 0, "assessments": 0, "answers": 0}
    assert driver.fake.calls_to("chat.postMessage") == []


def test_forged_event_cannot_answer(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    body = driver.event_body(USER, "yes")
    tampered = body.replace('"yes"', '"no"')
    signature = driver.signer.generate_signature(timestamp=str(int(time.time())), body=body)
    assert driver.post(tampered, "application/json", signature=signature).status == 401
    assert row_counts(Store(settings.coach_db))["answers"] == 0


def test_slack_retry_of_an_event_is_processed_once(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    assert driver.dm(USER, "yes", event_id="Ev0RETRY01").status == 200
    retry = driver.dm(
        USER, "yes", event_id="Ev0RETRY01", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status == 200
    driver.wait_question(USER, 2)
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and latest.state == "networks"
    assert store.answers(latest.id) == {"reason": "ready"}  # state is saved before the ack: no wait needed
    driver.settle(USER)
    assert len(driver.question_messages(USER)) == 2


def test_double_click_answers_once_and_never_the_next_question(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    first = driver.wait_question(USER, 1)
    assert driver.click(USER, first, "answer:ready").status == 200
    assert driver.click(USER, first, "answer:not_yet").status == 200  # the second click of a double click
    driver.wait_question(USER, 2)
    texts = wait_for_text(driver, USER, "already answered")
    assert any("You're on question 2: The right networks" in t for t in texts)
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and latest.state == "networks"
    assert store.answers(latest.id) == {"reason": "ready"}


def test_click_on_an_older_question_changes_nothing(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    first = driver.wait_question(USER, 1)
    driver.click(USER, first, "answer:partly")
    second = driver.wait_question(USER, 2)
    driver.click(USER, second, "answer:ready")
    driver.wait_question(USER, 3)
    assert driver.click(USER, first, "answer:ready").status == 200
    wait_for_text(driver, USER, "already answered")
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and latest.state == "resources"
    assert store.answers(latest.id) == {"reason": "partly", "networks": "ready"}


def test_forged_button_value_for_another_question_changes_nothing(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    first = driver.wait_question(USER, 1)
    block_id = first.args["blocks"][2]["block_id"]
    body = driver.action_body(USER, first, "answer:ready", "networks:ready", block_id)
    assert driver.post(body, "application/x-www-form-urlencoded").status == 200
    wait_for_text(driver, USER, "could not read that button")
    assert progress(settings) == ("reason", {})


def test_click_on_a_finished_assessment_after_a_retake(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    old_first = driver.wait_question(USER, 1)
    for count in range(1, 7):
        driver.dm(USER, "yes")
        if count < 6:
            driver.wait_question(USER, count + 1)
    wait_for_text(driver, USER, "Your social media readiness: Ready")
    driver.command(USER)  # after a completed assessment: the last result, with a retake button
    wait_for_text(driver, USER, "Here is your latest result")
    summary = [c for c in driver.fake.messages_to(f"D{USER}") if "Retake" in str(c.args["blocks"])][-1]
    driver.click(USER, summary, "assessment_retake")
    driver.wait_question(USER, 7)
    assert driver.click(USER, old_first, "answer:not_yet").status == 200
    wait_for_text(driver, USER, "belongs to an assessment that has ended")
    store = Store(settings.coach_db)
    rows = list(store.db.table("assessments").rows_where("user_id = ?", [USER], order_by="id"))
    assert len(rows) == 2  # the finished assessment is kept beside the new one
    assert rows[0]["completed_at"] and rows[1]["completed_at"] is None
    assert store.answers(rows[1]["id"]) == {}


def test_free_text_gets_a_hint_and_member_text_is_escaped(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    driver.dm(USER, "<!channel> hello & <https://evil.example|click me>")
    texts = wait_for_text(driver, USER, "You wrote")  # asked back, quoting it, with the answers as buttons
    hint = next(t for t in texts if "You wrote" in t)
    assert "<!channel>" not in hint and "&lt;!channel&gt; hello &amp; &lt;https://evil.example|click me&gt;" in hint
    raw = [c for c in driver.fake.messages_to(f"D{USER}") if "You wrote" in c.args["text"]][0]
    assert "<!channel>" not in json.dumps(raw.args)
    assert progress(settings) == ("reason", {})


def test_bot_messages_and_edits_are_ignored(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    driver.post(driver.event_body(USER, "yes", bot_id="BBOT"), "application/json")
    driver.post(driver.event_body(USER, "yes", subtype="message_changed"), "application/json")
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {}
    driver.settle(USER)
    assert len(driver.fake.messages_to(f"D{USER}")) == 3  # the intro, the first question and the help


@pytest.mark.parametrize("subtype", ["file_share", "thread_broadcast"])
def test_an_answer_typed_with_a_file_or_sent_from_a_thread_is_read(
    coach_server: SlackDriver, settings, subtype: str
) -> None:
    driver = coach_server
    begin(driver)
    extra = {"files": [{"id": "F1", "name": "goals.png"}]} if subtype == "file_share" else {"thread_ts": "1.000001"}
    driver.post(driver.event_body(USER, "yes", subtype=subtype, **extra), "application/json")
    driver.messages_with(USER, "Question 2 of 6")
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {"reason": "ready"}


def test_help_and_unknown_subcommands_list_the_subcommands(coach_server: SlackDriver) -> None:
    help_reply = coach_server.command_reply(USER, "help")
    unknown = coach_server.command_reply(USER, "dance <!here>")
    for reply in (help_reply, unknown):
        assert "`/coach status`" in reply["text"] and "`/coach help`" in reply["text"]
    assert "I don't know `/coach dance &lt;!here&gt;`" in unknown["text"]  # as typed, and pinging no one
    assert coach_server.fake.calls_to("conversations.open") == []


def test_status_subcommand(coach_server: SlackDriver) -> None:
    assert "no assessment in progress" in coach_server.command_reply(USER, "status")["text"]
    begin(coach_server)
    coach_server.dm(USER, "yes")
    coach_server.wait_question(USER, 2)
    assert "question 2 of 6: The right networks. 1 of 6 answered" in coach_server.command_reply(USER, "status")["text"]


def test_slack_error_while_replying_loses_nothing(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    driver.fake.fail("chat.postMessage", error="channel_not_found")
    assert driver.dm(USER, "yes").status == 200
    refused = driver.fake.wait_for("chat.postMessage", count=3)[-1]  # intro, question 1, question 2 refused
    assert refused.response == {"ok": False, "error": "channel_not_found"}
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and latest.state == "networks" and store.answers(latest.id) == {"reason": "ready"}
    driver.dm(USER, "status")  # the member asks where they are and carries on
    wait_for_text(driver, USER, "question 2 of 6")
    driver.command(USER)
    question = driver.wait_question(USER, 2)
    assert "Question 2 of 6" in question.args["text"]


def test_a_reply_refused_with_500_then_429_is_retried_after_retry_after(coach_server: SlackDriver, settings) -> None:
    """The one test of slack_sdk's retry handlers as we configure them (each retry costs real seconds)."""
    driver = coach_server
    begin(driver)
    driver.fake.fail("chat.postMessage", status=500, error="internal_error")
    driver.fake.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    driver.dm(USER, "yes")
    second = driver.wait_question(USER, 2, timeout=15)
    attempts = driver.fake.calls_to("chat.postMessage", channel=f"D{USER}")
    assert second.args["text"].startswith("*Question 2 of 6")
    assert [a.response["ok"] for a in attempts] == [True, True, False, False, True]  # intro, question 1, 500, 429, ok
    assert attempts[-1].at - attempts[-2].at >= 1.0  # waited as long as Retry-After said
    assert len(driver.question_messages(USER)) == 2  # question 2 reached the member exactly once


def test_back_on_the_first_question_and_restart(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    begin(driver)
    driver.dm(USER, "back")
    wait_for_text(driver, USER, "already the first question")
    driver.dm(USER, "yes")
    driver.wait_question(USER, 2)
    driver.dm(USER, "start over")  # a typed restart asks first
    wait_for_text(driver, USER, "Start the assessment again from the first question?")
    driver.dm(USER, "yes")
    wait_for_text(driver, USER, "Starting again")
    third = driver.wait_question(USER, 3)
    assert "Question 1 of 6" in third.args["text"]
    assert progress(settings) == ("reason", {})


def test_health_check_and_unknown_paths(coach_server: SlackDriver) -> None:
    health = coach_server.get("/healthz")
    assert (health.status, health.body) == (200, "ok\n")
    assert coach_server.get("/nowhere").status == 404


def edit_body(driver: SlackDriver, user: str, before: str, after: str, edited: bool = True) -> str:
    """Slack's ``message_changed`` for the member's DM message ``before``, now ``after``."""
    body = json.loads(driver.event_body(user, ""))
    event = body["event"]
    event.pop("text")
    changed: dict[str, Any] = {"type": "message", "user": user, "text": after, "ts": "1700000000.000100"}
    if edited:
        changed["edited"] = {"user": user, "ts": event["ts"]}
    event.update(
        subtype="message_changed",
        hidden=True,
        message=changed,
        previous_message={"type": "message", "user": user, "text": before, "ts": "1700000000.000100"},
    )
    return json.dumps(body)


def test_an_edited_answer_changes_nothing_and_the_member_is_told_how_to_change_it(
    coach_server: SlackDriver, settings
) -> None:
    """Probe: "yes" edited to "not really" in Slack left *Yes* recorded without a word to the member."""
    driver = coach_server
    begin(driver)
    driver.dm(USER, "yes")
    driver.wait_question(USER, 2)
    driver.post(edit_body(driver, USER, "yes", "yes https://example.com", edited=False), "application/json")
    driver.post(edit_body(driver, USER, "yes", "not really"), "application/json")
    (told,) = driver.messages_with(USER, "your edit changed nothing")
    assert "*back*" in told.args["text"]
    driver.settle(USER)
    assert len(driver.messages_with(USER, "your edit changed nothing")) == 1  # a link preview is no edit
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {"reason": "ready"}
