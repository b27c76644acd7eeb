"""Reading Slack's payloads: who is asking, from where, and what a button carried.

The workspace comes from Bolt's context (``context.team_id`` / ``enterprise_id``), which Bolt
derives from the payload's ``authorizations`` the way it authorizes the request, never from fields
a Slack Connect payload may fill differently.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext

from flows.values import MemberKey


def acknowledge(ack: Ack) -> None:
    """For requests whose only answer comes later (a modal opened by a lazy listener)."""
    ack()


def as_dict(value: object) -> dict[str, Any]:
    """A payload field that should be an object; anything else (a forged string, a list) reads as empty."""
    return value if isinstance(value, dict) else {}


def member_of(context: BoltContext) -> MemberKey | None:
    """The member a request is from; None for a payload that names no user."""
    team = context.team_id or context.enterprise_id
    user = context.user_id
    return MemberKey(team, user) if team and user else None


def dm_channel(body: dict[str, Any]) -> str | None:
    """The DM a click came from; None when it came from elsewhere (a channel, App Home)."""
    channel = as_dict(body.get("channel")).get("id")
    return channel if isinstance(channel, str) and channel.startswith("D") else None


def clicked_message(body: dict[str, Any]) -> tuple[str, str] | None:
    container = as_dict(body.get("container"))
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) and channel and ts else None


def value_parts(action: dict[str, Any], count: int) -> list[str]:
    """A button's ``value`` split on ``:`` into exactly ``count`` parts (missing ones empty)."""
    return (str(action.get("value", "")).split(":") + [""] * count)[:count]


def selected(values: dict[str, Any], block: str) -> dict[str, Any]:
    """A modal input's state: ``values[block][block]``, the way the coach names its inputs."""
    return as_dict(as_dict(values.get(block)).get(block))


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted modal's ``state.values``; empty for a payload that lacks or garbles them."""
    return as_dict(as_dict(view.get("state")).get("values"))


def text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def chosen(state: dict[str, Any]) -> str:
    """The value of a select's ``selected_option`` ("" when none, or when it is not an object)."""
    return str(as_dict(state.get("selected_option")).get("value", ""))


def iso_date(value: object) -> date | None:
    """A date picker's ``selected_date`` (``YYYY-MM-DD``); None when none was picked or it is garbled."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_subcommand(text: str | None) -> tuple[str, list[str]]:
    words = (text or "").split()
    return (words[0].lower(), words[1:]) if words else ("", [])
