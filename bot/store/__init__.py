"""SQLite persistence through sqlite-utils: one ``Store`` made of a query mixin per aggregate.

``bot.store.connection`` holds the plumbing (connections, the writer queue, migrations), ``rows`` the
values it hands out, ``schema`` the migrations, and each other module the queries of one aggregate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.assessments import AssessmentQueries
from bot.store.connection import DatabaseMoved
from bot.store.locks import ProcessLock, retry_locked
from bot.store.members import MemberQueries
from bot.store.outbox import OutboxQueries, OutboxRow
from bot.store.privacy import PrivacyQueries
from bot.store.requests import RequestQueries
from bot.store.rows import (
    ACTIVE,
    REACHABLE,
    AnswerChange,
    AssessmentRow,
    ClearAnswers,
    ForgetAnswer,
    MemberRow,
    SetAnswer,
    parse_time,
    send_key,
)
from bot.store.schema import migrations
from bot.store.sends import SendQueries
from bot.store.workspaces import WorkspaceQueries

if TYPE_CHECKING:
    from bot.store.plans import PlanStore


class Store(
    MemberQueries, AssessmentQueries, SendQueries, WorkspaceQueries, PrivacyQueries, RequestQueries, OutboxQueries
):
    """The coach's database: every table, every query, one writer path."""

    @property
    def plans(self) -> PlanStore:
        from bot.store.plans import PlanStore

        return PlanStore(self)


__all__ = [
    "ACTIVE",
    "REACHABLE",
    "AnswerChange",
    "AssessmentRow",
    "DatabaseMoved",
    "ClearAnswers",
    "ForgetAnswer",
    "MemberRow",
    "OutboxRow",
    "ProcessLock",
    "SetAnswer",
    "Store",
    "migrations",
    "parse_time",
    "retry_locked",
    "send_key",
]
