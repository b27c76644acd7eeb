"""Workspace events other than messages: the App Home tab, and the app leaving a workspace."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import Services
from bot.store import MemberKey

EVENTS: tuple[str, ...] = ("app_home_opened",)


def register(app: App, services: Services) -> None:
    def home_opened(ack: Ack) -> None:
        ack()

    def publish_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        member = MemberKey(str(body.get("team_id") or ""), str(event["user"]))
        services.store.ensure_member(member, services.clock())
        services.delivery(client).publish_home(member)

    app.event("app_home_opened")(ack=home_opened, lazy=[publish_home])
