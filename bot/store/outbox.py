"""The outbox: replies to send, written in the same transaction as the change they answer, and sent
in order per member by ``bot.sending.sender``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.store.session import Session
from flows.values import MemberKey


@dataclass(frozen=True)
class OutboxRow:
    id: int
    member: MemberKey
    payload: bytes
    owner: str | None
    claimed_at: datetime | None
    attempts: int
    done: int
    withdrawn: bool = False  # its member was forgotten while it was being sent: it stops, and goes

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxRow:
        return cls(
            id=row["id"],
            member=MemberKey(row["team_id"], row["user_id"]),
            payload=row["payload"],
            owner=row["owner"],
            claimed_at=datetime.fromisoformat(row["claimed_at"]) if row["claimed_at"] else None,
            attempts=row["attempts"],
            done=row["done"],
            withdrawn=row["status"] == "withdrawn",
        )


# A member's next row: the oldest of theirs still in the outbox (a sent row is deleted), so nothing of a
# member's goes out while an earlier row of theirs is unsent, claimed or waiting to be retried.
# Nothing goes to a workspace whose token Slack refused until it is back (reinstalled, a new token).
MEMBER_HEAD = (
    "o.status = 'pending' and o.not_before <= ? and not exists (select 1 from outbox e where"
    " e.team_id = o.team_id and e.user_id = o.user_id and e.lane = o.lane and e.id < o.id)"
    " and not exists (select 1 from workspaces w where w.team_id = o.team_id and w.active = 0)"
)
# A member's DM messages go in order; a private answer to a slash command (it has no DM messages)
# goes in a lane of its own, so /coach help is not held up behind a DM that Slack keeps refusing.
# A channel's scheduled post (a team digest) has a lane of its own beside its admin's DM.
STALE_BEAT_SECONDS = 3600.0
# (A release that put the closing of an answered question in an "updates" lane of its own left such
# rows behind: a lane is only a name here, so they are sent like any other.)
DM_LANE, PRIVATE_LANE, CHANNEL_LANE = "dm", "private", "channel"


class OutboxQueries(Session):
    """The outbox rows and their claims."""

    def add_to_outbox(self, member: MemberKey, payload: bytes, now: datetime, lane: str = DM_LANE) -> int:
        with self.atomic() as db:
            self.lock_member(db, member)  # ids of one member's rows in the order their transactions commit
            row = db.execute(
                "insert into outbox (team_id, user_id, payload, created_at, lane) values (?, ?, ?, ?, ?) returning id",
                [member.team_id, member.user_id, payload, now.astimezone(UTC).isoformat(), lane],
            ).fetchone()
        return int(row[0])

    def add_to_outbox_unread(self, member: MemberKey, payload: bytes, now: datetime, lane: str = DM_LANE) -> int | None:
        """``add_to_outbox`` for a caller that does not wait for the row's id: in a unit of work whose
        writes wait (``_write_unread``) it waits with them, and its id is None."""
        if not self._defers_writes():
            return self.add_to_outbox(member, payload, now, lane)
        self._write_unread(*self._outbox_insert(member, payload, now, lane))
        return None

    def _outbox_insert(self, member: MemberKey, payload: bytes, now: datetime, lane: str) -> tuple[str, list[Any]]:
        """The statement that adds a row nobody waits for. SQLite has one writer at a time, so the ids of
        a member's rows are in commit order already."""
        return (
            "insert into outbox (team_id, user_id, payload, created_at, lane) values (?, ?, ?, ?, ?)",
            [member.team_id, member.user_id, payload, now.astimezone(UTC).isoformat(), lane],
        )

    def claim_outbox_rows(
        self, owner: str, now: datetime, wall: float, limit: int, skip_teams: Sequence[str] = ()
    ) -> list[OutboxRow]:
        """Claim up to ``limit`` due rows, each the head of its member's queue (``wall``: epoch seconds),
        none of a workspace in ``skip_teams``. What is due is read without the writers' lock; only the
        claim itself is a (short) write, and a row another sender claimed meanwhile is left to it."""
        if limit <= 0:
            return []
        skip = f" and o.team_id not in ({', '.join('?' * len(skip_teams))})" if skip_teams else ""
        due = self.db.execute(
            f"select o.id from outbox o where {MEMBER_HEAD}{skip} order by o.id limit ?", [wall, *skip_teams, limit]
        ).fetchall()
        if not due:
            return []
        ids = [row[0] for row in due]
        with self.atomic() as db:  # RETURNING rows are read before the commit
            rows = db.execute(
                "update outbox set status = 'claimed', owner = ?, claimed_at = ?, attempts = attempts + 1"
                f" where id in ({', '.join('?' * len(ids))}) and status = 'pending' returning *",
                [owner, now.astimezone(UTC).isoformat(), *ids],
            ).fetchall()
        claimed = [OutboxRow.from_row(dict(zip(OUTBOX_COLUMNS, row, strict=True))) for row in rows]
        return sorted(claimed, key=lambda row: row.id)

    def finish_outbox_row(self, row_id: int) -> bool:
        """Delete a row that was sent; whether another row of its member's queue waits behind it (the
        sender then looks at once, instead of at its next poll)."""
        rows = self._write_one(
            "delete from outbox where id = ? returning exists(select 1 from outbox e where e.team_id ="
            " outbox.team_id and e.user_id = outbox.user_id and e.lane = outbox.lane and e.id > outbox.id)",
            [row_id],
        ).fetchall()  # all of them: an unread row would keep SQLite from committing
        return bool(rows and rows[0][0])

    def retry_outbox_row(self, row_id: int, done: int, not_before: float) -> None:
        """Give a claimed row back to be tried again from step ``done`` no sooner than ``not_before``;
        one withdrawn meanwhile (its member forgotten) goes instead."""
        with self.atomic() as db:
            db.execute(
                "update outbox set status = 'pending', owner = null, claimed_at = null, done = ?, not_before = ?"
                " where id = ? and status = 'claimed'",
                [done, not_before, row_id],
            )
            db.execute("delete from outbox where id = ? and status = 'withdrawn'", [row_id])

    def mark_outbox_uncertain(self, row_id: int, done: int) -> None:
        """A send timed out: whether it landed is unknown, so recovery looks in the DM's history first."""
        self._write_one("update outbox set owner = 'uncertain', done = ? where id = ?", [done, row_id])

    def claimed_outbox_rows(self) -> list[OutboxRow]:
        rows = self.rows("select * from outbox where status in ('claimed', 'withdrawn') order by id")
        return [OutboxRow.from_row(row) for row in rows]

    def take_over_outbox_row(self, row_id: int, old_owner: str, new_owner: str) -> bool:
        cursor = self._write_one(
            "update outbox set owner = ? where id = ? and owner = ? and status in ('claimed', 'withdrawn')",
            [new_owner, row_id, old_owner],
        )
        return cursor.rowcount == 1

    def beat(self, owner: str, wall_now: float) -> None:
        """A sender's heartbeat; beats older than a minute of silence by far are cleared."""
        with self.atomic() as db:
            db.execute(
                "insert into senders (owner, seen_at) values (?, ?)"
                " on conflict (owner) do update set seen_at = excluded.seen_at",
                [owner, wall_now],
            )
            db.execute("delete from senders where seen_at < ?", [wall_now - STALE_BEAT_SECONDS])

    def live_senders(self, beaten_since: float) -> set[str]:
        rows = self.db.execute("select owner from senders where seen_at >= ?", [beaten_since]).fetchall()
        return {str(row[0]) for row in rows}

    def outbox_waiting(self, member: MemberKey, lane: str) -> int:
        """How many of the member's rows in ``lane`` are not sent yet."""
        row = self.db.execute(
            "select count(*) from outbox where team_id = ? and user_id = ? and lane = ?",
            [member.team_id, member.user_id, lane],
        ).fetchone()
        return int(row[0])

    def outbox_row_wanted(self, row_id: int) -> bool:
        """The row is still to be sent: not withdrawn (its member forgotten) while it was being sent."""
        row = self.db.execute("select 1 from outbox where id = ? and status = 'claimed'", [row_id]).fetchone()
        return row is not None

    def outbox_size(self) -> int:
        return int(self.db.execute("select count(*) from outbox").fetchone()[0])


OUTBOX_COLUMNS = (
    "id",
    "team_id",
    "user_id",
    "payload",
    "status",
    "owner",
    "claimed_at",
    "attempts",
    "done",
    "not_before",
    "created_at",
    "lane",
)
