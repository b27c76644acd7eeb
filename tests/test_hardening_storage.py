"""A request the server cannot durably store is not acknowledged (issue 20, items 5 and 12): with the
database file replaced or deleted under the server, or the disk full, Slack gets 503 (and retries
its events) instead of a 200 for a write that would be lost, or a 400 as if the payload were bad."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.store import DatabaseMoved, Store
from flows.values import MemberKey
from tests.conftest import TEST_NOW, serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

ALICE, BOB = "U0ALICE", "U0BOB"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}


def answered(store: Store, user: str) -> set[str]:
    assessment = store.latest_assessment(MemberKey("T0001", user))
    return set(store.answers(assessment.id)) if assessment else set()


def typed_answer(driver: SlackDriver, event_id: str, **kwargs: object) -> int:
    return driver.post(driver.event_body(ALICE, "yes", event_id=event_id), "application/json", **kwargs).status  # type: ignore[arg-type]


def test_a_backup_renamed_over_the_database_stops_acknowledging_and_loses_nothing(
    settings: Settings, fake_slack: FakeSlack, db_path: Path
) -> None:
    store = Store(db_path)
    with serving(settings, store, fake_slack) as driver:
        assert driver.command(ALICE).status == 200
        driver.wait_question(ALICE, 1)
        wait_for_empty_outbox(store)  # (a restarted sender in this same process would leave a claim alone)
        backup = db_path.with_name("backup.db")
        with closing(sqlite3.connect(backup)) as copy:
            store.db.conn.backup(copy)
        os.replace(backup, db_path)  # mid-assessment, an operator restores a backup over the live file

        assert typed_answer(driver, "Ev0ANSWER") == 503
        assert driver.command(BOB).status == 503
        assert driver.get("/healthz").status == 503
    assert fake_slack.messages_to(f"D{BOB}") == []  # nothing was sent for a request Slack was told failed

    restarted = Store(db_path)
    with serving(settings, restarted, fake_slack) as driver:
        assert typed_answer(driver, "Ev0ANSWER", headers=RETRY) == 200  # Slack's retry of the event
        assert driver.command(BOB).status == 200  # the member tries again
        driver.wait_question(ALICE, 2)
        driver.wait_question(BOB, 1)
    assert answered(restarted, ALICE) == {"reason"}
    assert restarted.member(MemberKey("T0001", BOB)) is not None


def test_a_deleted_database_stops_acknowledging(settings: Settings, fake_slack: FakeSlack, db_path: Path) -> None:
    store = Store(db_path)
    with serving(settings, store, fake_slack) as driver:
        assert driver.command(ALICE).status == 200
        os.unlink(db_path)
        assert driver.command(BOB).status == 503
        assert typed_answer(driver, "Ev0GONE") == 503


def test_a_thread_that_opens_after_the_file_is_removed_makes_no_new_file(db_path: Path) -> None:
    """CI: a removed database killed the test worker with SIGBUS. A thread's first connection made a new
    empty file at the path and reset the write-ahead index that the other threads' connections, still
    on the removed file, had mapped. Now such a connection is refused and nothing is made."""
    store = Store(db_path)
    store.ensure_member(MemberKey("T0001", ALICE), TEST_NOW)
    os.unlink(db_path)
    failures: list[BaseException] = []

    def read_in_a_new_thread() -> None:
        try:
            store.member(MemberKey("T0001", ALICE))
        except BaseException as error:  # what the thread met is the assertion
            failures.append(error)

    thread = threading.Thread(target=read_in_a_new_thread)
    thread.start()
    thread.join()
    assert [type(f) for f in failures] == [DatabaseMoved] and not db_path.exists()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 8 MB tmpfs, so the disk can really fill up."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, and mounting one needs root (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode:
        pytest.skip(f"no tmpfs could be mounted here: {made.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


def test_a_full_disk_answers_503_not_400(
    settings: Settings, fake_slack: FakeSlack, small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    on_disk = settings.model_copy(update={"coach_db": str(small_disk / "coach.db")})
    store = Store(on_disk.coach_db)
    with serving(on_disk, store, fake_slack) as driver:
        assert driver.command(ALICE).status == 200
        driver.wait_question(ALICE, 1)
        wait_for_empty_outbox(store)  # a reply in flight as the disk fills is item 4's case, not this one
        with closing(sqlite3.connect(on_disk.coach_db)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next commit has to grow the journal
        filler = fill(small_disk)

        assert typed_answer(driver, "Ev0FULL") == 503
        assert answered(store, ALICE) == set()
        assert "could not parse" not in caplog.text

        filler.unlink()  # space again: Slack's retry is handled
        assert typed_answer(driver, "Ev0FULL", headers=RETRY) == 200
        driver.wait_question(ALICE, 2)
    assert answered(store, ALICE) == {"reason"}
