"""Operational hardening (issue 10): tables anyone can grow are expired, processes starting together
migrate one at a time, and the waitress floor excludes 3.0.0."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from sqlite_utils import Database

from bot.schedule.ticker import Scheduler
from bot.sending.outbox import Outbox
from bot.slack.installations import state_store
from bot.store import Store, migrations
from flows.content import load_bundle
from tests.conftest import child_env

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_a_tick_expires_old_oauth_states_and_event_ids(db_path: Path) -> None:
    store = Store(db_path)
    states = state_store(store)
    for _ in range(3):
        states.issue()  # anonymous GETs of /slack/install
    store.db.execute("update oauth_states set expire_at = ?", [time.time() - 1])
    fresh = states.issue()
    store.db.execute(
        "insert into processed_events (event_id, received_at) values ('Ev0OLD', ?), ('Ev0NEW', ?)",
        [(NOW - timedelta(days=2)).isoformat(), (NOW - timedelta(minutes=5)).isoformat()],
    )
    Scheduler(store, load_bundle(), Outbox(store, lambda: NOW)).tick(NOW)
    assert [row[0] for row in store.db.execute("select state from oauth_states")] == [fresh]
    assert [row[0] for row in store.db.execute("select event_id from processed_events")] == ["Ev0NEW"]


RACER = """
import sys
from bot.store import Store
print("ready", flush=True)
sys.stdin.readline()  # all start migrating together, once every racer has imported
Store(sys.argv[1])
"""


def race(db_path: Path, racers: int = 6) -> list[str]:
    """``racers`` processes open ``db_path`` at one instant, once each has imported the coach."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(db_path)],
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(racers)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    failures = []
    for process in processes:  # released one right after another, each blocked on its input
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        _out, err = process.communicate(timeout=60)
        if process.returncode != 0:
            failures.append(err.strip().splitlines()[-1])
    return failures


@pytest.mark.parametrize("start", ["fresh", "older"])
def test_processes_starting_together_all_migrate_the_database(tmp_path: Path, start: str) -> None:
    """A server and a cron tick started together after an upgrade; before, most of them crashed
    with "database is locked" inside a migration."""
    for attempt in range(3):
        db_path = tmp_path / f"coach-{attempt}.db"
        if start == "older":  # a database from before this release: only the first migration applied
            names = [m.name for m in migrations._migrations]
            migrations.apply(Database(db_path), stop_before=names[1])
        assert race(db_path) == []
        applied = [m.name for m in migrations.applied(Store(db_path).db)]
        assert applied == [m.name for m in migrations._migrations]


def test_the_waitress_floor_excludes_3_0_0() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (waitress,) = [Requirement(d) for d in project["project"]["dependencies"] if d.startswith("waitress")]
    assert "3.0.0" not in waitress.specifier and "3.0.1" in waitress.specifier
