"""SQLite persistence through sqlite-utils.

One connection per thread (Bolt runs listeners on a thread pool), WAL journaling so readers never
block the writer, and every multi-row change in one ``BEGIN IMMEDIATE`` transaction so a kill at any
moment leaves either the old or the new state, never half of each.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlite_utils import Database, Migrations

from flows.content import Rating

migrations = Migrations("coach")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("members").create(
        {"team_id": str, "user_id": str, "locale": str, "tz": str, "created_at": str},
        pk=("team_id", "user_id"),
    )
    db.table("assessments").create(
        {
            "id": int,
            "team_id": str,
            "user_id": str,
            "state": str,
            "version": int,
            "started_at": str,
            "updated_at": str,
            "completed_at": str,
            "prompt_channel": str,
            "prompt_ts": str,
        },
        pk="id",
        not_null={"team_id", "user_id", "state", "version", "started_at", "updated_at"},
    )
    db.table("assessments").create_index(["team_id", "user_id", "id"])
    db.table("answers").create(
        {"assessment_id": int, "question_id": str, "rating": str, "source": str, "answered_at": str},
        pk=("assessment_id", "question_id"),
        foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db.table("processed_events").create({"event_id": str, "received_at": str}, pk="event_id")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class MemberKey:
    team_id: str
    user_id: str


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    team_id: str
    user_id: str
    state: str
    version: int
    started_at: datetime
    completed_at: datetime | None
    prompt_channel: str | None
    prompt_ts: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AssessmentRow:
        return cls(
            id=row["id"],
            team_id=row["team_id"],
            user_id=row["user_id"],
            state=row["state"],
            version=row["version"],
            started_at=parse_time(row["started_at"]),
            completed_at=parse_time(row["completed_at"]) if row["completed_at"] else None,
            prompt_channel=row["prompt_channel"],
            prompt_ts=row["prompt_ts"],
        )


@dataclass(frozen=True)
class AnswerChange:
    """What a guarded state change does to the answers, in the same transaction."""

    question_id: str | None = None
    rating: Rating | None = None  # None with a question_id: forget that answer (a skip)
    source: str = "button"
    clear_all: bool = False


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        migrations.apply(self.db)

    @property
    def db(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = Database(conn)
            self._local.db = db
        return db

    def close(self) -> None:
        db: Database | None = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front, so it never fails half-way on busy."""
        db = self.db
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")

    # Members

    def ensure_member(self, member: MemberKey, now: datetime) -> None:
        self.db.table("members").insert(
            {"team_id": member.team_id, "user_id": member.user_id, "created_at": _iso(now)},
            ignore=True,
        )

    # Assessments

    def latest_assessment(self, member: MemberKey) -> AssessmentRow | None:
        rows = list(
            self.db.table("assessments").rows_where(
                "team_id = ? and user_id = ?",
                [member.team_id, member.user_id],
                order_by="id desc",
                limit=1,
            )
        )
        return AssessmentRow.from_row(rows[0]) if rows else None

    def assessment(self, assessment_id: int) -> AssessmentRow | None:
        rows = list(self.db.table("assessments").rows_where("id = ?", [assessment_id]))
        return AssessmentRow.from_row(rows[0]) if rows else None

    def create_assessment(self, member: MemberKey, state: str, now: datetime) -> AssessmentRow:
        """Start an assessment unless one is already open; returns the open one either way."""
        with self.write() as db:
            open_rows = list(
                db.table("assessments").rows_where(
                    "team_id = ? and user_id = ? and completed_at is null",
                    [member.team_id, member.user_id],
                    order_by="id desc",
                    limit=1,
                )
            )
            if open_rows:
                return AssessmentRow.from_row(open_rows[0])
            table = db.table("assessments").insert(
                {
                    "team_id": member.team_id,
                    "user_id": member.user_id,
                    "state": state,
                    "version": 0,
                    "started_at": _iso(now),
                    "updated_at": _iso(now),
                },
            )
            new_id = cast(int, table.last_pk)
        created = self.assessment(new_id)
        assert created is not None
        return created

    def advance(
        self,
        row: AssessmentRow,
        new_state: str,
        now: datetime,
        change: AnswerChange | None = None,
        completed: bool = False,
    ) -> bool:
        """Compare-and-set: move ``row`` to ``new_state`` only if nobody moved it since it was read."""
        with self.write() as db:
            cursor = db.execute(
                "update assessments set state = ?, version = version + 1, updated_at = ?,"
                " completed_at = coalesce(completed_at, ?) where id = ? and version = ?",
                [new_state, _iso(now), _iso(now) if completed else None, row.id, row.version],
            )
            if cursor.rowcount != 1:
                return False
            if change is not None:
                if change.clear_all:
                    db.execute("delete from answers where assessment_id = ?", [row.id])
                elif change.question_id is not None and change.rating is None:
                    db.execute(
                        "delete from answers where assessment_id = ? and question_id = ?",
                        [row.id, change.question_id],
                    )
                elif change.question_id is not None:
                    db.table("answers").upsert(
                        {
                            "assessment_id": row.id,
                            "question_id": change.question_id,
                            "rating": change.rating,
                            "source": change.source,
                            "answered_at": _iso(now),
                        },
                        pk=("assessment_id", "question_id"),
                    )
        return True

    def set_prompt(self, assessment_id: int, channel: str, ts: str) -> None:
        self.db.execute(
            "update assessments set prompt_channel = ?, prompt_ts = ? where id = ?", [channel, ts, assessment_id]
        )

    def answers(self, assessment_id: int) -> dict[str, Rating]:
        return {
            row["question_id"]: row["rating"]
            for row in self.db.table("answers").rows_where("assessment_id = ?", [assessment_id])
        }

    # Slack retries

    def claim_event(self, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it."""
        cursor = self.db.execute(
            "insert or ignore into processed_events (event_id, received_at) values (?, ?)", [event_id, _iso(now)]
        )
        return cursor.rowcount == 1
