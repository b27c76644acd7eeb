"""The PostgreSQL store's plumbing: a psycopg connection pool, one transaction per unit of work, and
no lock of our own: racing writers are settled by the database (row locks, compare-and-set,
``on conflict``, advisory locks held to the end of a transaction).

A thread holds a pooled connection only while it is in a transaction (a unit of work or a ``write``);
a statement outside one borrows a connection for that statement alone, so a pool of a few connections
serves many request threads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from bot.store.locks import Unit
from bot.store.postgres.schema import migrate
from bot.store.rows import _iso
from bot.store.session import Result, Session
from bot.store.snapshots import StaleSnapshot
from flows.values import MemberKey

OUTBOX_CHANNEL = "coach_outbox"  # NOTIFY'd when a row is added; the senders LISTEN
# Slack waits 3 seconds for an acknowledgement: a request that cannot have a connection sooner (the
# server is down) is answered 503, so Slack retries its events, instead of hanging.
WAIT_FOR_CONNECTION_SECONDS = 2.5
LISTEN_TIMEOUT_SECONDS = 1.0  # how often the listener looks whether its store was closed
OPEN_TRANSACTION = (TransactionStatus.INTRANS, TransactionStatus.INERROR)
log = logging.getLogger(__name__)


@lru_cache(maxsize=512)
def postgres_sql(sql: str) -> str:
    """The queries' ``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def member_lock(member: MemberKey) -> str:
    """The name of a member's advisory lock (``pg_advisory_xact_lock(hashtextextended(name, 0))``)."""
    return f"{member.team_id}/{member.user_id}"


def _params(params: Sequence[Any]) -> list[Any]:
    return [int(value) if isinstance(value, bool) else value for value in params]  # flags are integer columns


@contextmanager
def stale_as_snapshot() -> Iterator[None]:
    """A row changed by another transaction since this one's snapshot: the same ``StaleSnapshot`` as
    SQLite's, so the request is run again."""
    try:
        yield
    except psycopg.errors.SerializationFailure as error:
        raise StaleSnapshot("another transaction changed what this request read") from error


@dataclass(frozen=True)
class Deferred:
    """A writing statement nobody waits for (``Session._write_unread``), and who hears its row count."""

    sql: bytes
    params: list[Any]
    then: Callable[[int], None] | None = None
    # what the statement's failure means: an error of the first type is raised as the second
    fails_as: tuple[type[psycopg.Error], type[Exception]] | None = None


class Opening:
    """What a unit of work has yet to tell the server before its next statement: ``begin`` (or, after
    ``end_reading``, ``commit`` then ``begin``), and the writes whose results nobody waits for. They go
    out with that statement, in one round trip (psycopg's pipeline mode), rather than in round trips
    of their own; a unit that runs no statement sends nothing at all, and writes still waiting at
    the end go out with the commit."""

    def __init__(self, begin: bytes) -> None:
        self.pending: list[bytes | Deferred] = [begin]
        self.open_on_server = False  # a transaction is open on the connection

    def restart(self) -> None:
        """Commit what is open (if anything) and begin anew, with the next statement."""
        self.pending = [b"commit", b"begin"] if self.open_on_server else [b"begin"]

    def defer(self, statement: Deferred) -> None:
        self.pending.append(statement)

    @property
    def writes_waiting(self) -> bool:
        return any(isinstance(item, Deferred) for item in self.pending)

    def send_with(self, conn: psycopg.Connection[tuple[Any, ...]], statement: Callable[[bool], object]) -> None:
        """Run ``statement`` (or nothing), after what is pending, in one round trip. It is told whether
        a write that may fail goes before it: then it is not prepared, nor is any write after the first,
        since a statement that fails in a pipeline (a serialization failure, say) makes the server drop
        what comes after it, the preparing of a statement included, which psycopg would take as done
        ("prepared statement does not exist" on that connection from then on)."""
        if not self.pending:
            statement(False)
            return
        pending, self.pending = self.pending, []
        sent: list[tuple[Deferred, psycopg.Cursor[Any]]] = []
        try:
            with conn.pipeline():
                for item in pending:
                    if isinstance(item, Deferred):  # the first may be prepared: nothing before it can fail
                        sent.append((item, conn.execute(item.sql, item.params, prepare=False if sent else None)))
                    else:
                        conn.execute(item, prepare=False)
                self.open_on_server = True
                statement(bool(sent))
        except psycopg.Error as error:
            # the statement that failed is the first without a result (the ones after it were skipped)
            failed = next((item for item, cursor in sent if cursor.pgresult is None), None)
            if failed is not None and failed.fails_as is not None and isinstance(error, failed.fails_as[0]):
                raise failed.fails_as[1](str(error)) from error
            raise
        for deferred, cursor in sent:
            if deferred.then is not None:
                deferred.then(cursor.rowcount)

    def commit(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        """End the unit: the writes still waiting and the commit in one round trip (nothing, when the
        unit never reached the server). A transaction a failed statement aborted is not committed (the
        server would roll it back and say nothing), even if its caller caught the error."""
        if conn.info.transaction_status == TransactionStatus.INERROR:
            raise psycopg.errors.InFailedSqlTransaction("a statement of this unit failed: nothing is committed")
        if self.writes_waiting:
            with stale_as_snapshot():
                self.send_with(conn, lambda _piped: conn.execute(b"commit", prepare=False))
        elif self.open_on_server:
            conn.execute(b"commit")


class PgDatabase:
    """One connection, as the queries use it; in a unit of work, with what it has yet to open."""

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]], opening: Opening | None = None) -> None:
        self.conn = conn
        self.opening = opening

    def open(self) -> None:
        """Send what the unit has yet to open, now (before psycopg's own ``transaction()``, say)."""
        if self.opening is not None:
            with stale_as_snapshot():
                self.opening.send_with(self.conn, lambda _piped: None)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        with stale_as_snapshot(), self.conn.cursor() as cursor:
            self._run(cursor, sql, params)
            return Result(cursor.fetchall() if cursor.description else [], cursor.rowcount)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with stale_as_snapshot(), self.conn.cursor(row_factory=dict_row) as cursor:
            self._run(cursor, sql, params)
            return cursor.fetchall() if cursor.description else []

    def _run(self, cursor: psycopg.Cursor[Any], sql: str, params: Sequence[Any]) -> None:
        def statement(piped: bool = False) -> None:
            cursor.execute(postgres_sql(sql).encode(), _params(params), prepare=False if piped else None)

        if self.opening is None:
            statement()
        else:
            self.opening.send_with(self.conn, statement)


