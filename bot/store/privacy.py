"""A member's data as a whole: exported, forgotten, or purged with an uninstalled workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.rows import (
    _iso,
)
from bot.store.session import Session
from flows.values import MemberKey


class PrivacyQueries(Session):
    MEMBER_TABLES = (
        "stage_changes",
        "tips_shown",
        "checkins",
        "sends",
        "plan_answers",
        "plan_documents",
        "home_viewers",
        "actions",
    )

    def export_member(self, member: MemberKey) -> dict[str, Any]:
        """Everything stored about one member, table by table."""
        where, params = "where team_id = ? and user_id = ?", [member.team_id, member.user_id]
        assessments = []
        for row in list(self.rows(f"select * from assessments {where} order by id", params)):
            answers = list(self.rows("select * from answers where assessment_id = ?", [row["id"]]))
            assessments.append({**row, "answers": answers})
        return {
            "member": next(iter(self.rows(f"select * from members {where}", params)), None),
            "assessments": assessments,
            **{table: list(self.rows(f"select * from {table} {where}", params)) for table in self.MEMBER_TABLES},
            "digests": list(self.rows("select * from digests where team_id = ? and created_by = ?", params)),
            "outbox": list(self.rows(f"select * from outbox {where} order by id", params)),
            "actions_owned": list(self.rows("select * from actions where team_id = ? and owner_id = ?", params)),
        }

    def forget_member(self, member: MemberKey) -> None:
        """Delete every row about one member, in every table, in one transaction."""
        params = [member.team_id, member.user_id]
        with self.atomic() as db:
            db.execute(
                "delete from answers where assessment_id in"
                " (select id from assessments where team_id = ? and user_id = ?)",
                params,
            )
            for table in ("assessments", *self.MEMBER_TABLES, "members"):
                db.execute(f"delete from {table} where team_id = ? and user_id = ?", params)
            # A row being sent is withdrawn, not deleted: its sender stops at its next step and deletes
            # it, and the member's later rows (the goodbye) wait behind it, so nothing of it comes after.
            db.execute("delete from outbox where team_id = ? and user_id = ? and status != 'claimed'", params)
            db.execute("update outbox set status = 'withdrawn' where team_id = ? and user_id = ?", params)
            db.execute("delete from digests where team_id = ? and created_by = ?", params)
            db.execute("delete from actions where team_id = ? and owner_id = ?", params)
            db.execute("delete from action_lists where team_id = ? and user_id = ?", params)
            if self.table_exists("slack_installations"):  # OAuth mode: they may have installed the app
                db.execute(
                    "update slack_installations set user_id = '', user_token = null, user_scopes = null,"
                    " user_refresh_token = null, user_token_expires_at = null where team_id = ? and user_id = ?",
                    params,
                )

    def purge_stopped_workspaces(self, stopped_before: datetime) -> list[str]:
        """Delete all member data of workspaces that uninstalled the app before ``stopped_before``,
        unless members kept using the coach there after it stopped (a reinstall, a rotated token)."""
        used_since = " or ".join(
            f"exists (select 1 from {table} t where t.team_id = w.team_id and t.{column} > w.stopped_at)"
            for table, column in (
                ("members", "created_at"),
                ("assessments", "updated_at"),
                ("stage_changes", "at"),
                ("checkins", "at"),
            )
        )
        still_gone = f"select team_id from workspaces w where active = 0 and stopped_at <= ? and not ({used_since})"
        candidates = [row[0] for row in self.db.execute(still_gone, [_iso(stopped_before)]).fetchall()]
        teams = []
        for team_id in candidates:
            with self.atomic() as db:
                # Checked again inside the transaction: a workspace reopened (or used) meanwhile is kept.
                if db.execute(f"{still_gone} and w.team_id = ?", [_iso(stopped_before), team_id]).fetchone() is None:
                    continue
                teams.append(team_id)
                db.execute(
                    "delete from answers where assessment_id in (select id from assessments where team_id = ?)",
                    [team_id],
                )
                for table in ("assessments", *self.MEMBER_TABLES, "members", "digests", "workspaces", "outbox"):
                    db.execute(f"delete from {table} where team_id = ?", [team_id])
        return teams
