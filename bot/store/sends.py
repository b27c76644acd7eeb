"""Scheduled sends: what is due, claims under a unique key with a lease, retries with backoff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.rows import (
    ACTIVE,
    REACHABLE,
    AssessmentRow,
    MemberRow,
    _iso,
)
from bot.store.session import Session
from flows.values import MemberKey, Recipient, recipient_id


class SendQueries(Session):
    def latest_sent_period(self, member: MemberKey, kind: str) -> str | None:
        """The newest period issued to the member; a claim still being posted counts, since a quick
        member can click the message before the sender has marked it sent."""
        row = self.db.execute(
            "select max(period) from sends where team_id = ? and user_id = ? and kind = ?"
            " and status in ('sent', 'pending')",
            [member.team_id, member.user_id, kind],
        ).fetchone()
        return row[0] if row else None

    def latest_claim(self, member: MemberKey, kind: str) -> tuple[str, str] | None:
        """The newest send of ``kind`` issued to the member: (period, when it was claimed, ISO time)."""
        row = self.db.execute(
            "select period, claimed_at from sends where team_id = ? and user_id = ? and kind = ?"
            " and status in ('sent', 'pending') order by period desc limit 1",
            [member.team_id, member.user_id, kind],
        ).fetchone()
        return (row[0], row[1]) if row and row[1] else None

    def unscheduled_members(self, limit: int) -> list[MemberRow]:
        """Members whose next check-in time is not worked out yet (new, or settings just changed)."""
        rows = self.db.query(
            f"select m.* from members m where m.next_checkin_at is null and {REACHABLE} limit ?", [limit]
        )
        return [MemberRow.from_row(row) for row in rows]

    def set_next_checkins(self, schedule: Sequence[tuple[MemberKey, datetime]]) -> None:
        with self.atomic() as db:
            self.executemany(
                db,
                "update members set next_checkin_at = ? where team_id = ? and user_id = ?",
                [(_iso(at), member.team_id, member.user_id) for member, at in schedule],
            )

    def set_nudges_sent(self, assessment_id: int, count: int) -> None:
        self._write_one(
            "update assessments set nudges_sent = ? where id = ? and nudges_sent < ?", [count, assessment_id, count]
        )

    def was_sent(self, member: MemberKey, kind: str) -> bool:
        row = self.db.execute(
            "select 1 from sends where team_id = ? and user_id = ? and kind = ? limit 1",
            [member.team_id, member.user_id, kind],
        ).fetchone()
        return row is not None

    def claim_send(
        self, key: str, recipient: Recipient, kind: str, period: str, now: datetime, require_member: bool = False
    ) -> bool:
        """Claim a send under its unique key before it is queued; only one claimer of a key ever wins,
        across processes. With ``require_member``, only while the member still exists, so a member who
        asked to be forgotten gets no new row."""
        guard = " and exists (select 1 from members where team_id = ? and user_id = ?)" if require_member else ""
        params: list[Any] = [key, recipient.team_id, recipient_id(recipient), kind, period, _iso(now)]
        cursor = self._write_one(
            "insert into sends (key, team_id, user_id, kind, period, status, claimed_at)"
            f" select ?, ?, ?, ?, ?, 'pending', ? where true{guard} on conflict do nothing",
            params + ([recipient.team_id, recipient_id(recipient)] if require_member else []),
        )
        return cursor.rowcount == 1

    def mark_sent(self, key: str, channel: str, ts: str, now: datetime) -> None:
        self._write_one(
            "update sends set status = 'sent', sent_at = ?, channel = ?, ts = ? where key = ?",
            [_iso(now), channel, ts, key],
        )

    def mark_failed(self, key: str, detail: str) -> None:
        self._write_one("update sends set status = 'failed', detail = ? where key = ?", [detail, key])

    def send_status(self, key: str) -> str | None:
        row = self.db.execute("select status from sends where key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def due_members_after(
        self, now: datetime, limit: int, after: tuple[str, str, str] | None
    ) -> list[MemberRow]:
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
        rows = self.db.query(
            "select a.* from assessments a join members m on m.team_id = a.team_id and m.user_id = a.user_id"
            " where a.completed_at is null and a.nudges_sent < 2 and a.id > ?"
            " and ((a.nudges_sent = 0 and a.updated_at <= ?) or (a.nudges_sent = 1 and a.updated_at <= ?))"
            f" and m.paused_until is null and {ACTIVE} order by a.id limit ?",  # no reminder while away until a date
            [after_id, _iso(now - first_after), _iso(now - last_after), limit],
        )
        return [AssessmentRow.from_row(row) for row in rows]