class PooledDatabase:
    """Outside a transaction: each statement on a connection borrowed from the pool for it alone."""

    def __init__(self, pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]]) -> None:
        self.pool = pool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        with self.pool.connection() as conn:
            return PgDatabase(conn).execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.pool.connection() as conn:
            return PgDatabase(conn).query(sql, params)


class PgConnection(Session):
    """Connections from a pool; migrations applied once, under an advisory lock, when the store opens."""

    def __init__(self, url: str, max_connections: int = 20) -> None:
        self.url = url
        self.path = url  # what the SQLite store calls its file: where the data lives
        self._local = threading.local()
        self._closed = threading.Event()
        self.pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            kwargs={"autocommit": True},
            timeout=WAIT_FOR_CONNECTION_SECONDS,
            open=True,
        )
        with self.pool.connection() as conn:
            migrate(conn)

    def _held(self) -> PgDatabase | None:
        """This thread's connection while it is in a transaction (a unit of work or a ``write``)."""
        held: PgDatabase | None = getattr(self._local, "held", None)
        return held

    @property
    def db(self) -> PgDatabase | PooledDatabase:
        return self._held() or PooledDatabase(self.pool)

    @contextmanager
    def write(self) -> Iterator[PgDatabase]:
        """A transaction; inside this thread's open one, a savepoint of it."""
        held = self._held()
        if held is not None:
            self._writing()
            held.open()
            self._local.savepoints = getattr(self._local, "savepoints", 0) + 1
            try:
                with held.conn.transaction():  # a savepoint: what it writes is not left waiting past it
                    yield held
            finally:
                self._local.savepoints -= 1
            return
        with self.pool.connection() as conn:
            self._local.held = PgDatabase(conn)
            try:
                with conn.transaction():
                    yield self._local.held
            finally:
                self._local.held = None

    @contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        held = self._held()
        if held is None:
            with self.write() as db:
                yield db
        else:
            self._writing()
            yield held

    def _write_unread(self, sql: str, params: Sequence[Any], then: Callable[[int], None] | None = None) -> None:
        if not self._defers_writes():
            super()._write_unread(sql, params, then)
            return
        self._defer(Deferred(postgres_sql(sql).encode(), _params(params), then))

    def _defer(self, statement: Deferred) -> None:
        held = self._held()
        assert held is not None and held.opening is not None  # ``_defers_writes``
        self._writing()
        held.opening.defer(statement)

    def _write_unread_failing_as(
        self, sql: str, params: Sequence[Any], error: type[psycopg.Error], meaning: type[Exception]
    ) -> None:
        """``_write_unread`` of a statement whose failure with ``error`` means ``meaning``, raised at the
        round trip that carries it (the commit, at the latest): the unit then rolls back."""
        self._defer(Deferred(postgres_sql(sql).encode(), _params(params), fails_as=(error, meaning)))

    def _compare_and_set_unread(self, sql: str, params: Sequence[Any]) -> None:
        """An update that must change exactly one row fails on the server when it changes none (a
        division by zero, raised as ``StaleSnapshot``), so the commit it goes out with never lands."""
        checked = f"with moved as ({sql} returning 1) select 1 / (select count(*) from moved)"
        self._write_unread_failing_as(checked, params, psycopg.errors.DivisionByZero, StaleSnapshot)

    def _defers_writes(self) -> bool:
        held = self._held()
        return held is not None and held.opening is not None and not getattr(self._local, "savepoints", 0)

    def _checks_reads_first(self) -> bool:
        """In ``REPEATABLE READ`` a write to a row changed since the snapshot fails (``StaleSnapshot``)."""
        unit: Unit | None = getattr(self._local, "unit", None)
        return self._defers_writes() and unit is not None and unit.reading

    def _write_one(self, sql: str, params: Sequence[Any]) -> Result:
        held = self._held()
        if held is not None:  # one statement is atomic by itself: no savepoint
            self._writing()
            return held.execute(sql, params)
        return self.db.execute(sql, params)

    @contextmanager
    def unit_of_work(self, snapshot: bool = False, exclusive: bool = False) -> Iterator[None]:
        """Every statement on this thread until the block ends is one transaction on one connection;
        an exception rolls it all back. Functions given to ``after_commit`` run once it is committed.

        With ``snapshot`` (a request from Slack), every read sees the database as of the first one
        (``REPEATABLE READ``), and a write to a row another transaction changed since raises
        ``StaleSnapshot``, so the caller runs the unit again. ``exclusive`` (that second run) reads
        what is committed at each statement instead, and cannot go stale: its compare-and-set writes
        and the locks PostgreSQL holds to the end of the transaction settle any race."""
        if getattr(self._local, "unit", None) is not None:
            yield
            return
        unit = Unit(reading=snapshot and not exclusive)
        opening = Opening(b"begin isolation level repeatable read" if unit.reading else b"begin")
        with self.pool.connection() as conn:
            self._local.unit, self._local.held = unit, PgDatabase(conn, opening)
            try:
                try:
                    yield
                    opening.commit(conn)
                except BaseException:
                    if not conn.closed and conn.info.transaction_status in OPEN_TRANSACTION:
                        conn.execute(b"rollback")
                    raise
            finally:
                self._local.unit, self._local.held = None, None
        for hook in unit.after_commit:
            hook()

    def begin_snapshot(self) -> None:
        """Nothing to do: PostgreSQL's snapshot goes stale only for the rows the unit writes, so reading
        a few more rows in it costs no second run."""

    def end_reading(self) -> None:
        """This unit's writes from here on rest on no earlier read (a request's own bookkeeping, last):
        if it has written nothing yet, its snapshot is let go, so they never find it stale."""
        unit: Unit | None = getattr(self._local, "unit", None)
        held = self._held()
        if unit is not None and held is not None and held.opening is not None and unit.reading and not unit.begun:
            held.opening.restart()
            unit.reading = False

    def _writing(self) -> None:
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is not None:
            unit.begun = True

    def lock_member(self, db: Any, member: MemberKey) -> None:
        db.execute("select pg_advisory_xact_lock(hashtextextended(?, 0))", [member_lock(member)])

    def table_exists(self, name: str) -> bool:
        return bool(self.db.execute("select to_regclass(?) is not null", [name]).fetchone()[0])

    def table_names(self) -> list[str]:
        rows = self.db.execute(
            "select table_name from information_schema.tables where table_schema = current_schema() order by 1"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def executemany(self, db: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        db.open()
        with db.conn.cursor() as cursor:
            cursor.executemany(postgres_sql(sql).encode(), [_params(row) for row in rows])

    def health_problem(self, now: datetime) -> str | None:
        """None when a request could be served: a real table reads and a write commits."""
        try:
            self.db.execute("select count(*) from (select 1 from members limit 1) as one")
            self._write_one(
                "insert into health (id, at) values (1, ?) on conflict (id) do update set at = excluded.at",
                [_iso(now)],
            )
        except psycopg.Error as error:
            return f"the database cannot be used: {error}"
        return None

    def wake_on_notify(self, ring: Callable[[], None]) -> threading.Thread:
        """Call ``ring`` whenever any host commits an outbox row (``LISTEN``), on a thread of its own
        with a connection of its own (re-opened after a lost connection), until the store closes."""
        thread = threading.Thread(target=self._listen, args=(ring,), name="outbox-listener", daemon=True)
        thread.start()
        return thread

    def _listen(self, ring: Callable[[], None]) -> None:
        while not self._closed.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as conn:
                    conn.execute(f"listen {OUTBOX_CHANNEL}")
                    ring()  # rows added while nobody listened
                    while not self._closed.is_set():
                        for _notice in conn.notifies(timeout=LISTEN_TIMEOUT_SECONDS):
                            ring()
            except psycopg.Error as error:
                log.warning("listening for outbox rows failed (%s); listening again", error)
                self._closed.wait(LISTEN_TIMEOUT_SECONDS)

    def close(self) -> None:
        self._closed.set()
        self.pool.close()
