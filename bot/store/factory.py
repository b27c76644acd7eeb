"""One way to open the coach's store from a database URL, for the CLI, the app and the workers.

``sqlite:///coach.db`` (relative) or ``sqlite:////var/lib/coach.db`` (absolute) opens the embedded
SQLite store; ``postgresql://user@host/db`` the PostgreSQL one, for several hosts.
"""

from __future__ import annotations

import sqlite3
from typing import TypeAlias

import psycopg

from bot.settings import Settings
from bot.store import Store
from bot.store.locks import WRITER_WAIT_SECONDS
from bot.store.postgres import PostgresStore

AnyStore: TypeAlias = Store | PostgresStore
# What either store raises when it cannot take a request now (a full disk, a database server gone).
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def store_for(settings: Settings) -> AnyStore:
    """The store the settings name (``COACH_DATABASE_URL``, or ``COACH_DB``), with their limits."""
    return open_store(settings.database_url, settings.coach_writer_wait_seconds)


class UnknownDatabaseUrl(ValueError):
    pass


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` URL; None for another kind of URL."""
    return url.removeprefix(SQLITE_PREFIX) if url.startswith(SQLITE_PREFIX) else None


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_PREFIXES)


def open_store(url: str, writer_wait: float = WRITER_WAIT_SECONDS) -> AnyStore:
    """The store a URL names; ``writer_wait`` is how long a SQLite write waits for another writer."""
    path = sqlite_path(url)
    if path is not None:
        return Store(path, writer_wait)
    if is_postgres(url):
        return PostgresStore(url)
    raise UnknownDatabaseUrl(
        f"COACH_DATABASE_URL must start with {SQLITE_PREFIX} or postgresql:// (got {url.split(':', 1)[0]}:…)"
    )
