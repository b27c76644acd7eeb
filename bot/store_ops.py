"""The store's operational side: retry backoff for scheduled sends, leases on send claims, event
claims that are taken back when handling fails, a replay cache of request signatures, table expiry,
and the health probe. A mixin of ``Store`` (kept apart so ``bot/store.py`` does not grow further)."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.store import AssessmentRow, MemberRow
    from flows.values import MemberKey

log = logging.getLogger(__name__)
T = TypeVar("T")
EVENT_CLAIM_LEASE = timedelta(seconds=30)  # an event claim older than this, never finished, is a dead process's
EVENTS_KEPT = timedelta(days=1)  # Slack stops retrying an event within the hour
RETRIES_KEPT = timedelta(days=7)  # a send given up on keeps its count for a week, then is forgotten
REPLAY_WINDOW_SECONDS = 300  # Slack's own window for a request's timestamp
MIGRATION_ATTEMPTS = 20


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


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


class OpsQueries:
    if TYPE_CHECKING:
        path: str
        _writer: threading.Lock
        _identity: tuple[int, int] | None

        @property
        def db(self) -> Database: ...

        def _write_one(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor: ...

        def write(self) -> AbstractContextManager[Database]: ...

    # Retries of scheduled sends that failed for a passing reason

    def retry_waiting(self, key: str, now: datetime) -> bool:
        """True while a send that failed for a passing reason waits out its backoff."""
        row = self.db.execute("select retry_at from send_retries where key = ?", [key]).fetchone()
        return row is not None and row[0] > _iso(now)

    def record_retry(self, key: str, now: datetime, backoff: Callable[[int], timedelta]) -> int:
        """Count one more failed attempt and set when the next may run; returns the attempts so far."""
        row = self.db.execute("select attempts from send_retries where key = ?", [key]).fetchone()
        attempts = (row[0] if row else 0) + 1
        self._write_one(
            "insert into send_retries (key, attempts, retry_at) values (?, ?, ?)"
            " on conflict (key) do update set attempts = excluded.attempts, retry_at = excluded.retry_at",
            [key, attempts, _iso(now + backoff(attempts))],
        )
        return attempts

    def clear_retry(self, key: str) -> None:
        self._write_one("delete from send_retries where key = ?", [key])

    # Claims with a lease

    def claim_send_leased(
        self,
        key: str,
        member: MemberKey,
        kind: str,
        period: str,
        owner: str,
        now: datetime,
        lease_until: float,
        require_member: bool,
    ) -> bool:
        """Claim a send until ``lease_until`` (wall-clock seconds); with ``require_member``, only
        while the member still exists, so a member who asked to be forgotten gets no new row."""
        guard = " where exists (select 1 from members where team_id = ? and user_id = ?)" if require_member else ""
        params: list[Any] = [key, member.team_id, member.user_id, kind, period, owner, _iso(now), lease_until]
        cursor = self._write_one(
            "insert or ignore into sends (key, team_id, user_id, kind, period, status, owner, claimed_at, lease_until)"
            f" select ?, ?, ?, ?, ?, 'pending', ?, ?, ?{guard}",
            params + ([member.team_id, member.user_id] if require_member else []),
        )
        return cursor.rowcount == 1

    def send_status(self, key: str) -> str | None:
        row = self.db.execute("select status from sends where key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    # Paging through due work that may stay due (a send waiting out its backoff)

    def due_members_after(
        self, now: datetime, limit: int, after: tuple[str, str, str] | None
    ) -> list[MemberRow]:
        from bot.store import REACHABLE, MemberRow

        cursor_sql, params = "", [_iso(now)]
        if after is not None:
            cursor_sql = " and (m.next_checkin_at, m.team_id, m.user_id) > (?, ?, ?)"
            params += list(after)
        rows = self.db.query(
            f"select m.* from members m where m.next_checkin_at <= ? and {REACHABLE}{cursor_sql}"
            " order by m.next_checkin_at, m.team_id, m.user_id limit ?",
            [*params, limit],
        )
        return [MemberRow.from_row(row) for row in rows]

    def assessments_to_nudge_after(
        self, now: datetime, first_after: timedelta, last_after: timedelta, limit: int, after_id: int
    ) -> list[AssessmentRow]:
        from bot.store import ACTIVE, AssessmentRow

        rows = self.db.query(
            "select a.* from assessments a join members m on m.team_id = a.team_id and m.user_id = a.user_id"
            " where a.completed_at is null and a.nudges_sent < 2 and a.id > ?"
            " and ((a.nudges_sent = 0 and a.updated_at <= ?) or (a.nudges_sent = 1 and a.updated_at <= ?))"
            f" and {ACTIVE} order by a.id limit ?",
            [after_id, _iso(now - first_after), _iso(now - last_after), limit],
        )
        return [AssessmentRow.from_row(row) for row in rows]

    def remove_digest(self, team_id: str, channel_id: str) -> None:
        self._write_one("delete from digests where team_id = ? and channel_id = ?", [team_id, channel_id])

    # Slack event ids: claimed while handled, given back if handling fails

    def claim_event_until_done(self, event_id: str, now: datetime) -> bool:
        """True when this request should handle the event: the first time, or when an earlier
        claim was never finished and is older than its lease (its process died)."""
        cursor = self._write_one(
            "insert into processed_events (event_id, received_at, status) values (?, ?, 'pending')"
            " on conflict (event_id) do update set received_at = excluded.received_at"
            " where processed_events.status = 'pending' and processed_events.received_at <= ?",
            [event_id, _iso(now), _iso(now - EVENT_CLAIM_LEASE)],
        )
        return cursor.rowcount == 1

    def finish_event(self, event_id: str) -> None:
        self._write_one("update processed_events set status = 'done' where event_id = ?", [event_id])

    def release_event(self, event_id: str) -> None:
        self._write_one("delete from processed_events where event_id = ? and status = 'pending'", [event_id])

    # Replayed requests

    def first_sight_of_signature(self, signature: str, wall_now: float) -> bool:
        """True the first time a request signature is seen. One statement on the hot path; rows older
        than Slack's 5-minute window are deleted by the tick (a signature that old cannot pass the
        timestamp check anyway, so a row kept a little longer refuses nothing new)."""
        cursor = self._write_one(
            "insert or ignore into seen_signatures (signature, seen_at) values (?, ?)", [signature, wall_now]
        )
        return cursor.rowcount == 1

    # Expiry of tables anyone can grow

    def expire_operational_rows(self, now: datetime, wall_now: float) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.write() as db:
            counts["processed_events"] = db.execute(
                "delete from processed_events where received_at < ?", [_iso(now - EVENTS_KEPT)]
            ).rowcount
            counts["seen_signatures"] = db.execute(
                "delete from seen_signatures where seen_at < ?", [wall_now - REPLAY_WINDOW_SECONDS]
            ).rowcount
            counts["send_retries"] = db.execute(
                "delete from send_retries where retry_at < ?", [_iso(now - RETRIES_KEPT)]
            ).rowcount
            if db.table("oauth_states").exists():
                counts["oauth_states"] = db.execute(
                    "delete from oauth_states where expire_at < ?", [wall_now]
                ).rowcount
        return counts

    # Health

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


