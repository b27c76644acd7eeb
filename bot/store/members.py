"""Members and their journey: profile, settings, stage changes, tips shown, check-in answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.store.rows import (
    SCHEDULE_FIELDS,
    MemberRow,
    _iso,
)
from bot.store.session import Session
from flows.values import MemberKey


class MemberQueries(Session):
    def ensure_member(self, member: MemberKey, now: datetime) -> None:
        self._write_one(
            "insert into members (team_id, user_id, created_at) values (?, ?, ?) on conflict do nothing",
            [member.team_id, member.user_id, _iso(now)],
        )

    def member(self, member: MemberKey) -> MemberRow | None:
        rows = list(
            self.db.query("select * from members where team_id = ? and user_id = ?", [member.team_id, member.user_id])
        )
        return MemberRow.from_row(rows[0]) if rows else None

    def update_member(self, member: MemberKey, **fields: Any) -> None:
        if SCHEDULE_FIELDS & set(fields):
            fields = {**fields, "next_checkin_at": None}  # the scheduler works out the new next check-in
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._write_one(
            f"update members set {assignments} where team_id = ? and user_id = ?",
            [*fields.values(), member.team_id, member.user_id],
        )

    def set_open_prompt(self, member: MemberKey, prompt: str | None, now: datetime) -> None:
        self._write_unread(
            "update members set open_prompt = ?, open_prompt_at = ? where team_id = ? and user_id = ?",
            [prompt, _iso(now), member.team_id, member.user_id],
        )

    def open_prompt(self, member: MemberKey) -> tuple[str | None, str | None]:
        """The stored prompt and when it was asked (ISO time), or (None, None)."""
        row = self.db.execute(
            "select open_prompt, open_prompt_at from members where team_id = ? and user_id = ?",
            [member.team_id, member.user_id],
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def saw_home(self, member: MemberKey, now: datetime) -> None:
        self._write_one(
            "insert into home_viewers (team_id, user_id, seen_at) values (?, ?, ?) on conflict do nothing",
            [member.team_id, member.user_id, _iso(now)],
        )

    def has_seen_home(self, member: MemberKey) -> bool:
        row = self.db.execute(
            "select 1 from home_viewers where team_id = ? and user_id = ?", [member.team_id, member.user_id]
        ).fetchone()
        return row is not None

    def members_paused_until_by(self, day: date) -> list[MemberRow]:
        """Members whose pause ends on ``day`` or before: those whose pause is over, and those few
        whose day has not yet come in their own time zone."""
        rows = self.db.query(
            "select * from members where paused_until is not null and paused_until <= ?", [day.isoformat()]
        )
        return [MemberRow.from_row(row) for row in rows]

    def deactivate_member(self, member: MemberKey, reason: str) -> None:
        self.update_member(member, active=0, inactive_reason=reason)

    def set_stage(self, row: MemberRow, new_stage: int, source: str, now: datetime) -> bool:
        """Compare-and-set the member's stage, recording the change (even to the same stage) with its source."""
        with self.atomic() as db:
            cursor = db.execute(
                "update members set stage = ?, journey_version = journey_version + 1,"
                " placed_at = coalesce(placed_at, ?) where team_id = ? and user_id = ? and journey_version = ?",
                [new_stage, _iso(now), row.team_id, row.user_id, row.journey_version],
            )
            if cursor.rowcount != 1:
                return False
            db.execute(
                "insert into stage_changes (team_id, user_id, from_stage, to_stage, source, at)"
                " values (?, ?, ?, ?, ?, ?)",
                [row.team_id, row.user_id, row.stage, new_stage, source, _iso(now)],
            )
        return True

    def stage_changes(self, member: MemberKey) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select * from stage_changes where team_id = ? and user_id = ? order by id",
                [member.team_id, member.user_id],
            )
        )

    def tips_shown(self, member: MemberKey, stage: int) -> list[int]:
        return [
            row["tip_index"]
            for row in self.db.query(
                "select tip_index from tips_shown where team_id = ? and user_id = ? and stage = ? order by id",
                [member.team_id, member.user_id, stage],
            )
        ]

    def record_tip(self, member: MemberKey, stage: int, tip_index: int, now: datetime) -> None:
        self._write_one(
            "insert into tips_shown (team_id, user_id, stage, tip_index, at) values (?, ?, ?, ?, ?)",
            [member.team_id, member.user_id, stage, tip_index, _iso(now)],
        )

    def record_checkin(
        self, member: MemberKey, period: str, stage_before: int | None, outcome: str, now: datetime
    ) -> bool:
        """True the first time a check-in of ``period`` is answered; False for a second answer."""
        cursor = self._write_one(
            "insert into checkins (team_id, user_id, period, stage_before, outcome, at)"
            " values (?, ?, ?, ?, ?, ?) on conflict do nothing",
            [member.team_id, member.user_id, period, stage_before, outcome, _iso(now)],
        )
        return cursor.rowcount == 1

    def team_members(self, team_id: str) -> list[MemberRow]:
        return [MemberRow.from_row(r) for r in self.rows("select * from members where team_id = ?", [team_id])]

    def team_stage_changes_since(self, team_id: str, since: datetime) -> list[dict[str, Any]]:
        sql = "select * from stage_changes where team_id = ? and at >= ? order by id"
        return list(self.rows(sql, [team_id, _iso(since)]))

    def has_checkin(self, member: MemberKey, period: str) -> bool:
        """Whether the member has answered the check-in of ``period``."""
        row = self.db.execute(
            "select 1 from checkins where team_id = ? and user_id = ? and period = ?",
            [member.team_id, member.user_id, period],
        ).fetchone()
        return row is not None
