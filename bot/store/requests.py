"""Requests from Slack: event ids claimed while handled, signatures seen (replays), expiry of both."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store.rows import (
    _iso,
)
from bot.store.session import Session

EVENTS_KEPT = timedelta(days=1)  # Slack stops retrying an event within the hour
REPLAY_WINDOW_SECONDS = 300  # Slack's own window for a request's timestamp


class CopyHandled(Exception):
    """A copy of this request (the same signature) was handled first: this one keeps nothing."""


class RequestQueries(Session):
    # Whether ``first_sight_of_signature`` is settled only at the commit, which then raises ``CopyHandled``
    # (PostgreSQL: a round trip fewer a request); a store that says no also answers False at once.
    copies_refused_at_commit = False

    def event_seen(self, event_id: str) -> bool:
        """Slack sent this event before and it was handled (a retry, to be dropped)."""
        row = self.db.execute("select 1 from processed_events where event_id = ? and status = 'done'", [event_id])
        return row.fetchone() is not None

    def record_event(self, event_id: str, now: datetime) -> bool:
        """Remember an event as handled, in the request's own transaction (its last write); False when
        another copy of it was handled meanwhile (Slack's retry racing the first attempt)."""
        cursor = self._write_one(
            "insert into processed_events (event_id, received_at, status) values (?, ?, 'done')"
            " on conflict (event_id) do update set status = 'done', received_at = excluded.received_at"
            " where processed_events.status != 'done'",
            [event_id, _iso(now)],
        )
        return cursor.rowcount == 1

    def signature_seen(self, signature: str) -> bool:
        """A request with this signature was handled within Slack's 5-minute window (a replay)."""
        return self.db.execute("select 1 from seen_signatures where signature = ?", [signature]).fetchone() is not None

    def first_sight_of_signature(self, signature: str, seen_at: float) -> bool:
        """True the first time a request signature is seen. One statement on the hot path; rows older
        than Slack's 5-minute window are deleted by the tick (a signature that old cannot pass the
        timestamp check anyway, so a row kept a little longer refuses nothing new)."""
        cursor = self._write_one(
            "insert into seen_signatures (signature, seen_at) values (?, ?) on conflict do nothing",
            [signature, seen_at],
        )
        return cursor.rowcount == 1

    def expire_operational_rows(self, now: datetime, wall_now: float) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.atomic() as db:
            counts["processed_events"] = db.execute(
                "delete from processed_events where received_at < ?", [_iso(now - EVENTS_KEPT)]
            ).rowcount
            counts["seen_signatures"] = db.execute(
                "delete from seen_signatures where seen_at < ?", [wall_now - REPLAY_WINDOW_SECONDS]
            ).rowcount
            if self.table_exists("oauth_states"):
                counts["oauth_states"] = db.execute(
                    "delete from oauth_states where expire_at < ?", [wall_now]
                ).rowcount
        return counts
