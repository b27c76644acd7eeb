"""Messages members type in their DM with the coach (``message.im``)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.listeners.reply import keep_for_sending, sender
from bot.services import Services
from bot.store import MemberKey

EVENTS = ("message.im",)


def is_member_text(event: dict[str, Any]) -> bool:
    """A plain message from a person in a DM: not an edit, a join, or a bot (ourselves included)."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and isinstance(event.get("text"), str)
        and isinstance(event.get("user"), str)
        and isinstance(event.get("channel"), str)
    )


def register(app: App, services: Services) -> None:
    def direct_message(ack: Ack, event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
        if is_member_text(event):
            member = MemberKey(context.team_id or "", event["user"])  # the workspace Bolt authorized
            keep_for_sending(context, services.coach(member).handle_text(member, event["text"]), event["channel"])
        ack()

    app.event("message")(ack=direct_message, lazy=[sender(services)])
