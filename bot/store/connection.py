"""One connection per thread, one writer queue per database file, and migrations under a lock.

Bolt runs listeners on a thread pool: each thread gets its own connection, WAL journaling lets readers
go on while one writes, and every multi-row change is one ``BEGIN IMMEDIATE`` transaction, so a kill
at any moment leaves either the old or the new state, never half of each.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.store.rows import _iso
from bot.store.schema import migrations

log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATION_ATTEMPTS = 20

def is_locked(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def retry_locked(action: Callable[[], T], attempts: int = MIGRATION_ATTEMPTS, pause: float = 0.05) -> T:
    """Run ``action``, retrying while another process holds the database ("database is locked")."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not is_locked(error) or attempt == attempts:
                raise
            log.info("database busy (%s); retrying, attempt %d of %d", error, attempt, attempts)
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")


@contextmanager
def migration_lock(db_path: str) -> Iterator[None]:
    """An exclusive lock across processes (a ``flock`` on ``<db>.lock``), so processes starting
    together on a fresh or older database apply its migrations one at a time."""
    with open(db_path + ".lock", "a") as lock_file:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


class Connection:
    """The store's plumbing; the queries live in mixins (one per aggregate) that ``Store`` combines."""

    _writers: dict[str, threading.Lock] = {}
    _writers_guard = threading.Lock()

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        with Connection._writers_guard:
            # One lock per database file shared by every Store in this process: threads queue here in
            # order, instead of in SQLite's busy handler, which sleeps in coarse steps under contention.
            self._writer = Connection._writers.setdefault(os.path.realpath(self.path), threading.Lock())
        with migration_lock(self.path):  # processes starting together migrate one at a time
            retry_locked(lambda: migrations.apply(self.db))
        self._identity = self.file_identity()  # the health check notices the file removed or replaced

    @property
    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = Database(conn)
            self._local.db = db
        return db

    def close(self) -> None:
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def _write_one(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        """One writing statement, queued behind this process's other writers."""
        with self._writer:
            cursor: sqlite3.Cursor = self.db.execute(sql, params)
            return cursor

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front, so it never fails half-way on busy."""
        db = self.db
        with self._writer:
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK")
                raise
            db.conn.execute("COMMIT")

    def file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def health_problem(self, now: datetime) -> str | None:
        """None when a request could be served: the file is still the one opened, a real table
        reads, and a write commits. Otherwise a short reason for the log."""
        if self._identity is None or self.file_identity() != self._identity:
            return "the database file was removed or replaced under the server"
        try:
            self.db.execute("select count(*) from (select 1 from members limit 1)").fetchone()
            with self.write() as db:
                db.execute("insert or replace into health (id, at) values (1, ?)", [_iso(now)])
        except sqlite3.Error as error:
            return f"the database cannot be used: {error}"
        return None
