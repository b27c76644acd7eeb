"""One connection per thread, one writer queue per database file, and each request as one transaction.

Bolt runs listeners on a thread pool: each thread gets its own connection, WAL journaling lets readers
go on while one writes, and every multi-row change is one ``BEGIN IMMEDIATE`` transaction, so a kill
at any moment leaves either the old or the new state, never half of each. A request handled as a unit
of work (``unit_of_work``) joins all its writes, and the replies it keeps, into one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from bot.store.locks import WRITER_WAIT_SECONDS, FifoLock, ProcessLock, Unit, WriterBusy, retry_locked
from bot.store.rows import _iso
from bot.store.schema import migrations
from bot.store.session import Cursor, Result, Session
from bot.store.snapshots import CoachDatabase, StaleSnapshot, upgrade_snapshot


class DatabaseMoved(sqlite3.OperationalError):
    """The database path no longer names the file this process opened (deleted, or another file put
    in its place): whatever is written now would be lost, or missed after a restart."""


MOVED = "the database file was removed or replaced under the server"


class Connection(Session):
    """The SQLite store's plumbing; the queries live in mixins (one per aggregate) that ``Store`` combines."""

    _writers: dict[str, tuple[FifoLock, ProcessLock]] = {}
    _writers_guard = threading.Lock()

    def __init__(self, path: str | Path, writer_wait: float = WRITER_WAIT_SECONDS) -> None:
        self.path = str(path)
        self.writer_wait = writer_wait
        self._local = threading.local()
        with Connection._writers_guard:
            real = os.path.realpath(self.path)
            self._writer, self._process_lock = Connection._writers.setdefault(
                real, (FifoLock(), ProcessLock(real + ".lock"))
            )
        with self._writer, self._process_lock:  # processes starting together migrate one at a time
            retry_locked(lambda: migrations.apply(self.db))
        self._identity = self.file_identity()  # the health check notices the file removed or replaced

    @classmethod
    def forget_inherited_locks(cls) -> None:
        """In a forked child: its own writer locks (a lock file opened anew, so ``flock`` tells the
        processes apart) instead of the parent's, which another thread may have held at the fork."""
        cls._writers_guard = threading.Lock()
        cls._writers = {}

    @property
    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = self._connect()
            retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = CoachDatabase(conn, self._local, self._run_pending)
            self._local.db = db
        return db

    def _connect(self) -> sqlite3.Connection:
        """A connection of this thread's. Once the store is open, the file must still be there: SQLite
        would otherwise make a new empty one at the path and reset the write-ahead index that the
        other threads' connections (still on the removed file) have mapped, which kills the process
        with SIGBUS. A file gone is ``DatabaseMoved``, as the health check reports it."""
        opened = getattr(self, "_identity", None) is not None and self.path != ":memory:"
        target = f"file:{quote(os.path.abspath(self.path))}?mode=rw" if opened else self.path
        try:
            return sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False, uri=opened)
        except sqlite3.OperationalError as error:
            if opened and not os.path.exists(self.path):
                raise DatabaseMoved(MOVED) from error
            raise

    def table_exists(self, name: str) -> bool:
        return bool(self.db.table(name).exists())

    def table_names(self) -> list[str]:
        return list(self.db.table_names())

    def executemany(self, db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._run_pending()
        db.conn.executemany(sql, rows)

    def close(self) -> None:
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    def _write_unread(self, sql: str, params: Sequence[Any], then: Callable[[int], None] | None = None) -> None:
        """In a snapshot not yet writing, the statement waits for the unit's next statement or its end:
        the writers' lock is taken then, not while the request still decides, renders and encodes."""
        if not self._defers_writes():
            super()._write_unread(sql, params, then)
            return
        unit: Unit = self._local.unit
        unit.pending.append((sql, params, then))

    def _defers_writes(self) -> bool:
        unit: Unit | None = getattr(self._local, "unit", None)
        return unit is not None and unit.reading and not unit.begun

    def _checks_reads_first(self) -> bool:
        return self._defers_writes()  # ``_begin_unit`` reads it all again before the first write lands

    def _run_pending(self) -> None:
        """Before any statement of the unit's (and before it ends): the writes still waiting, under
        the writers' lock, with the unit's snapshot checked first (``_begin_unit``)."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is None or not unit.pending:
            return
        pending, unit.pending = unit.pending, []
        try:
            if not unit.begun:
                self._begin_unit(self.db, unit)
            for sql, params, then in pending:
                count = self.db.execute(sql, params).rowcount
                if then is not None:
                    then(count)
        except BaseException:
            unit.failed = True  # the error surfaces at a later statement: the unit must not commit without them
            raise

    def _write_one(self, sql: str, params: Sequence[Any]) -> Cursor:
        """One writing statement, queued behind this process's other writers (or joining the open
        transaction of this thread's unit of work)."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is None and not getattr(self._local, "writing", False):
            with self.write() as db:  # a ``returning`` statement's rows are read before the commit
                cursor: sqlite3.Cursor = db.execute(sql, params)
                rows = cursor.fetchall() if cursor.description else []
                return Result(rows, cursor.rowcount)
        if unit is not None and not unit.begun:
            self._begin_unit(self.db, unit)
        return self.db.execute(sql, params)  # one statement needs no savepoint: it is atomic by itself

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """Inside a unit of work, no savepoint: a statement that fails there fails the whole unit,
        which rolls back as one (as on PostgreSQL), so a savepoint would cost two statements for
        nothing; anywhere else, ``write``."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is None:
            with self.write() as db:
                yield db
            return
        self._run_pending()
        if not unit.begun:
            self._begin_unit(self.db, unit)
        yield self.db

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction that takes the locks up front, so it never fails half-way on busy.

        Re-entrant: inside this thread's open transaction (a unit of work, or an outer ``write``) it
        is a savepoint of that transaction, committed with it."""
        db = self.db
        unit: Unit | None = getattr(self._local, "unit", None)
        self._run_pending()  # before the savepoint: they belong to the unit, not to this write
        if unit is not None and not unit.begun:
            self._begin_unit(db, unit)
        if unit is not None or getattr(self._local, "writing", False):
            db.conn.execute("SAVEPOINT nested_write")
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK TO nested_write")
                db.conn.execute("RELEASE nested_write")
                raise
            db.conn.execute("RELEASE nested_write")
            return
        self._begin(db)
        self._local.writing = True
        try:
            yield db
        except BaseException:
            self._end(db, commit=False)
            raise
        finally:
            self._local.writing = False
        self._end(db, commit=True)

    @contextmanager
    def unit_of_work(self, snapshot: bool = False, exclusive: bool = False) -> Iterator[None]:
        """Every write on this thread until the block ends joins one transaction, committed when the
        block ends; an exception rolls it all back. Functions given to ``after_commit`` run once it is
        committed. The writers' lock is taken at the first write, so reading and deciding hold it not;
        in a snapshot, the writes nobody waits for (``_write_unread``) wait for the unit's next statement
        or its end, so it is taken later still.

        With ``snapshot`` (a request from Slack), every read sees the database as of the first one, and
        if another writer has since changed what the unit read, the first write raises ``StaleSnapshot``:
        the caller runs the whole unit again, so a decision never rests on data that changed under it
        (``bot.store.snapshots``; a commit about anything else costs no second run). The snapshot begins
        at ``begin_snapshot``; reads before it are not part of it. ``exclusive``
        takes the writers' lock before the first read instead: for a unit that went stale already."""
        if getattr(self._local, "unit", None) is not None:
            yield
            return
        unit = self._local.unit = Unit(snapshot=snapshot)
        if exclusive:
            self._begin(self.db)
            unit.begun = True
        try:
            yield
            self._run_pending()
            if unit.failed:
                raise sqlite3.OperationalError("a write of this unit failed: nothing of it is committed")
        except BaseException:
            self._local.unit = None
            if unit.begun:
                self._end(self.db, commit=False)
            elif unit.reading:
                self.db.conn.execute("ROLLBACK")
            raise
        self._local.unit = None
        if unit.begun:
            if self.moved():  # checked before the commit, so a request is never answered for lost data
                self._end(self.db, commit=False)
                raise DatabaseMoved(MOVED)
            self._end(self.db, commit=True)
        elif unit.reading:
            self.db.conn.execute("COMMIT")  # it only read
        for hook in unit.after_commit:
            hook()

    def begin_snapshot(self) -> None:
        """SQLite has one snapshot of the whole file, and any commit after it began makes it stale:
        begun no earlier than needed, fewer commits fall inside it and fewer reads are checked again."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is not None and unit.snapshot and not unit.reading and not unit.begun:
            self.db.conn.execute("BEGIN")
            unit.reading = True

    def end_reading(self) -> None:
        """This unit's writes from here on rest on no earlier read (a request's own bookkeeping, last):
        if it has written nothing yet, its snapshot is let go, so they never find it stale."""
        self._run_pending()
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is not None and unit.reading and not unit.begun:
            self.db.conn.execute("COMMIT")
            unit.reading = False
        if unit is not None:
            unit.snapshot = False

    def _begin(self, db: Database) -> None:
        self._take_locks()
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release_locks()
            raise

    def _take_locks(self) -> None:
        """The writers' locks, this process's queue first; ``WriterBusy`` after ``writer_wait`` seconds."""
        deadline = time.monotonic() + self.writer_wait
        if not self._writer.acquire(timeout=self.writer_wait):
            raise WriterBusy(f"database is locked: other writers of this process held it for {self.writer_wait:g} s")
        try:
            if not self._process_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise WriterBusy(f"database is locked: another process held it for {self.writer_wait:g} s")
        except BaseException:
            self._writer.release()
            raise

    def _release_locks(self) -> None:
        self._process_lock.release()
        self._writer.release()

    def _begin_unit(self, db: Database, unit: Unit) -> None:
        """The unit's first write: the writers' lock, and its snapshot (if any) made the writer's
        transaction, if what it read still stands (``bot.store.snapshots``)."""
        if unit.stale:
            raise StaleSnapshot("this unit's reads went stale: it is to be run again from the start")
        if not unit.reading:
            self._begin(db)
            unit.begun = True
            return
        self._take_locks()
        try:
            upgrade_snapshot(db.conn, unit)
        except BaseException:
            self._release_locks()
            raise
        unit.begun = True

    def _end(self, db: Database, commit: bool) -> None:
        try:
            try:
                db.conn.execute("COMMIT" if commit else "ROLLBACK")
            except sqlite3.Error:
                if db.conn.in_transaction:  # a commit that failed (a full disk) leaves nothing half-done
                    db.conn.execute("ROLLBACK")
                raise
        finally:
            self._release_locks()

    def file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def moved(self) -> bool:
        return self._identity is None or self.file_identity() != self._identity

    def health_problem(self, now: datetime) -> str | None:
        """None when a request could be served: the file is still the one opened, a real table
        reads, and a write commits. Otherwise a short reason for the log."""
        if self.moved():
            return MOVED
        try:
            self.db.execute("select count(*) from (select 1 from members limit 1)").fetchone()
            with self.write() as db:
                db.execute(
                    "insert into health (id, at) values (1, ?) on conflict (id) do update set at = excluded.at",
                    [_iso(now)],
                )
        except sqlite3.Error as error:
            return f"the database cannot be used: {error}"
        return None


os.register_at_fork(after_in_child=Connection.forget_inherited_locks)
