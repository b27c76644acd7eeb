"""Persistence for the social media plan, on the coach's own database (tables from ``m008_plans``).

Plan answers are member data: ``/coach export`` includes them and ``/coach forget`` deletes them
(both through ``Store.MEMBER_TABLES``). Nothing here logs them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.store.assessments import AssessmentQueries
from bot.store.rows import _iso
from flows.content import RATINGS, Rating
from flows.plan_document import FieldValue
from flows.values import MemberKey

DM_DOCUMENT = "dm"  # the channel_id under which a member's own plan canvas is kept


@dataclass(frozen=True)
class PlanDocumentRow:
    canvas_id: str
    link: str | None
    written: Mapping[str, str] = field(default_factory=dict)  # by section id: what the coach last wrote there



def _decode(raw: str) -> dict[str, FieldValue]:
    loaded = json.loads(raw)
    return {key: tuple(value) if isinstance(value, list) else str(value) for key, value in loaded.items()}


class PlanStore:
    def __init__(self, store: AssessmentQueries) -> None:
        self.store = store

    def answers(self, member: MemberKey) -> dict[str, dict[str, FieldValue]]:
        rows = self.store.db.execute(
            "select section_id, answers from plan_answers where team_id = ? and user_id = ?",
            [member.team_id, member.user_id],
        ).fetchall()
        return {section_id: _decode(raw) for section_id, raw in rows}

    def save_section(self, member: MemberKey, section_id: str, values: dict[str, FieldValue], now: datetime) -> None:
        with self.store.atomic() as db:
            db.execute(
                "insert into plan_answers (team_id, user_id, section_id, answers, updated_at) values (?, ?, ?, ?, ?)"
                " on conflict (team_id, user_id, section_id) do update set answers = excluded.answers,"
                " updated_at = excluded.updated_at",
                [member.team_id, member.user_id, section_id, json.dumps(values, ensure_ascii=False), _iso(now)],
            )

    def document(self, member: MemberKey, channel_id: str = DM_DOCUMENT) -> PlanDocumentRow | None:
        row = self.store.db.execute(
            "select canvas_id, link, written from plan_documents where team_id = ? and user_id = ? and channel_id = ?",
            [member.team_id, member.user_id, channel_id],
        ).fetchone()
        return PlanDocumentRow(row[0], row[1], json.loads(row[2]) if row[2] else {}) if row else None

    def save_document(
        self,
        member: MemberKey,
        canvas_id: str,
        link: str | None,
        now: datetime,
        channel_id: str = DM_DOCUMENT,
        written: Mapping[str, str] | None = None,
    ) -> None:
        with self.store.atomic() as db:
            db.execute(
                "insert into plan_documents (team_id, user_id, channel_id, canvas_id, link, updated_at, written)"
                " values (?, ?, ?, ?, ?, ?, ?) on conflict (team_id, user_id, channel_id) do update set"
                " canvas_id = excluded.canvas_id, link = excluded.link, updated_at = excluded.updated_at,"
                " written = excluded.written",
                [
                    member.team_id,
                    member.user_id,
                    channel_id,
                    canvas_id,
                    link,
                    _iso(now),
                    json.dumps(dict(written), ensure_ascii=False) if written else None,
                ],
            )

    def canvas_ids(self, member: MemberKey) -> tuple[str, ...]:
        """Every canvas holding this member's plan: their own, and any channel's an admin published."""
        rows = self.store.db.execute(
            "select canvas_id from plan_documents where team_id = ? and user_id = ? order by channel_id",
            [member.team_id, member.user_id],
        ).fetchall()
        return tuple(row[0] for row in rows)

    def withdraw_from_channels(self, member: MemberKey) -> tuple[str, ...]:
        """Forget the channel canvases that show this member's plan; returns them, to delete from Slack."""
        where = "team_id = ? and user_id = ? and channel_id != ?"
        params = [member.team_id, member.user_id, DM_DOCUMENT]
        with self.store.atomic() as db:
            rows = db.execute(f"select canvas_id from plan_documents where {where} order by channel_id", params)
            canvas_ids = tuple(row[0] for row in rows.fetchall())
            db.execute(f"delete from plan_documents where {where}", params)
        return canvas_ids

    def ratings(self, member: MemberKey) -> dict[str, Rating] | None:
        """The latest finished assessment's answers, or None when there is none."""
        latest = self.store.latest_completed_assessment(member)
        return None if latest is None else self.store.answers(latest.id)

    def rerate(self, member: MemberKey, question_id: str, rating: Rating, now: datetime) -> bool:
        """Re-answer one question of the latest finished assessment, after writing its plan section."""
        latest = self.store.latest_completed_assessment(member)
        if latest is None or rating not in RATINGS:
            return False
        with self.store.atomic() as db:
            db.execute(
                "insert into answers (assessment_id, question_id, rating, source, answered_at)"
                " values (?, ?, ?, 'plan', ?) on conflict (assessment_id, question_id) do update set"
                " rating = excluded.rating,"
                " source = excluded.source, answered_at = excluded.answered_at, text = null",
                [latest.id, question_id, rating, _iso(now)],
            )
        return True
