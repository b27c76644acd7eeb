"""Multi-workspace installs: slack_sdk's SQLite installation and OAuth state stores, in the coach's
own database file, and the Web API client for each workspace."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import closing
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from bot.settings import Settings
from bot.slack.client import KeptAliveWebClient, make_kept_alive_client, make_web_client
from bot.slack.postgres_oauth import BorrowedConnection, PostgresOAuthStateStore
from bot.store.factory import AnyStore
from bot.store.postgres import PostgresStore

log = logging.getLogger(__name__)

# What the coach asks for when a workspace installs it; manifest.yml declares the same (a test checks).
BOT_SCOPES = (
    "canvases:read",
    "canvases:write",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "lists:write",
    "users:read",
)
STATE_EXPIRATION_SECONDS = 600


class CoachInstallationStore(SQLite3InstallationStore):
    """slack_sdk's store; a fresh install also reopens a workspace that had uninstalled the app."""

    def __init__(self, store: AnyStore, client_id: str) -> None:
        super().__init__(database=store.path, client_id=client_id)
        self.coach_store = store
        if isinstance(store, PostgresStore):
            self.init_called = True  # the store's migrations made its tables

    def connect(self) -> Any:
        """SQLite's connection, or a pooled PostgreSQL one that reads the same SQL."""
        if isinstance(self.coach_store, PostgresStore):
            return BorrowedConnection(self.coach_store)
        return super().connect()

    def enterprise_of(self, team_id: str) -> str | None:
        """The Enterprise Grid org a workspace's bot was installed under (None outside Grid): the
        installation is stored under it, so looking it up or deleting it needs it."""
        with closing(self.connect()) as conn:
            row = conn.execute(
                "select enterprise_id from slack_bots where client_id = ? and team_id = ? order by id desc limit 1",
                [self.client_id, team_id],
            ).fetchone()
        return str(row[0]) if row and row[0] else None

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.team_id:
            self.coach_store.reopen_workspace(installation.team_id)
            log.info("installed in workspace %s", installation.team_id)


def oauth_mode(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


def installation_store(settings: Settings, store: AnyStore) -> CoachInstallationStore | None:
    if not oauth_mode(settings):
        return None
    assert settings.slack_client_id is not None
    return CoachInstallationStore(store, settings.slack_client_id)


def state_store(store: AnyStore) -> SQLite3OAuthStateStore:
    if isinstance(store, PostgresStore):
        return PostgresOAuthStateStore(store, STATE_EXPIRATION_SECONDS)
    return SQLite3OAuthStateStore(database=store.path, expiration_seconds=STATE_EXPIRATION_SECONDS)


class ClientsByTeam:
    """The Web API client for a workspace: the one bot token's, or that workspace's installed token's
    (None before it is installed); one client per token, all closed together."""

    def __init__(self, installations: CoachInstallationStore | None, make: Callable[[str | None], WebClient]) -> None:
        self.installations = installations
        self.make = make
        self.clients: dict[str | None, WebClient] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient | None:
        token: str | None = None
        if self.installations is not None:
            installations = self.installations
            bot = installations.find_bot(enterprise_id=installations.enterprise_of(team_id), team_id=team_id)
            if bot is None or not bot.bot_token:
                return None
            token = bot.bot_token
        with self._lock:
            client = self.clients.get(token)
            if client is None:
                client = self.clients[token] = self.make(token)
            return client

    def close(self) -> None:
        with self._lock:
            clients, self.clients = list(self.clients.values()), {}
        for kept in clients:
            if isinstance(kept, KeptAliveWebClient):
                kept.close()


def clients_by_team(
    settings: Settings,
    installations: CoachInstallationStore | None,
    wait_out_rate_limits: bool = True,
    kept_alive: bool = False,
) -> ClientsByTeam:
    """``kept_alive``: clients that keep their connections (``KeptAliveWebClient``), for the sender."""
    make = make_kept_alive_client if kept_alive else make_web_client
    return ClientsByTeam(installations, lambda token: make(settings, token, wait_out_rate_limits))
