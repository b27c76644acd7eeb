"""SQLite persistence through sqlite-utils: one ``Store`` made of a query mixin per aggregate.

``bot.store.connection`` holds the plumbing (connections, the writer queue, migrations), ``rows`` the
values it hands out, ``schema`` the migrations, and each other module the queries of one aggregate.
The same queries run on PostgreSQL in ``bot.store.postgres``; ``bot.store.factory`` opens either.
"""

from __future__ import annotations

from bot.store.connection import Connection, DatabaseMoved
from bot.store.locks import ProcessLock, retry_locked
from bot.store.outbox import OutboxRow
from bot.store.queries import CoachQueries
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


class Store(CoachQueries, Connection):
    """The coach's database: every table, every query, one writer path."""


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
