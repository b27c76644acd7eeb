"""Locks around the database: one writer queue per process and file, and one ``flock`` across processes.

Threads of one process queue on a ``FifoLock``; several processes (the serving and sending processes
of ``coach run``, a ``coach tick`` from cron) queue on an exclusive ``flock`` of a file beside the
database. Both are taken before ``BEGIN IMMEDIATE``, so writers wait in order instead of in SQLite's
busy handler, which sleeps in coarse steps, and processes starting together migrate one at a time.

A writer waits for them only so long (``WriterBusy``): a process frozen while holding the ``flock``
(stopped, swapped out, stuck in a debugger) must not leave every request of the others waiting
forever; they are refused instead (503, and Slack sends its events again).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
LOCKED_ATTEMPTS = 20
WRITER_WAIT_SECONDS = 10.0  # how long a write waits for the writers' locks before it gives up
# How often a writer waiting for another process's ``flock`` looks again (it cannot block with a limit).
FLOCK_POLL_FIRST, FLOCK_POLL_MOST = 0.0002, 0.002


class WriterBusy(sqlite3.OperationalError):
    """The writers' locks stayed held by another thread or process for longer than a write may wait."""


class FifoLock:
    """A lock handed to the threads waiting for it in the order they asked.

    A ``threading.Lock`` goes to whichever thread the interpreter runs next, so under load one
    request's write could be passed over again and again: at 10 members clicking at once, the slowest
    1 % of acknowledgements waited 20 ms and more for the writer lock while its mean wait was 3 ms."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for the lock (no longer than ``timeout`` seconds, if given); whether it was taken."""
        turn = threading.Lock()
        turn.acquire()
        try:
            with self._guard:
                if not self._held:
                    self._held = True
                    return True
                self._waiting.append(turn)
            # released by ``release``, which hands the lock over (it stays held)
            if turn.acquire(timeout=-1 if timeout is None else timeout):
                return True
            with self._guard:
                if turn in self._waiting:  # not handed over: leave the queue
                    self._waiting.remove(turn)
                    return False
            return True  # handed over just as the wait ran out
        except BaseException:  # interrupted (a signal, in the main thread): leave the queue
            with self._guard:
                if turn in self._waiting:
                    self._waiting.remove(turn)
                    raise
                given = not turn.locked()  # handed over just as the wait was interrupted
            if given:
                self.release()  # to the next in line
            raise

    def release(self) -> None:
        with self._guard:
            if not self._held:
                raise RuntimeError("release of an unheld FifoLock")
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False

    def waiting(self) -> int:
        """How many threads wait for it (for tests)."""
        with self._guard:
            return len(self._waiting)

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


class ProcessLock:
    """An exclusive ``flock`` on ``path``, opened lazily (and anew in a forked child)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float | None = None) -> bool:
        """Wait for the lock (no longer than ``timeout`` seconds, if given); whether it was taken."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if timeout is None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            return True
        deadline = time.monotonic() + timeout
        pause = FLOCK_POLL_FIRST
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
            time.sleep(pause)
            pause = min(FLOCK_POLL_MOST, pause * 2)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


@dataclass
class Unit:
    """One request's unit of work: whether its transaction has begun, and what runs after the commit."""

    begun: bool = False  # writing: the writers' locks are held
    snapshot: bool = False  # its decision is to be read in a snapshot (``unit_of_work(snapshot=True)``)
    reading: bool = False  # that snapshot is open (``begin_snapshot``), with no lock
    reads: list[tuple[str, Any]] = field(default_factory=list)  # what it read there (SQLite), to check
    stale: bool = False  # what it read changed: no write of it may land, even one tried after the error
    failed: bool = False  # one of those failed: whatever a caller did with the error, nothing commits
    # writes nobody waits for, not yet run (SQLite, in a snapshot): run when the lock is taken
    pending: list[tuple[str, Sequence[Any], Callable[[int], None] | None]] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


def is_locked(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def retry_locked(action: Callable[[], T], attempts: int = LOCKED_ATTEMPTS, pause: float = 0.05) -> T:
    """Run ``action``, retrying while another process holds the database ("database is locked"), for the
    few statements that run outside our locks (switching a new file to WAL)."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not is_locked(error) or attempt == attempts:
                raise
            log.info("database busy (%s); retrying, attempt %d of %d", error, attempt, attempts)
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")
