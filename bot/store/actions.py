"""Persistence for actions (table from ``m017_actions``): made by a member, owned by a person, due by a
date. ``/coach export`` includes a member's actions (made or owned), ``/coach forget`` deletes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.store.rows import _iso
from bot.store.session import Session
from flows.actions import ActionLine, ActionStatus
from flows.values import MemberKey

SHOWN_ON_HOME = 10


def _line(row: Any) -> ActionLine:
    fields = (int(row["id"]), str(row["title"]), str(row["owner_id"]), str(row["due"]), row["status"])
    return ActionLine(*fields, item_id=row.get("item_id"))


@dataclass(frozen=True)
class ActionListRow:
    list_id: str | None
    columns: dict[str, str]
    refused: bool


class ActionStore:
    def __init__(self, store: Session) -> None:
        self.store = store

    def create(self, member: MemberKey, owner_id: str, source: str, title: str, due: date, now: datetime) -> int:
        with self.store.atomic() as db:
            created = list(
                db.query(
                    "insert into actions (team_id, user_id, owner_id, source, title, due, status, created_at,"
                    " updated_at) values (?, ?, ?, ?, ?, ?, 'open', ?, ?) returning id",
                    [member.team_id, member.user_id, owner_id, source, title, due.isoformat(), _iso(now), _iso(now)],
                )
            )
        return int(created[0]["id"])

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
        with self.store.atomic() as db:
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
        for row in self.store.db.query(
            "select status, case when due < ? then 1 else 0 end as late, count(*) as n from actions"
            " where team_id = ? group by status, late",
            [today.isoformat(), team_id],
        ):
            counts[row["status"]] = counts.get(row["status"], 0) + int(row["n"])
            if row["status"] == "open" and row["late"]:
                counts["overdue"] += int(row["n"])
        return counts

    def action(self, team_id: str, action_id: int) -> ActionLine | None:
        rows = list(self.store.db.query("select * from actions where id = ? and team_id = ?", [action_id, team_id]))
        return _line(rows[0]) if rows else None

    def maker(self, team_id: str, action_id: int) -> str | None:
        found = self.store.db.execute(
            "select user_id from actions where id = ? and team_id = ?", [action_id, team_id]
        ).fetchone()
        return str(found[0]) if found else None

    def action_list(self, member: MemberKey) -> ActionListRow | None:
        row = self.store.db.execute(
            "select list_id, columns, refused from action_lists where team_id = ? and user_id = ?",
            [member.team_id, member.user_id],
        ).fetchone()
        return ActionListRow(row[0], json.loads(row[1] or "{}"), bool(row[2])) if row else None

    def save_list(self, member: MemberKey, list_id: str | None, columns: dict[str, str], refused: bool) -> None:
        with self.store.atomic() as db:
            db.execute(
                "insert into action_lists (team_id, user_id, list_id, columns, refused) values (?, ?, ?, ?, ?)"
                " on conflict (team_id, user_id) do update set list_id = excluded.list_id,"
                " columns = excluded.columns, refused = excluded.refused",
                [member.team_id, member.user_id, list_id, json.dumps(columns), int(refused)],
            )

    def set_item(self, team_id: str, action_id: int, item_id: str) -> None:
        with self.store.atomic() as db:
            db.execute("update actions set item_id = ? where id = ? and team_id = ?", [item_id, action_id, team_id])

    def list_items(self, member: MemberKey) -> tuple[str | None, tuple[str, ...]]:
        """The member's List and its items, read before ``/coach forget`` deletes the rows."""
        found = self.action_list(member)
        rows = self.store.db.execute(
            "select item_id from actions where team_id = ? and user_id = ? and item_id is not null",
            [member.team_id, member.user_id],
        ).fetchall()
        return (found.list_id if found else None), tuple(str(r[0]) for r in rows)
