"""Small value types every layer shares: who a member is, and what time it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def whole_number(text: str, max_digits: int = 12) -> int | None:
    """A short run of ASCII digits as an int; None otherwise. ``"²".isdigit()`` is true yet ``int("²")``
    raises, and ``int()`` of thousands of digits is slow or refused: read every number that way."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None


@dataclass(frozen=True)
class MemberKey:
    """A member of a workspace: the coach keeps everything per (workspace, user)."""

    team_id: str
    user_id: str


@dataclass(frozen=True)
class ChannelKey:
    """A channel of a workspace, where a team report is posted."""

    team_id: str
    channel_id: str


# Who a scheduled send goes to: a member (their DM) or a channel (the weekly team digest).
Recipient = MemberKey | ChannelKey


def recipient_id(recipient: Recipient) -> str:
    """The member's user id or the channel's id: what a send is kept under beside the workspace."""
    return recipient.user_id if isinstance(recipient, MemberKey) else recipient.channel_id
