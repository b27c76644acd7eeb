"""The one sending path (issue 18): what a slash command answers leaves through the outbox, so it
survives the server and its sending process killed right after the ack; a scheduled check-in and a
reply queued together for one member arrive in the order they were queued."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.listeners.reply import FLOOD_BACKLOG
from bot.store import Store
from bot.store.plans import PlanStore
from flows.values import MemberKey
from tests.conftest import wait_for_empty_outbox
from tests.fake_slack import Call, FakeSlack
from tests.processes import sending_children
from tests.test_e2e_restart import coach_process
from tests.test_scheduler_faults import MONDAY, populate, scheduler

BOSS = "U0BOSS"


def plan_landed(fake: FakeSlack) -> list[Call] | None:
    """The plan's DM messages (the canvas and the sections to write) and the pointer to them."""
    canvas = fake.calls_to("canvases.create")
    offer = [c for c in fake.calls_to("chat.postMessage") if "plan" in c.args.get("text", "").lower()]
    pointed = fake.calls_to("response_url")
    return [*canvas, *offer, *pointed] if canvas and offer and pointed else None


def channel_canvas_landed(fake: FakeSlack) -> list[Call] | None:
    placed = fake.calls_to("conversations.canvases.create", channel_id="C0TEAM")
    answered = [c for c in fake.calls_to("response_url") if "published" in c.args.get("text", "")]
    return [*placed, *answered] if placed and answered else None


def channel_report_landed(fake: FakeSlack) -> list[Call] | None:
    posted = fake.messages_to("C0TEAM")
    answered = fake.calls_to("response_url")
    return [*posted, *answered] if posted and answered else None


@pytest.mark.parametrize(
    ("command", "landed"),
    [
        ("plan", plan_landed),
        ("plan <#C0TEAM|team>", channel_canvas_landed),
        ("report <#C0TEAM|team>", channel_report_landed),
    ],
)
def test_a_slash_commands_answer_survives_a_sigkill_right_after_the_ack(
    fake_slack: FakeSlack, db_path: Path, command: str, landed
) -> None:
    fake_slack.users[BOSS] = {"id": BOSS, "is_admin": True, "tz": "Europe/Helsinki", "locale": "en-US"}
    store = Store(db_path)
    boss = MemberKey("T0001", BOSS)
    store.ensure_member(boss, datetime(2026, 11, 1, tzinfo=UTC))
    PlanStore(store).save_section(boss, "reason", {"so_that": "more people book tables"}, MONDAY)
    with coach_process(fake_slack, db_path) as (process, driver):
        senders = sending_children(process.pid)
        assert senders, "coach run starts a sending process"
        for pid in senders:
            os.kill(pid, signal.SIGSTOP)  # nothing can be sent before the kill
        assert driver.command(BOSS, command).status == 200
        for pid in (*senders, process.pid):
            os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert landed(fake_slack) is None and store.outbox_size() == 1  # acknowledged, kept, not yet sent
    with coach_process(fake_slack, db_path):
        fake_slack.wait_until(lambda _calls: landed(fake_slack), 20, f"the answer to /coach {command} after a restart")
        wait_for_empty_outbox(Store(db_path))


def test_a_scheduled_checkin_and_a_reply_queued_together_arrive_in_order(
    fake_slack: FakeSlack, db_path: Path, settings
) -> None:
    (member,) = populate(db_path, 1)
    store = Store(db_path)
    store.update_member(member, dm_channel="DU00000")
    from bot.sending.outbox import Outbox, Reply
    from flows.outcomes import Notice

    Outbox(store, lambda: MONDAY).enqueue(member, Reply((Notice("help"),)))  # a reply, queued first
    scheduler(fake_slack, db_path, settings, send=False).tick(MONDAY)  # then the week's check-in
    Outbox(store, lambda: MONDAY).enqueue(member, Reply((Notice("paused"),)))  # and another reply
    scheduler(fake_slack, db_path, settings, now=MONDAY + timedelta(minutes=1)).tick(MONDAY + timedelta(minutes=1))
    texts = [c.args["text"] for c in fake_slack.calls_to("chat.postMessage", channel="DU00000")]
    assert len(texts) == 3
    assert "Where are you now?" in texts[1]  # between the two replies, as queued
    assert "Where are you now?" not in texts[0] + texts[2]


def test_a_flood_of_messages_gets_a_few_replies_not_one_each(coach_server, settings) -> None:
    """Issue 20, item 15: a thousand DMs from one member must not queue a thousand replies."""
    driver, user = coach_server, "U0FLOOD"
    gate = driver.fake.hold("chat.postMessage")
    for number in range(30):
        assert driver.dm(user, f"hello {number}").status == 200
    store = Store(settings.coach_db)
    assert store.outbox_waiting(MemberKey("T0001", user), "dm") <= FLOOD_BACKLOG
    gate.set()
    wait_for_empty_outbox(store)
    replies = [c for c in driver.fake.calls_to("chat.postMessage") if c.args.get("channel") == f"D{user}"]
    assert 1 <= len(replies) <= FLOOD_BACKLOG + 1  # the backlog, and the one being sent when it filled
