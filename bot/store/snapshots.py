"""A request's reads on SQLite, kept so that its decision can be checked before it writes.

A request reads and decides in a snapshot, without the writers' lock (``unit_of_work(snapshot=True)``),
begun just before its listener runs (``begin_snapshot``): its middlewares' reads (a signature or an
event seen before? the workspace stopped?) are no part of its decision (``Session.begin_snapshot``).
SQLite has one version of the whole file, so *any* commit since the snapshot began, even one about
another member or the sender's own bookkeeping, makes the snapshot too old to write from. Under load
that is nearly every request; running each one twice cost more than the lock it saved. So a unit
keeps the statements it read (sqlite-utils' ``tracer``), and when its snapshot is too old at its first
write, it reads them again, once in the old snapshot and once as now committed, under the writers'
lock: the same rows mean the decision stands on what is true now, and it writes; any difference makes
it ``StaleSnapshot``, run again from the start. That is optimistic concurrency checked on the reads
themselves: two requests racing for one member still never both write what they decided.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Generator, Sequence
from typing import Any

from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

from bot.store.locks import Unit

# A write that changes nothing: it takes SQLite's write lock, and fails at once if the snapshot is stale.
TAKE_WRITE_LOCK = "update health set id = id where 0"
Params = Sequence[Any] | dict[str, Any] | None


class StaleSnapshot(sqlite3.OperationalError):
    """Another writer changed what this unit of work read since it began: what it decided may rest on
    data that changed, so nothing of it is kept and it is run again."""


class CoachDatabase(Database):
    """sqlite-utils' ``Database`` that keeps the reads of this thread's open snapshot."""

    def __init__(
        self, conn: sqlite3.Connection, local: threading.local, before_statement: Callable[[], None] = lambda: None
    ) -> None:
        self._local = local
        self._before_statement = before_statement
        super().__init__(conn, tracer=self._keep_read)

    def execute(self, sql: str, parameters: Params = None) -> sqlite3.Cursor:
        """Every statement goes through here: the unit's writes still waiting go first
        (``before_statement``), so a read sees them."""
        self._before_statement()
        return super().execute(sql, parameters)

    def _keep_read(self, sql: str, params: Params) -> None:
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is not None and unit.reading and not unit.begun:
            unit.reads.append((sql, dict(params) if isinstance(params, dict) else tuple(params or ())))

    def query(self, sql: str, params: Params = None) -> Generator[dict[str, Any], None, None]:
        """Rows as dicts. The coach's queries are all ``select``s, so sqlite-utils' guard against a
        statement that returns no rows (a savepoint around each query: two more statements) is skipped."""
        cursor = self.execute(sql, params)
        keys = dedupe_keys(column[0] for column in cursor.description)
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def read_again(conn: sqlite3.Connection, reads: list[tuple[str, Any]]) -> list[list[Any]]:
    return [conn.execute(sql, params).fetchall() for sql, params in reads]


def upgrade_snapshot(conn: sqlite3.Connection, unit: Unit) -> None:
    """Make the unit's read snapshot its write transaction; the writers' locks are held. Raises
    ``StaleSnapshot``, with nothing open, when what the unit read has changed since."""
    try:
        conn.execute(TAKE_WRITE_LOCK)
        return  # nobody wrote since the snapshot began
    except sqlite3.OperationalError as error:
        if error.sqlite_errorname != "SQLITE_BUSY_SNAPSHOT":
            raise
    as_read = read_again(conn, unit.reads)
    conn.execute("COMMIT")  # the old snapshot let go
    unit.reading = False
    try:
        conn.execute("BEGIN IMMEDIATE")
        unchanged = read_again(conn, unit.reads) == as_read
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if not unchanged:
        conn.execute("ROLLBACK")
        unit.stale = True
        raise StaleSnapshot("another writer changed what this request read since it began")
