"""Small value types every layer shares: who a member is, and what time it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


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
