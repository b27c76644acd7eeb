"""Locks around the database: one writer queue per process and file, and one ``flock`` across processes.

Threads of one process queue on a ``threading.Lock``; several processes (``coach run --http --workers
N``, a ``coach tick`` from cron) queue on an exclusive ``flock`` of a file beside the database. Both
are taken before ``BEGIN IMMEDIATE``, so writers wait in order in the kernel instead of in SQLite's
busy handler, which sleeps in coarse steps, and processes starting together migrate one at a time.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
LOCKED_ATTEMPTS = 20


class ProcessLock:
    """An exclusive ``flock`` on ``path``, opened lazily (and anew in a forked child)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

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

    begun: bool = False
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
