"""What the store hands out and takes in: rows as frozen values, answer changes, send keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flows.content import Rating
from flows.values import MemberKey, Recipient, recipient_id


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def send_key(recipient: Recipient, kind: str, period: str) -> str:
    """The unique key a scheduled send is claimed under: one per recipient, kind and period."""
    return f"{recipient.team_id}:{recipient_id(recipient)}:{kind}:{period}"


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
    pending_question: str | None = None  # the question a reply awaiting confirmation answers
    pending_text: str | None = None  # that reply, as the member typed it
    reviewing: bool = False  # in the round that offers skipped questions again
    prompt_question: str | None = None  # the question the prompt message asks (None: recorded before we kept it)

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
            pending_question=row.get("pending_question"),
            pending_text=row.get("pending_text"),
            reviewing=bool(row.get("reviewing")),
            prompt_question=row.get("prompt_question"),
        )


@dataclass(frozen=True)
class SetAnswer:
    """Record (or replace) the answer to one question."""

    question_id: str
    rating: Rating
    source: str = "button"
    text: str | None = None  # what the member typed, kept with a typed answer


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
    paused_until: date | None = None  # a pause that ends on its own that day

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
            paused_until=date.fromisoformat(row["paused_until"]) if row.get("paused_until") else None,
        )


SCHEDULE_FIELDS = frozenset({"tz", "checkin_weekday", "checkin_time", "paused", "active"})
ACTIVE = "m.active = 1 and not exists (select 1 from workspaces w where w.team_id = m.team_id and w.active = 0)"
REACHABLE = f"m.paused = 0 and {ACTIVE}"  # for check-ins, which a member can pause
