"""The coach's store on PostgreSQL, for several hosts serving one set of workspaces.

The same query mixins as the SQLite store, on ``PgConnection``; what PostgreSQL does better than a
hand-made lock is overridden here: the outbox is claimed with ``FOR UPDATE SKIP LOCKED`` and the
senders are woken with ``NOTIFY``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg

from bot.store.outbox import DM_LANE, MEMBER_HEAD, OutboxQueries, OutboxRow
from bot.store.postgres.connection import OUTBOX_CHANNEL, PgConnection, member_lock
from bot.store.queries import CoachQueries
from bot.store.requests import CopyHandled, RequestQueries
from bot.store.workspaces import REOPEN, WorkspaceQueries
from flows.values import MemberKey


class PostgresOutbox(OutboxQueries):
    def claim_outbox_rows(
        self, owner: str, now: datetime, wall: float, limit: int, skip_teams: Sequence[str] = ()
    ) -> list[OutboxRow]:
        """Claim up to ``limit`` due rows, each the head of its member's queue, in one statement: a row
        another sender is claiming at the same moment is skipped (``SKIP LOCKED``), not waited for, and
        one it claimed first is no longer pending when this claim re-reads it."""
        if limit <= 0:
            return []
        skip = f" and o.team_id not in ({', '.join('?' * len(skip_teams))})" if skip_teams else ""
        rows = self.db.query(  # one statement, atomic by itself: no transaction to open
            "update outbox set status = 'claimed', owner = ?, claimed_at = ?, attempts = attempts + 1"
            f" where id in (select o.id from outbox o where {MEMBER_HEAD}{skip}"
            " order by o.id limit ? for update of o skip locked) returning *",
            [owner, now.astimezone(UTC).isoformat(), wall, *skip_teams, limit],
        )
        return sorted((OutboxRow.from_row(row) for row in rows), key=lambda row: row.id)

    def add_to_outbox(self, member: MemberKey, payload: bytes, now: datetime, lane: str = DM_LANE) -> int:
        """One statement, one round trip: the member's lock (their rows' ids in the order their
        transactions commit), the row, and the senders' wake-up (delivered when the transaction commits)."""
        return int(self._write_one(*self._outbox_insert(member, payload, now, lane)).fetchone()[0])

    def _outbox_insert(self, member: MemberKey, payload: bytes, now: datetime, lane: str) -> tuple[str, list[Any]]:
        """The same statement whether its id is waited for or not (``add_to_outbox_unread``)."""
        return (
            "with locked as (select pg_advisory_xact_lock(hashtextextended(?, 0))),"
            " added as (insert into outbox (team_id, user_id, payload, created_at, lane)"
            " select ?, ?, ?, ?, ? from locked returning id)"
            " select id, pg_notify(?, '') from added",
            [
                member_lock(member),
                *(member.team_id, member.user_id, payload, now.astimezone(UTC).isoformat(), lane),
                OUTBOX_CHANNEL,
            ],
        )


class PostgresWorkspaces(WorkspaceQueries):
    def reopen_workspace(self, team_id: str, reopened: Callable[[], None] = lambda: None) -> None:
        """One statement, which nobody waits for: an update that matches no stopped workspace writes
        and locks nothing; ``reopened`` is called once it has run, if it matched one."""
        self._write_unread(REOPEN + " and active = 0", [team_id], lambda count: reopened() if count == 1 else None)


class PostgresRequests(RequestQueries):
    copies_refused_at_commit = True
    _write_unread_failing_as: Callable[[str, Sequence[Any], type[psycopg.Error], type[Exception]], None]

    def first_sight_of_signature(self, signature: str, seen_at: float) -> bool:
        """In a unit of work the signature goes out with the commit, in one round trip: a copy of the
        request committed first makes the insert fail, so the whole unit rolls back and the commit
        raises ``CopyHandled``. Outside one, as on SQLite."""
        if not self._defers_writes():
            return super().first_sight_of_signature(signature, seen_at)
        self._write_unread_failing_as(
            "insert into seen_signatures (signature, seen_at) values (?, ?)",
            [signature, seen_at],
            psycopg.errors.UniqueViolation,
            CopyHandled,
        )
        return True


class PostgresStore(PostgresOutbox, PostgresWorkspaces, PostgresRequests, CoachQueries, PgConnection):
    """The coach's database on PostgreSQL: every table, every query, no writer lock of its own."""
