"""What the query mixins need of a database, whichever engine: SQLite (``bot.store.connection``) or
PostgreSQL (``bot.store.postgres``).

The queries are written once, in SQL both engines read the same way (``?`` placeholders, ``on
conflict`` upserts, ``returning``); what differs (connections, transactions, locking) lives in the two
connection classes that implement this base.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from bot.store.locks import Unit
from bot.store.snapshots import StaleSnapshot
from flows.values import MemberKey


class Cursor(Protocol):
    """The part of a DB-API cursor the queries use."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Result:
    """A statement's rows, read at once: so that the transaction can commit (SQLite) or the connection
    go back to the pool (PostgreSQL) before the caller reads them."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows


class Database(Protocol):
    """A connection as the queries use it: statements, and rows as dicts."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def query(self, sql: str, params: Sequence[Any] = ...) -> Iterable[dict[str, Any]]: ...


class Session(ABC):
    """The transactions and statements of one store, for the query mixins."""

    _local: threading.local  # this thread's connection and unit of work

    @property
    @abstractmethod
    def db(self) -> Any:
        """This thread's connection (inside a transaction: the transaction's)."""

    @abstractmethod
    def write(self) -> AbstractContextManager[Any]:
        """A write transaction (a savepoint inside an open one)."""

    @abstractmethod
    def atomic(self) -> AbstractContextManager[Any]:
        """The store's own multi-statement writes: all or nothing. Inside a unit of work, part of it
        with no savepoint: a failed statement fails the whole unit (PostgreSQL fails the whole
        transaction anyway), and a savepoint would cost two more statements or round trips."""

    @abstractmethod
    def _write_one(self, sql: str, params: Sequence[Any]) -> Cursor:
        """One writing statement, in this thread's transaction if one is open."""

    def _write_unread(self, sql: str, params: Sequence[Any], then: Callable[[int], None] | None = None) -> None:
        """A writing statement whose caller does not wait for its result. Inside a unit of work it waits:
        on PostgreSQL it goes out with the unit's next statement (or its commit) rather than in a round
        trip of its own; on SQLite, in a snapshot, it runs before the unit's next statement (or its
        commit), and only then is the writers' lock taken. ``then`` hears its row count once it has
        run; on PostgreSQL that may be after the commit, so there it must not raise (a compare-and-set
        fails on the server instead: ``_compare_and_set_unread``). A failure fails the unit, as any
        statement's does."""
        result = self._write_one(sql, params)
        if then is not None:
            then(result.rowcount)

    def _compare_and_set_unread(self, sql: str, params: Sequence[Any]) -> None:
        """``_write_unread`` of an update that must change exactly one row: when it changes none, the
        unit fails with ``StaleSnapshot`` (and is run again) before anything of it is committed."""
        self._write_unread(sql, params, changed_one)

    def _defers_writes(self) -> bool:
        """Whether ``_write_unread`` would wait (PostgreSQL: for the unit's next round trip; SQLite: for
        its next statement, in a snapshot that holds no lock yet)."""
        return False

    def _checks_reads_first(self) -> bool:
        """This thread's unit is a snapshot whose writes wait, and which is run again if anything it read
        has changed before they land: a compare-and-set of a row it read cannot fail there, so it can
        wait with the rest."""
        return False

    @abstractmethod
    def unit_of_work(self, snapshot: bool = False, exclusive: bool = False) -> AbstractContextManager[None]: ...

    @abstractmethod
    def begin_snapshot(self) -> None:
        """In a ``unit_of_work(snapshot=True)``: the reads its decision rests on begin here. Reads before
        it do not make the unit stale: whether a signature or an event is new is checked again by the
        unit's own last writes, and whether the workspace was stopped only decides whether to reopen it
        (a stop committed after that read comes after this request)."""

    @abstractmethod
    def end_reading(self) -> None: ...

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once this thread's unit of work commits; at once outside one."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is None:
            hook()
        else:
            unit.after_commit.append(hook)

    @abstractmethod
    def health_problem(self, now: datetime) -> str | None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def table_exists(self, name: str) -> bool: ...

    @abstractmethod
    def table_names(self) -> list[str]: ...

    def executemany(self, db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            db.execute(sql, row)

    def lock_member(self, db: Any, member: MemberKey) -> None:
        """Make racing transactions about one member take turns until this one ends. SQLite has one
        writer at a time already; PostgreSQL takes an advisory lock."""
        return None

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        yield from self.db.query(sql, params)


def changed_one(count: int) -> None:
    if count != 1:
        raise StaleSnapshot("a row this unit read changed before its write landed")
