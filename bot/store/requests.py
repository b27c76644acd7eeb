"""Requests from Slack: event ids claimed while handled, signatures seen (replays), expiry of both."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.connection import Connection
from bot.store.rows import (
    _iso,
)

EVENT_CLAIM_LEASE = timedelta(seconds=30)  # an event claim older than this, never finished, is a dead process's
EVENTS_KEPT = timedelta(days=1)  # Slack stops retrying an event within the hour
REPLAY_WINDOW_SECONDS = 300  # Slack's own window for a request's timestamp


class RequestQueries(Connection):
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

    def first_sight_of_signature(self, signature: str, seen_at: float) -> bool:
        """True the first time a request signature is seen. One statement on the hot path; rows older
        than Slack's 5-minute window are deleted by the tick (a signature that old cannot pass the
        timestamp check anyway, so a row kept a little longer refuses nothing new)."""
        cursor = self._write_one(
            "insert or ignore into seen_signatures (signature, seen_at) values (?, ?)", [signature, seen_at]
        )
        return cursor.rowcount == 1

    def expire_operational_rows(self, now: datetime, wall_now: float) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.write() as db:
            counts["processed_events"] = db.execute(
                "delete from processed_events where received_at < ?", [_iso(now - EVENTS_KEPT)]
            ).rowcount
            counts["seen_signatures"] = db.execute(
                "delete from seen_signatures where seen_at < ?", [wall_now - REPLAY_WINDOW_SECONDS]
            ).rowcount
            if db.table("oauth_states").exists():
                counts["oauth_states"] = db.execute(
                    "delete from oauth_states where expire_at < ?", [wall_now]
                ).rowcount
        return counts
