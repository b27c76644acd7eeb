"""Multi-workspace installs: slack_sdk's SQLite installation and OAuth state stores, in the coach's
own database file, and the Web API client for each workspace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import closing
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from bot.settings import Settings
from bot.slack.client import make_web_client
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


def clients_by_team(
    settings: Settings, installations: CoachInstallationStore | None, wait_out_rate_limits: bool = True
) -> Callable[[str], WebClient | None]:
    """The Web API client for a workspace: the one bot token, or that workspace's installed token."""
    if installations is None:
        single = make_web_client(settings, wait_out_rate_limits=wait_out_rate_limits)
        return lambda _team_id: single

    clients: dict[str, WebClient] = {}  # one per token

    def client_for(team_id: str) -> WebClient | None:
        bot = installations.find_bot(enterprise_id=installations.enterprise_of(team_id), team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        client = clients.get(bot.bot_token)
        if client is None:
            client = clients[bot.bot_token] = make_web_client(settings, bot.bot_token, wait_out_rate_limits)
        return client

    return client_for
