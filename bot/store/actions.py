"""Persistence for actions (table from ``m015_actions``): made by a member, owned by a person, due by a
date. ``/coach export`` includes a member's actions (made or owned), ``/coach forget`` deletes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.store import Store
from bot.store.rows import _iso
from flows.actions import ActionLine, ActionStatus
from flows.values import MemberKey

SHOWN_ON_HOME = 10


def _line(row: Any) -> ActionLine:
    return ActionLine(int(row["id"]), str(row["title"]), str(row["owner_id"]), str(row["due"]), row["status"])


class ActionStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, member: MemberKey, owner_id: str, source: str, title: str, due: date, now: datetime) -> int:
        with self.store.write() as db:
            cursor = db.execute(
                "insert into actions (team_id, user_id, owner_id, source, title, due, status, created_at, updated_at)"
                " values (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
                [member.team_id, member.user_id, owner_id, source, title, due.isoformat(), _iso(now), _iso(now)],
            )
            return int(cursor.lastrowid or 0)

    def of_member(self, member: MemberKey) -> list[ActionLine]:
        """Actions the member made or owns: open ones first, by due date."""
        rows = self.store.db.query(
            "select * from actions where team_id = ? and (user_id = ? or owner_id = ?)"
            " order by status != 'open', due, id limit ?",
            [member.team_id, member.user_id, member.user_id, SHOWN_ON_HOME],
        )
        return [_line(row) for row in rows]

    def made_by(self, member: MemberKey) -> list[ActionLine]:
        """The actions a member made, for the checklist in their plan canvas (dropped ones left out)."""
        rows = self.store.db.query(
            "select * from actions where team_id = ? and user_id = ? and status != 'dropped' order by due, id",
            [member.team_id, member.user_id],
        )
        return [_line(row) for row in rows]

    def due_for_owner(self, owner: MemberKey, by: date) -> list[ActionLine]:
        rows = self.store.db.query(
            "select * from actions where team_id = ? and owner_id = ? and status = 'open' and due <= ?"
            " order by due, id",
            [owner.team_id, owner.user_id, by.isoformat()],
        )
        return [_line(row) for row in rows]

    def set_status(self, member: MemberKey, action_id: int, status: ActionStatus, now: datetime) -> ActionLine | None:
        """Change an action its owner or maker answers about; None when it is not theirs or is gone."""
        with self.store.write() as db:
            cursor = db.execute(
                "update actions set status = ?, updated_at = ? where id = ? and team_id = ?"
                " and (owner_id = ? or user_id = ?)",
                [status, _iso(now), action_id, member.team_id, member.user_id, member.user_id],
            )
            if cursor.rowcount != 1:
                return None
        row = next(iter(self.store.db.query("select * from actions where id = ?", [action_id])))
        return _line(row)

    def team_counts(self, team_id: str, today: date) -> dict[str, int]:
        """Totals only: open, done, dropped, and open ones past their date."""
        counts = {"open": 0, "done": 0, "dropped": 0, "overdue": 0}
        for status, due, count in self.store.db.execute(
            "select status, due < ?, count(*) from actions where team_id = ? group by status, due < ?",
            [today.isoformat(), team_id, today.isoformat()],
        ).fetchall():
            counts[status] = counts.get(status, 0) + count
            if status == "open" and due:
                counts["overdue"] += count
        return counts
