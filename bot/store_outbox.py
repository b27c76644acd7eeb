"""Issue 14's store additions, in one place: a request's writes in one transaction (the unit of work),
the writers' cross-process lock, and the outbox of replies to send. Mixed into ``bot.store.Store``."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlite_utils import Database

from flows.values import MemberKey


@dataclass
class Unit:
    begun: bool = False
    after_commit: list[Callable[[], None]] = field(default_factory=list)


class ProcessLock:
    """An exclusive ``flock`` on a file beside the database, taken after this process's own writer lock:
    writers in several processes (``coach run --http --workers N``) queue in the kernel
    instead of in SQLite's busy handler, which sleeps in coarse steps."""

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


class UnitOfWork:
    """Mixed into ``Store``: everything one request writes, in one transaction."""

    _local: threading.local

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """Every write on this thread until the block ends joins one transaction, begun at the first
        write (reads before it take no lock) and committed when the block ends; an exception rolls it
        all back. Functions given to ``after_commit`` run once it is committed."""
        if getattr(self._local, "unit", None) is not None:
            yield
            return
        unit = self._local.unit = Unit()
        try:
            yield
        except BaseException:
            self._local.unit = None
            if unit.begun:
                self._end(self._db_for_unit(), commit=False)
            raise
        self._local.unit = None
        if unit.begun:
            self._end(self._db_for_unit(), commit=True)
        for hook in unit.after_commit:
            hook()

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once this thread's unit of work commits; at once outside one."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is None:
            hook()
        else:
            unit.after_commit.append(hook)

    def _db_for_unit(self) -> Database:
        db: Database = self._local.db
        return db

    def _end(self, db: Database, commit: bool) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class OutboxRow:
    id: int
    member: MemberKey
    payload: bytes
    owner: str | None
    claimed_at: datetime | None
    attempts: int
    done: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxRow:
        return cls(
            id=row["id"],
            member=MemberKey(row["team_id"], row["user_id"]),
            payload=row["payload"],
            owner=row["owner"],
            claimed_at=datetime.fromisoformat(row["claimed_at"]) if row["claimed_at"] else None,
            attempts=row["attempts"],
            done=row["done"],
        )


# A member's next row: the oldest of theirs still in the outbox (a sent row is deleted), so nothing of a
# member's goes out while an earlier row of theirs is unsent, claimed or waiting to be retried.
MEMBER_HEAD = (
    "o.status = 'pending' and o.not_before <= ? and not exists"
    " (select 1 from outbox e where e.team_id = o.team_id and e.user_id = o.user_id and e.id < o.id)"
)


class OutboxStore:
    """Mixed into ``Store``: the outbox rows and their claims."""

    def _write_one(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        raise NotImplementedError

    def write(self) -> AbstractContextManager[Database]:
        raise NotImplementedError

    @property
    def db(self) -> Database:
        raise NotImplementedError

    def add_to_outbox(self, member: MemberKey, payload: bytes, now: datetime) -> int:
        cursor = self._write_one(
            "insert into outbox (team_id, user_id, payload, created_at) values (?, ?, ?, ?)",
            [member.team_id, member.user_id, payload, now.astimezone(UTC).isoformat()],
        )
        return cast(int, cursor.lastrowid)

    def claim_outbox_row(self, owner: str, now: datetime, wall: float) -> OutboxRow | None:
        """Claim the oldest row that is the head of its member's queue and due (``wall``: epoch seconds)."""
        with self.write() as db:  # RETURNING rows are read before the commit
            rows = db.execute(
                "update outbox set status = 'claimed', owner = ?, claimed_at = ?, attempts = attempts + 1"
                f" where id = (select o.id from outbox o where {MEMBER_HEAD} order by o.id limit 1)"
                " and status = 'pending' returning *",
                [owner, now.astimezone(UTC).isoformat(), wall],
            ).fetchall()
        return OutboxRow.from_row(dict(zip(OUTBOX_COLUMNS, rows[0], strict=True))) if rows else None

    def finish_outbox_row(self, row_id: int) -> None:
        self._write_one("delete from outbox where id = ?", [row_id])

    def retry_outbox_row(self, row_id: int, done: int, not_before: float) -> None:
        """Give a claimed row back to be tried again from step ``done`` no sooner than ``not_before``."""
        self._write_one(
            "update outbox set status = 'pending', owner = null, claimed_at = null, done = ?, not_before = ?"
            " where id = ?",
            [done, not_before, row_id],
        )

    def mark_outbox_uncertain(self, row_id: int, done: int) -> None:
        """A send timed out: whether it landed is unknown, so recovery looks in the DM's history first."""
        self._write_one("update outbox set owner = 'uncertain', done = ? where id = ?", [done, row_id])

    def claimed_outbox_rows(self) -> list[OutboxRow]:
        rows = self.db.query("select * from outbox where status = 'claimed' order by id")
        return [OutboxRow.from_row(row) for row in rows]

    def take_over_outbox_row(self, row_id: int, old_owner: str, new_owner: str) -> bool:
        cursor = self._write_one(
            "update outbox set owner = ? where id = ? and owner = ? and status = 'claimed'",
            [new_owner, row_id, old_owner],
        )
        return cursor.rowcount == 1

    def outbox_size(self) -> int:
        return int(self.db.execute("select count(*) from outbox").fetchone()[0])


OUTBOX_COLUMNS = (
    "id",
    "team_id",
    "user_id",
    "payload",
    "status",
    "owner",
    "claimed_at",
    "attempts",
    "done",
    "not_before",
    "created_at",
)
