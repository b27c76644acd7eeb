"""Workspace events other than messages: the App Home tab, and the app leaving a workspace."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.payloads import as_dict, member_of
from bot.sending.landing import delivery_for
from bot.usecases.services import Services

EVENTS: tuple[str, ...] = ("app_home_opened", "app_uninstalled", "tokens_revoked")



def home_opened(services: Services, ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
    """The member looked at App Home: from now on it is kept up to date as their steps end."""
    member = member_of(context)
    if event.get("tab", "home") == "home" and member is not None:
        services.profiles().saw_home(member, services.clock())
    ack()


def publish_home(services: Services, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    member = member_of(context)
    if event.get("tab", "home") != "home" or member is None:
        return
    delivery_for(services, client, member).publish_home(member.user_id, services.home_tab(member))


def app_left(services: Services, ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
    """Uninstalled, or the bot token revoked: the workspace's jobs stop and its tokens go."""
    team_id = context.team_id or context.enterprise_id
    if team_id:
        bot_tokens = as_dict(event.get("tokens")).get("bot")
        services.workspaces().app_left(team_id, context.enterprise_id, str(event.get("type")), bool(bot_tokens))
    ack()


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(ack=partial(home_opened, services), lazy=[partial(publish_home, services)])
    app.event("app_uninstalled")(partial(app_left, services))
    app.event("tokens_revoked")(partial(app_left, services))
