"""Readiness assessments and their answers, moved on with a compare-and-set on a version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.store.rows import (
    AnswerChange,
    AssessmentRow,
    ClearAnswers,
    ForgetAnswer,
    SetAnswer,
    _iso,
)
from bot.store.session import Session
from flows.content import Rating
from flows.values import MemberKey


class AssessmentQueries(Session):
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
        with self.atomic() as db:
            self.lock_member(db, member)  # two requests racing to start one: the second finds the first's
            open_rows = list(
                db.query(
                    "select * from assessments where team_id = ? and user_id = ? and completed_at is null"
                    " order by id desc limit 1",
                    [member.team_id, member.user_id],
                )
            )
            if open_rows:
                return AssessmentRow.from_row(open_rows[0])
            created = list(
                db.query(
                    "insert into assessments (team_id, user_id, state, version, started_at, updated_at)"
                    " values (?, ?, ?, 0, ?, ?) returning *",
                    [member.team_id, member.user_id, state, _iso(now), _iso(now)],
                )
            )
        return AssessmentRow.from_row(created[0])

    def advance(
        self,
        row: AssessmentRow,
        new_state: str,
        now: datetime,
        change: AnswerChange | None = None,
        completed: bool = False,
        reviewing: bool | None = None,
    ) -> bool:
        """Compare-and-set: move ``row`` to ``new_state`` only if nobody moved it since it was read.
        ``reviewing`` None keeps the flag as it is. In a unit that checks its reads before its writes
        land, both statements wait with its other writes, and a compare that fails anyway makes the
        unit ``StaleSnapshot`` (run again) instead of returning False."""
        move = (
            "update assessments set state = ?, version = version + 1, updated_at = ?,"
            " completed_at = coalesce(completed_at, ?), pending_question = null, pending_text = null,"
            " reviewing = coalesce(?, reviewing) where id = ? and version = ?"
        )
        params = [
            new_state,
            _iso(now),
            _iso(now) if completed else None,
            None if reviewing is None else int(reviewing),
            row.id,
            row.version,
        ]
        if self._checks_reads_first():
            self._compare_and_set_unread(move, params)
            if (statement := answer_statement(row, change, now)) is not None:
                self._write_unread(*statement)
            return True
        with self.atomic() as db:
            if db.execute(move, params).rowcount != 1:
                return False
            if (statement := answer_statement(row, change, now)) is not None:
                db.execute(*statement)
        return True

    def set_prompt(self, assessment_id: int, question_id: str, channel: str, ts: str) -> None:
        """Record where the question was posted, if the assessment is still at that question: a record
        arriving after the member moved on must not point the next close at the wrong message."""
        self._write_one(
            "update assessments set prompt_channel = ?, prompt_ts = ?, prompt_question = ? where id = ? and state = ?",
            [channel, ts, question_id, assessment_id, question_id],
        )

    def set_pending(self, assessment_id: int, question_id: str, text: str) -> None:
        """Keep a reply that needs "Did you mean …?" until the member confirms it or moves on."""
        self._write_one(
            "update assessments set pending_question = ?, pending_text = ? where id = ? and state = ?",
            [question_id, text, assessment_id, question_id],
        )

    def answer_texts(self, assessment_id: int) -> dict[str, str]:
        """The member's own words, for the answers they typed."""
        return {
            row["question_id"]: row["text"]
            for row in self.db.query(
                "select question_id, text from answers where assessment_id = ? and text is not null", [assessment_id]
            )
        }

    def answers(self, assessment_id: int) -> dict[str, Rating]:
        return {
            row["question_id"]: row["rating"]
            for row in self.db.query("select question_id, rating from answers where assessment_id = ?", [assessment_id])
        }

    def latest_completed_assessment(self, member: MemberKey) -> AssessmentRow | None:
        rows = list(
            self.db.query(
                "select * from assessments where team_id = ? and user_id = ? and completed_at is not null"
                " order by id desc limit 1",
                [member.team_id, member.user_id],
            )
        )
        return AssessmentRow.from_row(rows[0]) if rows else None

    def has_completed_assessment(self, member: MemberKey) -> bool:
        return self.latest_completed_assessment(member) is not None


def answer_statement(row: AssessmentRow, change: AnswerChange | None, now: datetime) -> tuple[str, list[Any]] | None:
    """What ``change`` writes to the assessment's answers (plain SQL on the hot path: no schema look-ups)."""
    match change:
        case ClearAnswers():
            return "delete from answers where assessment_id = ?", [row.id]
        case ForgetAnswer(question_id=question_id):
            return "delete from answers where assessment_id = ? and question_id = ?", [row.id, question_id]
        case SetAnswer():
            return (
                "insert into answers (assessment_id, question_id, rating, source, answered_at, text)"
                " values (?, ?, ?, ?, ?, ?) on conflict (assessment_id, question_id) do update set"
                " rating = excluded.rating, source = excluded.source, answered_at = excluded.answered_at,"
                " text = excluded.text",
                [row.id, change.question_id, change.rating, change.source, _iso(now), change.text],
            )
    return None
