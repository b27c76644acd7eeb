"""Issue 20, item 8: a 429 in one workspace holds no sending thread and delays no other workspace.

The sender's clients hand a 429 back instead of sleeping through ``Retry-After`` in a thread: the row
goes back to the outbox, due when Slack said, and the workspace is held until then."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.sending.holds import WorkspaceHolds
from bot.sending.outbox import Outbox, Reply
from bot.sending.sender import make_sender
from bot.settings import Settings
from bot.slack.errors import rate_limit_wait
from bot.store import Store
from flows.outcomes import Notice
from flows.values import MemberKey
from tests.fake_slack import FakeSlack
from tests.processes import wait_for

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BUSY = [MemberKey("T0BUSY", f"U0BUSY{n}") for n in range(8)]
QUIET = MemberKey("T0QUIET", "U0QUIET")
WALL = 1_800_000_000.0  # the sender's wall clock, held still


def slack_error(status: int, headers: dict[str, object]) -> SlackApiError:
    response = SlackResponse(
        client=None, http_verb="POST", api_url="", req_args={}, data={"ok": False}, headers=headers, status_code=status
    )
    return SlackApiError("refused", response)


@pytest.mark.parametrize(
    ("status", "headers", "wait"),
    [
        (429, {"Retry-After": "20"}, 20.0),
        (429, {"retry-after": ["3"]}, 3.0),  # the header's case and form vary with the HTTP layer
        (429, {}, 1.0),  # no header: a second, as slack_sdk's own handler assumes
        (429, {"Retry-After": "0"}, 1.0),
        (500, {"Retry-After": "20"}, None),  # only a 429 is a rate limit
    ],
)
def test_the_wait_slack_asks_for_is_read_from_a_429(status: int, headers: dict[str, object], wait) -> None:
    assert rate_limit_wait(slack_error(status, headers)) == wait


def test_a_held_workspace_is_let_go_when_its_wait_is_over() -> None:
    wall = [100.0]
    holds = WorkspaceHolds(lambda: wall[0])
    holds.hold("T1", 120.0)
    holds.hold("T2", 105.0)
    holds.hold("T2", 101.0)  # an earlier end never shortens a hold
    assert holds.held() == ["T1", "T2"] and holds.seconds_to_next_release() == 5.0
    wall[0] = 106.0
    assert holds.held() == ["T1"]
    holds.release_next()
    assert holds.held() == [] and holds.seconds_to_next_release() is None


def test_a_rate_limited_workspace_holds_no_thread_and_another_workspace_is_not_delayed(
    fake_slack: FakeSlack, settings: Settings, db_path: Path
) -> None:
    """The attack's case: eight replies in one workspace meet a 429 with Retry-After 20. With as many
    threads as rows, a thread sleeping through the wait would hold the other workspace's reply 20 s."""
    store = Store(db_path)
    for member in (*BUSY, QUIET):
        store.ensure_member(member, NOW)
        store.update_member(member, dm_channel=f"D{member.user_id}", language="en")
    outbox = Outbox(store, lambda: NOW)
    fake_slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=20, times=len(BUSY))
    for member in BUSY:
        outbox.enqueue(member, Reply((Notice("help"),)))
    sender = make_sender(
        settings, store, clock=lambda: NOW, wall_clock=lambda: WALL, workers=len(BUSY), per_workspace=len(BUSY)
    ).start()
    try:
        fake_slack.wait_for("chat.postMessage", count=len(BUSY))  # every busy row met the 429
        wait_for(lambda: store.outbox_size() == len(BUSY) and not sender.rows_in_hand, "the rows given back")
        outbox.enqueue(QUIET, Reply((Notice("help"),)))
        sender.doorbell.ring()
        fake_slack.wait_for("chat.postMessage", channel=f"D{QUIET.user_id}")  # the other workspace's reply went out
        posts = fake_slack.calls_to("chat.postMessage")
        assert len(posts) == len(BUSY) + 1  # and nothing was tried again in the busy one
        due = {row[0] for row in store.db.execute("select not_before from outbox where team_id = 'T0BUSY'")}
        assert due == {WALL + 20}  # given back, due when Slack said
    finally:
        sender.stop()
    assert store.outbox_size() == len(BUSY)  # nothing lost: they go out once the wait is over


def test_a_draining_tick_leaves_a_long_rate_limit_to_the_running_sender(
    fake_slack: FakeSlack, settings: Settings, db_path: Path
) -> None:
    store = Store(db_path)
    store.ensure_member(QUIET, NOW)
    store.update_member(QUIET, dm_channel=f"D{QUIET.user_id}", language="en")
    Outbox(store, lambda: NOW).enqueue(QUIET, Reply((Notice("help"),)))
    fake_slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=120, times=1)
    sender = make_sender(settings, store, clock=lambda: NOW, wall_clock=lambda: WALL)
    assert sender.drain() == 1  # tried once, then left queued: two minutes is longer than a tick waits
    assert store.outbox_size() == 1 and len(fake_slack.calls_to("chat.postMessage")) == 1
