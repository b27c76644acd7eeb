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
