"""Issue 20, item 11: a process frozen while it holds the writers' lock does not hold every other
process's requests with it. A write waits ``COACH_WRITER_WAIT_SECONDS`` for the lock, then the request
is refused with 503 (Slack sends it again) and ``/healthz`` fails, until the holder lets go."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.locks import FifoLock, ProcessLock, WriterBusy
from tests.fake_slack import FakeSlack
from tests.processes import wait_for
from tests.test_e2e_restart import coach_process

USER = "U0WAITS"


@contextmanager
def held_flock(path: str) -> Iterator[None]:
    """The lock file's ``flock`` held from another open file, as a frozen process would hold it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def test_a_wait_for_a_held_fifo_lock_gives_up_and_leaves_the_queue() -> None:
    lock = FifoLock()
    lock.acquire()
    assert lock.acquire(timeout=0.05) is False
    assert lock.waiting() == 0  # it left the queue: the next release does not hand the lock to nobody
    lock.release()
    assert lock.acquire(timeout=0.05) is True
    lock.release()


def test_a_queued_waiter_still_gets_the_lock_handed_over_within_its_wait() -> None:
    lock = FifoLock()
    lock.acquire()
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(lock.acquire(timeout=30)), daemon=True)
    waiter.start()
    wait_for(lambda: lock.waiting() == 1, "the waiter never queued")
    lock.release()
    waiter.join(timeout=10)
    assert got == [True]
    lock.release()


def test_a_flock_held_by_another_file_is_waited_for_only_so_long(tmp_path: Path) -> None:
    lock = ProcessLock(str(tmp_path / "coach.db.lock"))
    with held_flock(lock.path):
        assert lock.acquire(timeout=0.05) is False
    assert lock.acquire(timeout=0.05) is True
    lock.release()


def test_a_write_behind_another_processs_lock_raises_writer_busy_and_keeps_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.db", writer_wait=0.1)
    with held_flock(str(tmp_path / "coach.db.lock")), pytest.raises(WriterBusy):
        store.beat("sender-1", 1.0)
    assert store.live_senders(0.0) == set()
    store.beat("sender-1", 1.0)  # the lock is free again: the same write goes through
    assert store.live_senders(0.0) == {"sender-1"}


def test_a_server_behind_a_frozen_lock_holder_refuses_with_503_then_serves_again(
    fake_slack: FakeSlack, db_path: Path
) -> None:
    with coach_process(fake_slack, db_path, COACH_WRITER_WAIT_SECONDS="0.3") as (_process, driver):
        with held_flock(f"{db_path}.lock"):
            assert driver.command(USER, "help").status == 503  # not acknowledged: Slack sends it again
            assert driver.get("/healthz").status == 503
        assert driver.get("/healthz").status == 200
        assert driver.command(USER, "help").status == 200
        fake_slack.wait_for("response_url")  # and the member gets the help they asked for
