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
import traceback
from bot.store import Store
print("ready", flush=True)
for path in sys.stdin:  # each line names a database; every racer opens it once all have been told
    try:
        Store(path.strip())
        print("ok", flush=True)
    except Exception as error:
        print("failed:", "".join(traceback.format_exception_only(error)).strip().replace(chr(10), " "), flush=True)
"""


def race(databases: list[Path], racers: int = 6) -> list[str]:
    """``racers`` processes open each of ``databases`` at one instant, one database after another;
    the processes are started (and import the coach) once, for every round."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER],
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(racers)
    ]
    failures = []
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline() == "ready\n"
        for db_path in databases:
            for process in processes:  # told one right after another, each blocked on its input
                assert process.stdin is not None
                process.stdin.write(f"{db_path}\n")
                process.stdin.flush()
            for process in processes:
                assert process.stdout is not None
                answer = process.stdout.readline().strip()
                if answer != "ok":
                    failures.append(answer or "the racer died")
    finally:
        for process in processes:
            process.communicate(timeout=60)  # its input closed: it ends
    return failures


@pytest.mark.parametrize("start", ["fresh", "older"])
def test_processes_starting_together_all_migrate_the_database(tmp_path: Path, start: str) -> None:
    """A server and a cron tick started together after an upgrade; before, most of them crashed
    with "database is locked" inside a migration. Three rounds, each on a database of its own."""
    databases = [tmp_path / f"coach-{attempt}.db" for attempt in range(3)]
    if start == "older":  # databases from before this release: only the first migration applied
        names = [m.name for m in migrations._migrations]
        for db_path in databases:
            migrations.apply(Database(db_path), stop_before=names[1])
    assert race(databases) == []
    for db_path in databases:
        applied = [m.name for m in migrations.applied(Store(db_path).db)]
        assert applied == [m.name for m in migrations._migrations]


def test_a_racer_that_fails_is_reported(tmp_path: Path) -> None:
    """The race's own check can fail: a database that cannot be opened is named by every racer."""
    (tmp_path / "a-folder.db").mkdir()
    failures = race([tmp_path / "a-folder.db"], racers=2)
    assert len(failures) == 2 and all(failure.startswith("failed:") for failure in failures)


def test_the_waitress_floor_excludes_3_0_0() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (waitress,) = [Requirement(d) for d in project["project"]["dependencies"] if d.startswith("waitress")]
    assert "3.0.0" not in waitress.specifier and "3.0.1" in waitress.specifier
