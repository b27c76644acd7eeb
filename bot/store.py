"""SQLite persistence through sqlite-utils.

One connection per thread (Bolt runs listeners on a thread pool), WAL journaling so readers never
block the writer, and every multi-row change in one ``BEGIN IMMEDIATE`` transaction so a kill at any
moment leaves either the old or the new state, never half of each.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlite_utils import Database, Migrations

from bot.store_outbox import OutboxStore, ProcessLock, Unit, UnitOfWork
from flows.content import Rating
from flows.values import MemberKey

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


@migrations()
def m002_journey_and_schedule(db: Database) -> None:
    members = db.table("members")
    members.add_column("stage", int)
    members.add_column("journey_version", int, not_null_default=0)
    members.add_column("checkin_weekday", int, not_null_default=0)
    members.add_column("checkin_time", str, not_null_default="09:00")
    members.add_column("paused", int, not_null_default=0)
    members.add_column("active", int, not_null_default=1)
    members.add_column("placed_at", str)
    members.add_column("dm_channel", str)
    members.add_column("inactive_reason", str)
    db.table("stage_changes").create(
        {"id": int, "team_id": str, "user_id": str, "from_stage": int, "to_stage": int, "source": str, "at": str},
        pk="id",
    )
    db.table("stage_changes").create_index(["team_id", "user_id", "id"])
    db.table("tips_shown").create(
        {"id": int, "team_id": str, "user_id": str, "stage": int, "tip_index": int, "at": str}, pk="id"
    )
    db.table("tips_shown").create_index(["team_id", "user_id", "stage"])
    db.table("checkins").create(
        {"team_id": str, "user_id": str, "period": str, "stage_before": int, "outcome": str, "at": str},
        pk=("team_id", "user_id", "period"),
    )
    db.table("sends").create(
        {
            "key": str,
            "team_id": str,
            "user_id": str,
            "kind": str,
            "period": str,
            "status": str,
            "owner": str,
            "claimed_at": str,
            "sent_at": str,
            "channel": str,
            "ts": str,
            "detail": str,
        },
        pk="key",
    )
    db.table("sends").create_index(["team_id", "user_id", "kind", "period"])
    db.table("sends").create_index(["status"])
    db.table("workspaces").create(
        {"team_id": str, "active": int, "stopped_reason": str, "stopped_at": str}, pk="team_id"
    )


@migrations()
def m003_sharing_and_digests(db: Database) -> None:
    db.table("members").add_column("share_with_admins", int, not_null_default=0)
    db.table("digests").create(
        {"team_id": str, "channel_id": str, "created_by": str, "tz": str, "created_at": str},
        pk=("team_id", "channel_id"),
    )


@migrations()
def m004_language(db: Database) -> None:
    db.table("members").add_column("language", str)  # the member's own choice; overrides Slack's locale


@migrations()
def m005_indexed_schedule(db: Database) -> None:
    """Due work is found through indexes, so a tick costs the same with a thousand or a million members."""
    db.table("members").add_column("next_checkin_at", str)
    db.table("members").create_index(["next_checkin_at"])
    db.table("assessments").add_column("nudges_sent", int, not_null_default=0)
    db.execute(
        "create index idx_assessments_to_nudge on assessments (updated_at)"
        " where completed_at is null and nudges_sent < 2"
    )


@migrations()
def m009_outbox(db: Database) -> None:
    """Replies to send, written in the same transaction as the state change they answer (issue 14)."""
    db.execute(
        "create table outbox (id integer primary key autoincrement, team_id text not null, user_id text not null,"
        " payload blob not null, status text not null default 'pending', owner text, claimed_at text,"
        " attempts integer not null default 0, done integer not null default 0, not_before real not null default 0,"
        " created_at text not null)"
    )
    db.execute("create index idx_outbox_member on outbox (team_id, user_id, id)")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def send_key(member: MemberKey, kind: str, period: str) -> str:
    """The unique key a scheduled send is claimed under: one per member, kind and period."""
    return f"{member.team_id}:{member.user_id}:{kind}:{period}"


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    team_id: str
    user_id: str
    state: str
    version: int
    started_at: datetime
    updated_at: datetime
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
            updated_at=parse_time(row["updated_at"]),
            completed_at=parse_time(row["completed_at"]) if row["completed_at"] else None,
            prompt_channel=row["prompt_channel"],
            prompt_ts=row["prompt_ts"],
        )


@dataclass(frozen=True)
class SetAnswer:
    """Record (or replace) the answer to one question."""

    question_id: str
    rating: Rating
    source: str = "button"


@dataclass(frozen=True)
class ForgetAnswer:
    """Drop any earlier answer to one question (a skip)."""

    question_id: str


@dataclass(frozen=True)
class ClearAnswers:
    """Drop every answer of the assessment (a restart)."""


# What a guarded state change does to the answers, in the same transaction.
AnswerChange = SetAnswer | ForgetAnswer | ClearAnswers


@dataclass(frozen=True)
class MemberRow:
    team_id: str
    user_id: str
    stage: int | None
    journey_version: int
    tz: str | None
    locale: str | None
    checkin_weekday: int
    checkin_time: str
    paused: bool
    active: bool
    dm_channel: str | None
    share_with_admins: bool
    language: str | None
    next_checkin_at: datetime | None

    @property
    def key(self) -> MemberKey:
        return MemberKey(self.team_id, self.user_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MemberRow:
        return cls(
            team_id=row["team_id"],
            user_id=row["user_id"],
            stage=row["stage"],
            journey_version=row["journey_version"],
            tz=row["tz"],
            locale=row["locale"],
            checkin_weekday=row["checkin_weekday"],
            checkin_time=row["checkin_time"],
            paused=bool(row["paused"]),
            active=bool(row["active"]),
            dm_channel=row["dm_channel"],
            share_with_admins=bool(row["share_with_admins"]),
            language=row["language"],
            next_checkin_at=parse_time(row["next_checkin_at"]) if row["next_checkin_at"] else None,
        )


SCHEDULE_FIELDS = frozenset({"tz", "checkin_weekday", "checkin_time", "paused", "active"})
ACTIVE = "m.active = 1 and not exists (select 1 from workspaces w where w.team_id = m.team_id and w.active = 0)"
REACHABLE = f"m.paused = 0 and {ACTIVE}"  # for check-ins, which a member can pause


class Store(UnitOfWork, OutboxStore):
    _writers: dict[str, tuple[threading.Lock, ProcessLock]] = {}
    _writers_guard = threading.Lock()

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        with Store._writers_guard:
            # One lock per database file shared by every Store in this process: threads queue here in
            # order, instead of in SQLite's busy handler, which sleeps in coarse steps under contention.
            # Then one lock across processes, for several serving processes on one database.
            real = os.path.realpath(self.path)
            self._writer, self._process_lock = Store._writers.setdefault(
                real, (threading.Lock(), ProcessLock(real + ".lock"))
            )
        with self._writer, self._process_lock:  # several processes starting at once migrate once
            migrations.apply(self.db)

    @classmethod
    def forget_inherited_locks(cls) -> None:
        """In a forked child: its own writer locks (a lock file opened anew, so ``flock`` tells the
        processes apart) instead of the parent's, which another thread may have held at the fork."""
        cls._writers_guard = threading.Lock()
        cls._writers = {}

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

    def _write_one(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor:
        """One writing statement, queued behind this process's other writers (or joining the open
        transaction of this thread's unit of work)."""
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is None and not getattr(self._local, "writing", False):
            with self.write() as db:
                cursor: sqlite3.Cursor = db.execute(sql, params)
                return cursor
        if unit is not None and not unit.begun:
            self._begin(self.db)
            unit.begun = True
        return self.db.execute(sql, params)  # one statement needs no savepoint: it is atomic by itself

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction that takes the lock up front, so it never fails half-way on busy.

        Re-entrant: inside this thread's open transaction (a unit of work, or an outer ``write``) it
        is a savepoint of that transaction, committed with it."""
        db = self.db
        unit: Unit | None = getattr(self._local, "unit", None)
        if unit is not None and not unit.begun:
            self._begin(db)
            unit.begun = True
        if unit is not None or getattr(self._local, "writing", False):
            db.conn.execute("SAVEPOINT nested_write")
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK TO nested_write")
                db.conn.execute("RELEASE nested_write")
                raise
            db.conn.execute("RELEASE nested_write")
            return
        self._begin(db)
        self._local.writing = True
        try:
            yield db
        except BaseException:
            self._end(db, commit=False)
            raise
        finally:
            self._local.writing = False
        self._end(db, commit=True)

    def _begin(self, db: Database) -> None:
        self._writer.acquire()
        try:
            self._process_lock.acquire()
        except BaseException:
            self._writer.release()
            raise
        try:
            db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._process_lock.release()
            self._writer.release()
            raise

    def _end(self, db: Database, commit: bool) -> None:
        try:
            db.conn.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            self._process_lock.release()
            self._writer.release()

    # Members

    def ensure_member(self, member: MemberKey, now: datetime) -> None:
        self._write_one(
            "insert or ignore into members (team_id, user_id, created_at) values (?, ?, ?)",
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

    # The adoption journey

    def set_stage(self, row: MemberRow, new_stage: int, source: str, now: datetime) -> bool:
        """Compare-and-set the member's stage, recording the change (even to the same stage) with its source."""
        with self.write() as db:
            cursor = db.execute(
                "update members set stage = ?, journey_version = journey_version + 1,"
                " placed_at = coalesce(placed_at, ?) where team_id = ? and user_id = ? and journey_version = ?",
                [new_stage, _iso(now), row.team_id, row.user_id, row.journey_version],
            )
            if cursor.rowcount != 1:
                return False
            db.table("stage_changes").insert(
                {
                    "team_id": row.team_id,
                    "user_id": row.user_id,
                    "from_stage": row.stage,
                    "to_stage": new_stage,
                    "source": source,
                    "at": _iso(now),
                }
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
            "insert or ignore into checkins (team_id, user_id, period, stage_before, outcome, at)"
            " values (?, ?, ?, ?, ?, ?)",
            [member.team_id, member.user_id, period, stage_before, outcome, _iso(now)],
        )
        return cursor.rowcount == 1

    def latest_sent_period(self, member: MemberKey, kind: str) -> str | None:
        """The newest period issued to the member; a claim still being posted counts, since a quick
        member can click the message before the sender has marked it sent."""
        row = self.db.execute(
            "select max(period) from sends where team_id = ? and user_id = ? and kind = ?"
            " and status in ('sent', 'pending')",
            [member.team_id, member.user_id, kind],
        ).fetchone()
        return row[0] if row else None

    # Scheduled sends

    def unscheduled_members(self, limit: int) -> list[MemberRow]:
        """Members whose next check-in time is not worked out yet (new, or settings just changed)."""
        rows = self.db.query(
            f"select m.* from members m where m.next_checkin_at is null and {REACHABLE} limit ?", [limit]
        )
        return [MemberRow.from_row(row) for row in rows]

    def due_members(self, now: datetime, limit: int) -> list[MemberRow]:
        """Members whose check-in time has come, oldest first, through the index on next_checkin_at."""
        rows = self.db.query(
            f"select m.* from members m where m.next_checkin_at <= ? and {REACHABLE}"
            " order by m.next_checkin_at limit ?",
            [_iso(now), limit],
        )
        return [MemberRow.from_row(row) for row in rows]

    def set_next_checkins(self, schedule: Sequence[tuple[MemberKey, datetime]]) -> None:
        with self.write() as db:
            db.conn.executemany(
                "update members set next_checkin_at = ? where team_id = ? and user_id = ?",
                [(_iso(at), member.team_id, member.user_id) for member, at in schedule],
            )

    def assessments_to_nudge(
        self, now: datetime, first_after: timedelta, last_after: timedelta, limit: int
    ) -> list[AssessmentRow]:
        """Open assessments owed their first reminder, or their last one; never more than two."""
        rows = self.db.query(
            "select a.* from assessments a join members m on m.team_id = a.team_id and m.user_id = a.user_id"
            " where a.completed_at is null and a.nudges_sent < 2"
            " and ((a.nudges_sent = 0 and a.updated_at <= ?) or (a.nudges_sent = 1 and a.updated_at <= ?))"
            f" and {ACTIVE} limit ?",
            [_iso(now - first_after), _iso(now - last_after), limit],
        )
        return [AssessmentRow.from_row(row) for row in rows]

    def set_nudges_sent(self, assessment_id: int, count: int) -> None:
        self._write_one("update assessments set nudges_sent = max(nudges_sent, ?) where id = ?", [count, assessment_id])

    def has_completed_assessment(self, member: MemberKey) -> bool:
        return self.latest_completed_assessment(member) is not None

    def was_sent(self, member: MemberKey, kind: str) -> bool:
        row = self.db.execute(
            "select 1 from sends where team_id = ? and user_id = ? and kind = ? limit 1",
            [member.team_id, member.user_id, kind],
        ).fetchone()
        return row is not None

    def claim_send(self, key: str, member: MemberKey, kind: str, period: str, owner: str, now: datetime) -> bool:
        """Claim a send before it goes out; only one claimer of a key ever wins, across processes."""
        cursor = self._write_one(
            "insert or ignore into sends (key, team_id, user_id, kind, period, status, owner, claimed_at)"
            " values (?, ?, ?, ?, ?, 'pending', ?, ?)",
            [key, member.team_id, member.user_id, kind, period, owner, _iso(now)],
        )
        return cursor.rowcount == 1

    def mark_sent(self, key: str, channel: str, ts: str, now: datetime) -> None:
        self._write_one(
            "update sends set status = 'sent', sent_at = ?, channel = ?, ts = ? where key = ?",
            [_iso(now), channel, ts, key],
        )

    def mark_failed(self, key: str, detail: str) -> None:
        self._write_one("update sends set status = 'failed', detail = ? where key = ?", [detail, key])

    def mark_uncertain(self, key: str) -> None:
        self._write_one("update sends set owner = 'uncertain' where key = ? and status = 'pending'", [key])

    def release_send(self, key: str) -> None:
        """Give a claim back (a passing failure), so a later tick may try again."""
        self._write_one("delete from sends where key = ? and status = 'pending'", [key])

    def pending_sends(self) -> list[dict[str, Any]]:
        return list(self.db.table("sends").rows_where("status = 'pending'"))

    def claim_orphan(self, key: str, old_owner: str, new_owner: str) -> bool:
        cursor = self._write_one(
            "update sends set owner = ? where key = ? and owner = ? and status = 'pending'", [new_owner, key, old_owner]
        )
        return cursor.rowcount == 1

    def deactivate_member(self, member: MemberKey, reason: str) -> None:
        self.update_member(member, active=0, inactive_reason=reason)

    def stop_workspace(self, team_id: str, reason: str, now: datetime) -> None:
        self.db.table("workspaces").upsert(
            {"team_id": team_id, "active": 0, "stopped_reason": reason, "stopped_at": _iso(now)}, pk="team_id"
        )

    def reopen_workspace(self, team_id: str) -> None:
        self._write_one(
            "update workspaces set active = 1, stopped_reason = null, stopped_at = null where team_id = ?", [team_id]
        )

    def purge_stopped_workspaces(self, stopped_before: datetime) -> list[str]:
        """Delete all member data of workspaces that uninstalled the app before ``stopped_before``."""
        teams = [
            row[0]
            for row in self.db.execute(
                "select team_id from workspaces where active = 0 and stopped_at <= ?", [_iso(stopped_before)]
            ).fetchall()
        ]
        for team_id in teams:
            with self.write() as db:
                db.execute(
                    "delete from answers where assessment_id in (select id from assessments where team_id = ?)",
                    [team_id],
                )
                for table in ("assessments", *self.MEMBER_TABLES, "members", "digests", "workspaces", "outbox"):
                    db.execute(f"delete from {table} where team_id = ?", [team_id])
        return teams

    def workspace_active(self, team_id: str) -> bool:
        row = self.db.execute("select active from workspaces where team_id = ?", [team_id]).fetchone()
        return row is None or bool(row[0])

    # Assessments

    def recent_assessments(self, member: MemberKey, limit: int) -> list[AssessmentRow]:
        return [
            AssessmentRow.from_row(row)
            for row in self.db.query(
                "select * from assessments where team_id = ? and user_id = ? order by id desc limit ?",
                [member.team_id, member.user_id, limit],
            )
        ]

    def latest_assessment(self, member: MemberKey) -> AssessmentRow | None:
        rows = self.recent_assessments(member, limit=1)
        return rows[0] if rows else None

    def assessment(self, assessment_id: int) -> AssessmentRow | None:
        rows = list(self.db.query("select * from assessments where id = ?", [assessment_id]))
        return AssessmentRow.from_row(rows[0]) if rows else None

    def create_assessment(self, member: MemberKey, state: str, now: datetime) -> AssessmentRow:
        """Start an assessment unless one is already open; returns the open one either way."""
        with self.write() as db:
            open_rows = list(
                db.query(
                    "select * from assessments where team_id = ? and user_id = ? and completed_at is null"
                    " order by id desc limit 1",
                    [member.team_id, member.user_id],
                )
            )
            if open_rows:
                return AssessmentRow.from_row(open_rows[0])
            cursor = db.execute(
                "insert into assessments (team_id, user_id, state, version, started_at, updated_at)"
                " values (?, ?, ?, 0, ?, ?)",
                [member.team_id, member.user_id, state, _iso(now), _iso(now)],
            )
            new_id = cast(int, cursor.lastrowid)
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
            match change:
                case ClearAnswers():
                    db.execute("delete from answers where assessment_id = ?", [row.id])
                case ForgetAnswer(question_id=question_id):
                    db.execute(
                        "delete from answers where assessment_id = ? and question_id = ?", [row.id, question_id]
                    )
                case SetAnswer():
                    db.execute(  # plain SQL on the hot path: one statement, no schema look-ups
                        "insert into answers (assessment_id, question_id, rating, source, answered_at)"
                        " values (?, ?, ?, ?, ?) on conflict (assessment_id, question_id) do update set"
                        " rating = excluded.rating, source = excluded.source, answered_at = excluded.answered_at",
                        [row.id, change.question_id, change.rating, change.source, _iso(now)],
                    )
        return True

    def set_prompt(self, assessment_id: int, channel: str, ts: str) -> None:
        self._write_one(
            "update assessments set prompt_channel = ?, prompt_ts = ? where id = ?", [channel, ts, assessment_id]
        )

    def answers(self, assessment_id: int) -> dict[str, Rating]:
        return {
            row["question_id"]: row["rating"]
            for row in self.db.query("select question_id, rating from answers where assessment_id = ?", [assessment_id])
        }

    # Team report and digests

    def team_members(self, team_id: str) -> list[MemberRow]:
        return [MemberRow.from_row(r) for r in self.db.table("members").rows_where("team_id = ?", [team_id])]

    def latest_completed_assessment(self, member: MemberKey) -> AssessmentRow | None:
        rows = list(
            self.db.query(
                "select * from assessments where team_id = ? and user_id = ? and completed_at is not null"
                " order by id desc limit 1",
                [member.team_id, member.user_id],
            )
        )
        return AssessmentRow.from_row(rows[0]) if rows else None

    def team_stage_changes_since(self, team_id: str, since: datetime) -> list[dict[str, Any]]:
        return list(self.db.table("stage_changes").rows_where("team_id = ? and at >= ?", [team_id, _iso(since)]))

    def add_digest(self, team_id: str, channel_id: str, created_by: str, tz: str | None, now: datetime) -> None:
        self.db.table("digests").upsert(
            {"team_id": team_id, "channel_id": channel_id, "created_by": created_by, "tz": tz, "created_at": _iso(now)},
            pk=("team_id", "channel_id"),
        )

    def digests(self) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "select d.* from digests d where not exists"
                " (select 1 from workspaces w where w.team_id = d.team_id and w.active = 0)"
            )
        )

    # Privacy

    MEMBER_TABLES = ("stage_changes", "tips_shown", "checkins", "sends")

    def export_member(self, member: MemberKey) -> dict[str, Any]:
        """Everything stored about one member, table by table."""
        where, params = "team_id = ? and user_id = ?", [member.team_id, member.user_id]
        assessments = []
        for row in self.db.table("assessments").rows_where(where, params, order_by="id"):
            answers = list(self.db.table("answers").rows_where("assessment_id = ?", [row["id"]]))
            assessments.append({**row, "answers": answers})
        return {
            "member": next(iter(self.db.table("members").rows_where(where, params)), None),
            "assessments": assessments,
            **{table: list(self.db.table(table).rows_where(where, params)) for table in self.MEMBER_TABLES},
        }

    def forget_member(self, member: MemberKey) -> None:
        """Delete every row about one member, in every table, in one transaction."""
        params = [member.team_id, member.user_id]
        with self.write() as db:
            db.execute(
                "delete from answers where assessment_id in"
                " (select id from assessments where team_id = ? and user_id = ?)",
                params,
            )
            for table in ("assessments", *self.MEMBER_TABLES, "members", "outbox"):
                db.execute(f"delete from {table} where team_id = ? and user_id = ?", params)
            db.execute("delete from digests where team_id = ? and created_by = ?", params)

    # Slack retries

    def claim_event(self, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen; False for Slack's retries of it."""
        cursor = self._write_one(
            "insert or ignore into processed_events (event_id, received_at) values (?, ?)", [event_id, _iso(now)]
        )
        return cursor.rowcount == 1


os.register_at_fork(after_in_child=Store.forget_inherited_locks)
