"""`/healthz` says ok only when a request could be served: the file is the one opened, a table reads, a
write commits."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import create_app
from bot.http.server import SenderWatch, make_server
from bot.sending.recovery import OWNER_SILENT_SECONDS
from bot.settings import Settings
from bot.store import Store
from tests.conftest import SIGNING_SECRET, serving, stop_waitress
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

USER = "U0ALICE"
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


# Item 1: a workspace whose token works again is reopened, and never purged once used again


@pytest.fixture
def served(settings: Settings, fake_slack: FakeSlack) -> Iterator[tuple[SlackDriver, Store]]:
    store = Store(settings.coach_db)
    with serving(settings, store, fake_slack) as driver:
        yield driver, store


def test_health_is_ok_on_a_usable_database(served: tuple[SlackDriver, Store]) -> None:
    driver, _store = served
    reply = driver.get("/healthz")
    assert (reply.status, reply.body) == (200, "ok\n")


def test_health_fails_when_the_database_file_is_deleted_under_the_server(
    served: tuple[SlackDriver, Store], db_path: Path
) -> None:
    driver, _store = served
    os.unlink(db_path)
    reply = driver.get("/healthz")
    assert (reply.status, reply.body) == (503, "unavailable\n")


def test_health_fails_when_the_database_file_is_replaced(served: tuple[SlackDriver, Store], db_path: Path) -> None:
    driver, _store = served
    os.replace(db_path, db_path.with_suffix(".old"))
    Store(db_path).close()  # a fresh, empty database where the old one was
    assert driver.get("/healthz").status == 503


def test_health_fails_when_a_write_cannot_commit(served: tuple[SlackDriver, Store]) -> None:
    driver, store = served
    blocker = Store(store.path)
    blocker.db.execute("PRAGMA busy_timeout = 0")
    blocker.db.conn.execute("BEGIN EXCLUSIVE")  # another process holds the database: nothing can be written
    try:
        store.db.execute("PRAGMA busy_timeout = 0")
        assert store.health_problem(NOW) is not None
    finally:
        blocker.db.conn.execute("ROLLBACK")
    assert store.health_problem(NOW) is None


def test_health_fails_when_the_sending_process_falls_silent(
    settings: Settings, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 20, item 11: a frozen or dead sending process leaves the server unable to answer anyone,
    so `/healthz` says so (its heartbeat in the database goes quiet)."""
    store = Store(settings.coach_db)
    wall = [1_800_000_000.0]
    watch = SenderWatch(store, wall_clock=lambda: wall[0], since=wall[0])
    server = make_server(create_app(settings, store), store, "127.0.0.1", 0, threads=2, sender=watch)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    driver = SlackDriver(f"http://127.0.0.1:{server.effective_port}", SIGNING_SECRET, fake_slack)  # type: ignore[union-attr]
    try:
        assert driver.get("/healthz").status == 200  # just started: not beaten yet, not a problem
        store.beat("sender-1", wall[0] + 5)
        wall[0] += OWNER_SILENT_SECONDS + 1
        assert driver.get("/healthz").status == 200  # it beat 26 s ago
        wall[0] += 10
        assert driver.get("/healthz").status == 503  # silent for 36 s: frozen or dead
        assert "no sending process" in caplog.text
        store.beat("sender-2", wall[0])  # a new one started and beat
        assert driver.get("/healthz").status == 200
    finally:
        stop_waitress(server, thread)
