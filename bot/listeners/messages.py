"""Messages members type in their DM with the coach (``message.im``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.listeners.payloads import as_dict, member_of
from bot.listeners.reply import keep_for_sending
from bot.usecases.services import Services
from flows.outcomes import Notice

EVENTS = ("message.im",)
# Messages a person typed, with something beside the words: files attached, a thread reply also sent
# to the conversation. Edits, deletions, joins and bots' messages have other subtypes and are not read.
TYPED_SUBTYPES = frozenset({"file_share", "thread_broadcast"})


def is_member_text(event: dict[str, Any]) -> bool:
    """A message a person typed in a DM: not an edit, a join, or a bot (ourselves included)."""
    return (
        event.get("channel_type") == "im"
        and (not event.get("subtype") or event.get("subtype") in TYPED_SUBTYPES)
        and not event.get("bot_id")
        and isinstance(event.get("text"), str)
        and bool(event["text"].strip())  # a file or an image alone: nothing to read
        and isinstance(event.get("user"), str)
        and isinstance(event.get("channel"), str)
    )


def is_member_edit(event: dict[str, Any]) -> bool:
    """A person's edit of their own DM message that changed its words (``message_changed`` with
    ``edited``; a link preview added by Slack changes no words and is not one)."""
    message, before = as_dict(event.get("message")), as_dict(event.get("previous_message"))
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") == "message_changed"
        and isinstance(message.get("edited"), dict)
        and not message.get("bot_id")
        and isinstance(message.get("user"), str)
        and message.get("text") != before.get("text")
        and isinstance(event.get("channel"), str)
    )


def direct_message(services: Services, ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
    member = member_of(context)
    if member is not None and is_member_text(event):
        outcomes = services.conversation(member, event["text"]).handle_text(member, event["text"])
        keep_for_sending(context, outcomes, event["channel"], typed=True)
    elif member is not None and is_member_edit(event) and event["message"]["user"] == member.user_id:
        keep_for_sending(context, [Notice("edit_not_read")], event["channel"])  # what was recorded stays
    ack()


def register(app: App, services: Services) -> None:
    app.event("message")(partial(direct_message, services))
