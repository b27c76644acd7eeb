"""The scheduler under concurrency, crashes and Slack faults: never a duplicate, never a lost member."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.schedule.ticker import Scheduler
from bot.sending.outbox import Outbox
from bot.sending.recovery import OWNER_SILENT_SECONDS
from bot.sending.sender import make_sender
from bot.store import Store
from bot.store.factory import AnyStore
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, child_env
from tests.fake_slack import FakeSlack

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki


def populate(db_path: Path, count: int, teams: int = 1) -> list[MemberKey]:
    return populate_store(Store(db_path), count, teams)


def populate_store(store: AnyStore, count: int, teams: int = 1) -> list[MemberKey]:
    """``count`` members placed at stage 2 a week ago, in Helsinki, spread over ``teams`` workspaces."""
    members = [MemberKey(f"T{n % teams:04d}", f"U{n:05d}") for n in range(count)]
    for member in members:
        store.ensure_member(member, MONDAY - timedelta(days=7))
        store.update_member(member, tz="Europe/Helsinki")
        row = store.member(member)
        assert row is not None
        store.set_stage(row, 2, "placement", MONDAY - timedelta(days=7))
    return members


def checkins_per_member(fake: FakeSlack) -> Counter[str]:
    return Counter(
        c.args["channel"]
        for c in fake.calls_to("chat.postMessage")
        if c.response.get("ok") and "Where are you now?" in c.args.get("text", "")
    )


def tick_process(fake: FakeSlack, db_path: Path) -> subprocess.Popen[bytes]:
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.url, COACH_DB=str(db_path)
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--now", MONDAY.isoformat()],
        env=env,
        cwd=db_path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def scheduler(
    fake: FakeSlack | None, db: Path | AnyStore, settings, now=MONDAY, wall_clock=time.time, send=True
) -> Scheduler:
    """The scheduler as ``coach tick`` runs it: it queues what is due, then sends it (``send``)."""
    store = Store(db) if isinstance(db, Path) else db
    sender = make_sender(settings, store, clock=lambda: now, wall_clock=wall_clock) if send else None
    return Scheduler(store, load_bundle(), Outbox(store, lambda: now), sender=sender, wall_clock=wall_clock)


def test_two_tick_processes_at_once_send_each_checkin_exactly_once(fake_slack: FakeSlack, db_path: Path) -> None:
    members = populate(db_path, 40, teams=2)
    first, second = tick_process(fake_slack, db_path), tick_process(fake_slack, db_path)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    for process in (first, second):
        assert process.stdout is not None
        process.stdout.close()
    counts = checkins_per_member(fake_slack)
    assert len(counts) == len(members) and set(counts.values()) == {1}


def test_tick_killed_mid_fanout_then_rerun_sends_the_rest_without_duplicates(
    fake_slack: FakeSlack, db_path: Path, settings
) -> None:
    members = populate(db_path, 40)
    fake_slack.fail("chat.postMessage", delay=0.05, succeed=True, times=1000)  # slow enough to kill halfway
    process = tick_process(fake_slack, db_path)
    fake_slack.wait_until(
        lambda calls: True if sum(checkins_per_member(fake_slack).values()) >= 10 else None, 60, "10 check-ins"
    )
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.stdout is not None
    process.stdout.close()
    sent_before = sum(checkins_per_member(fake_slack).values())
    assert 10 <= sent_before < len(members)  # killed halfway through the fan-out

    # The rerun comes once the killed process has been silent long enough for its claim to be taken over.
    fake_slack.faults["chat.postMessage"] = []
    later = scheduler(fake_slack, db_path, settings, wall_clock=lambda: time.time() + OWNER_SILENT_SECONDS)
    report = later.tick(MONDAY)
    counts = checkins_per_member(fake_slack)
    assert len(counts) == len(members) and set(counts.values()) == {1}
    assert report.queued == 0 and report.sent >= len(members) - sent_before - 1
    assert Store(db_path).outbox_size() == 0


def test_fanout_through_429s_messages_every_member_once(fake_slack: FakeSlack, db_path: Path, settings) -> None:
    members = populate(db_path, 100, teams=3)
    fake_slack.rate_limit_every["chat.postMessage"] = 20
    report = scheduler(fake_slack, db_path, settings).tick(MONDAY)
    refused = [c for c in fake_slack.calls_to("chat.postMessage") if not c.response.get("ok")]
    assert len(refused) >= 5  # Slack really did push back
    counts = checkins_per_member(fake_slack)
    assert len(counts) == len(members) and set(counts.values()) == {1}
    assert report.queued == len(members) and Store(db_path).outbox_size() == 0


def test_gone_members_and_revoked_workspaces_are_stopped_not_retried(
    fake_slack: FakeSlack, db_path: Path, settings
) -> None:
    populate(db_path, 6, teams=2)  # T0000: U00000, U00002, U00004; T0001: U00001, U00003, U00005
    fake_slack.users["U00000"] = {"id": "U00000", "deleted": True, "tz": "Europe/Helsinki"}
    fake_slack.users["U00002"] = {"id": "U00002", "missing": True}

    def revoked_for_team_1(call):
        if call.args.get("channel", "").startswith("DU0000") and call.args["channel"][-1] in "135":
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "channel": call.args.get("channel"), "ts": f"{time.time():.6f}"}

    fake_slack.responders["chat.postMessage"] = revoked_for_team_1
    scheduler(fake_slack, db_path, settings).tick(MONDAY)
    store = Store(db_path)
    assert store.member(MemberKey("T0000", "U00000")).active is False  # type: ignore[union-attr]
    assert store.member(MemberKey("T0000", "U00002")).active is False  # type: ignore[union-attr]
    assert store.workspace_active("T0001") is False
    assert checkins_per_member(fake_slack) == {"DU00004": 1}  # only U00004 was reachable
    attempts_to_team_1 = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"][-1] in "135"]
    assert len(attempts_to_team_1) == 1  # the first invalid_auth stopped the rest of that workspace

    fake_slack.reset()
    scheduler(fake_slack, db_path, settings, now=MONDAY + timedelta(weeks=1)).tick(MONDAY + timedelta(weeks=1))
    channels = {c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")}
    assert channels == {"DU00004"}  # stopped members and the stopped workspace get nothing more
