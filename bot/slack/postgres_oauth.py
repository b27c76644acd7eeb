"""slack_sdk's installation and OAuth state stores on the coach's PostgreSQL database.

slack_sdk's SQLite stores write plain SQL through ``connect()``; here ``connect()`` hands them a
connection of the coach's pool that reads that SQL the same way (``?`` placeholders, ``commit``), on
the tables the store's migrations create (``p002_installations_and_oauth_states``). So every host
sees every installation, and an OAuth flow begun on one host can finish on another.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from bot.store.postgres import PostgresStore
from bot.store.postgres.connection import PgDatabase
from bot.store.session import Result


class BorrowedConnection:
    """A pooled connection as sqlite3's ``Connection`` is used by slack_sdk's stores: each statement
    commits by itself (autocommit), and the connection goes back to the pool when closed or left."""

    def __init__(self, store: PostgresStore) -> None:
        self._pool = store.pool
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = store.pool.getconn()

    def execute(self, sql: str, params: Any = ()) -> Result:
        assert self._conn is not None, "the connection was closed"
        return PgDatabase(self._conn).execute(sql, list(params))

    def commit(self) -> None:
        """Each statement committed already."""

    def close(self) -> None:
        if self._conn is not None:
            self._pool.putconn(self._conn)
            self._conn = None

    def __enter__(self) -> BorrowedConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class PostgresOAuthStateStore(SQLite3OAuthStateStore):
    """OAuth states on PostgreSQL; a state is consumed by one atomic delete, so one callback wins."""

    def __init__(self, store: PostgresStore, expiration_seconds: int) -> None:
        super().__init__(database=store.url, expiration_seconds=expiration_seconds)
        self.coach_store = store
        self.init_called = True  # the store's migrations made the table

    def connect(self) -> Any:
        return BorrowedConnection(self.coach_store)

    def consume(self, state: str) -> bool:
        with self.connect() as conn:
            deleted = conn.execute(
                "delete from oauth_states where state = ? and expire_at > ? returning id", [state, time.time()]
            )
            return deleted.fetchone() is not None
