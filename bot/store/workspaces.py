"""Workspaces: stopped when the app leaves, reopened when it is back; weekly digest channels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.store.rows import (
    _iso,
)
from bot.store.session import Session

REOPEN = "update workspaces set active = 1, stopped_reason = null, stopped_at = null where team_id = ?"


class WorkspaceQueries(Session):
    def stop_workspace(self, team_id: str, reason: str, now: datetime) -> None:
        self._write_one(
            "insert into workspaces (team_id, active, stopped_reason, stopped_at) values (?, 0, ?, ?)"
            " on conflict (team_id) do update set active = 0, stopped_reason = excluded.stopped_reason,"
            " stopped_at = excluded.stopped_at",
            [team_id, reason, _iso(now)],
        )

    def reopen_workspace(self, team_id: str, reopened: Callable[[], None] = lambda: None) -> None:
        """Reopen the workspace if it was stopped, and then call ``reopened``. Read first, so that the
        usual request (its workspace open) writes nothing here: on SQLite a write takes the writers'
        lock for the rest of the request."""
        if not self.workspace_active(team_id):
            self._write_one(REOPEN, [team_id])
            reopened()

    def workspace_active(self, team_id: str) -> bool:
        row = self.db.execute("select active from workspaces where team_id = ?", [team_id]).fetchone()
        return row is None or bool(row[0])

    def add_digest(self, team_id: str, channel_id: str, created_by: str, tz: str | None, now: datetime) -> None:
        self._write_one(
            "insert into digests (team_id, channel_id, created_by, tz, created_at) values (?, ?, ?, ?, ?)"
            " on conflict (team_id, channel_id) do update set created_by = excluded.created_by, tz = excluded.tz,"
            " created_at = excluded.created_at",
            [team_id, channel_id, created_by, tz, _iso(now)],
        )

    def digests(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select d.* from digests d where not exists"
                " (select 1 from workspaces w where w.team_id = d.team_id and w.active = 0)"
            )
        )

    def remove_digest(self, team_id: str, channel_id: str) -> bool:
        """Whether the channel had the weekly digest (it has no more)."""
        result = self._write_one("delete from digests where team_id = ? and channel_id = ?", [team_id, channel_id])
        return result.rowcount == 1
