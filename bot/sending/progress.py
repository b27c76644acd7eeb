"""How far one outbox row got, and how its failures read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.slack.delivery import Posted
from bot.slack.errors import SlackFault, classify


@dataclass
class Progress:
    """How far a row got: the next step to do, and the messages that landed on the way."""

    step: int
    posted: list[Posted] = field(default_factory=list)
    last: Posted | None = None  # the latest message that landed, for a scheduled send's record
    refused: int = 0  # messages Slack refused for good (each logged)
    home: Callable[[], None] | None = None  # App Home to publish once the row is done
    wanted_known: bool = True  # not withdrawn as of its claim or last look, and Slack not called since
    queued_behind: bool | None = None  # once the row ended: whether a row of its member's waits behind it


class RowWithdrawn(Exception):
    """The row was deleted while it was being sent: its member asked to be forgotten."""


class PassingFailure(Exception):
    """Slack could not take it now; the row is tried again later."""


def is_passing(error: Exception) -> bool:
    """Slack may well take it a little later (the one classifier's reading of the failure)."""
    return classify(error) in (SlackFault.TRANSIENT, SlackFault.UNCERTAIN)


def timed_out(error: Exception) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(error, TimeoutError) or isinstance(reason, TimeoutError)
