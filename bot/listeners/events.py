"""Workspace events other than messages: the App Home tab, and the app leaving a workspace."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.services import Services
from bot.store import MemberKey

log = logging.getLogger(__name__)
EVENTS: tuple[str, ...] = ("app_home_opened", "app_uninstalled", "tokens_revoked")


def register(app: App, services: Services) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def publish_home(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
            return
        member = MemberKey(context.team_id or "", event["user"])
        services.delivery(client, member).publish_home(member)

    def app_left(ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
        """Uninstalled, or the bot token revoked: stop that workspace's jobs at once and drop its tokens.

        Its member data stays for ``COACH_RETENTION_DAYS`` (a reinstall picks up where it left off),
        then the scheduler deletes it.
        """
        team_id = context.team_id or ""
        revoked_bot = event.get("type") == "app_uninstalled" or bool((event.get("tokens") or {}).get("bot"))
        if team_id and revoked_bot:
            services.store.stop_workspace(team_id, str(event.get("type")), services.clock())
            if services.installations is not None:  # an Enterprise Grid install is stored under its org too
                services.installations.delete_all(enterprise_id=context.enterprise_id, team_id=team_id)
            log.info("workspace %s stopped: %s", team_id, event["type"])
        ack()

    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])
    app.event("app_uninstalled")(app_left)
    app.event("tokens_revoked")(app_left)
