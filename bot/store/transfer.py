"""``coach migrate-db``: every row of one store copied into another, e.g. a SQLite file into PostgreSQL.

Both stores are migrated to the current schema first; the copy is one transaction on the target, so
an interrupted copy leaves the target empty, and a target that already holds data is refused (the
copy never merges two coaches' data). Stop the coach before copying: rows written meanwhile are missed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from bot.store.factory import AnyStore
from bot.store.postgres import PostgresStore

# Parents before children (answers point at assessments); the health row is not data.
TABLES = (
    "members",
    "workspaces",
    "assessments",
    "answers",
    "stage_changes",
    "tips_shown",
    "checkins",
    "sends",
    "digests",
    "plan_answers",
    "plan_documents",
    "outbox",
    "processed_events",
    "seen_signatures",
    "senders",
)
# slack_sdk's installation and OAuth state tables: on SQLite only once a workspace installed through OAuth.
OAUTH_TABLES = ("slack_installations", "slack_bots", "oauth_states")
BATCH = 1000
# Tables whose next id must follow the copied ones.
WITH_IDS = ("assessments", "stage_changes", "tips_shown", "outbox", *OAUTH_TABLES)


class TargetNotEmpty(RuntimeError):
    pass


def store_has_rows(store: AnyStore, table: str) -> bool:
    return store.db.execute(f"select 1 from {table} limit 1").fetchone() is not None


def batches(store: AnyStore, table: str) -> Iterator[list[dict[str, Any]]]:
    rows = iter(store.rows(f"select * from {table}"))
    while batch := list(islice(rows, BATCH)):
        yield batch


def copy_store(source: AnyStore, target: AnyStore) -> dict[str, int]:
    """Copy every table's rows; returns how many rows each table got."""
    tables = [*TABLES, *(table for table in OAUTH_TABLES if source.table_exists(table) and target.table_exists(table))]
    full = [table for table in tables if target.table_exists(table) and store_has_rows(target, table)]
    if full:
        raise TargetNotEmpty(f"the target database already holds data ({', '.join(full)}); copy into an empty one")
    counts: dict[str, int] = {}
    with target.write() as db:
        for table in tables:
            counts[table] = 0
            for batch in batches(source, table):
                names = list(batch[0])
                insert = f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})"
                target.executemany(db, insert, [[row[name] for name in names] for row in batch])
                counts[table] += len(batch)
        if isinstance(target, PostgresStore):
            for table in (table for table in WITH_IDS if table in tables):
                db.execute(
                    f"select setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false)"
                    f" from {table}"
                )
    return counts
