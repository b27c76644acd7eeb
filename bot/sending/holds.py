"""Workspaces Slack asked to wait: a 429 names how long (``Retry-After``), and until then the sender
claims none of that workspace's rows, so no thread sleeps through the wait and other workspaces'
replies go out as usual."""

from __future__ import annotations

import threading
from collections.abc import Callable


class WorkspaceHolds:
    def __init__(self, wall_clock: Callable[[], float]) -> None:
        self.wall_clock = wall_clock
        self._until: dict[str, float] = {}  # team id -> epoch seconds
        self._guard = threading.Lock()

    def hold(self, team_id: str, until: float) -> None:
        with self._guard:
            self._until[team_id] = max(until, self._until.get(team_id, until))

    def held(self) -> list[str]:
        """The workspaces still waiting now (holds that are over are let go)."""
        now = self.wall_clock()
        with self._guard:
            for team_id in [team for team, until in self._until.items() if until <= now]:
                del self._until[team_id]
            return sorted(self._until)

    def seconds_to_next_release(self) -> float | None:
        """How long until the first hold is over; None when no workspace is held."""
        self.held()
        with self._guard:
            return max(0.0, min(self._until.values()) - self.wall_clock()) if self._until else None

    def release_next(self) -> None:
        """Let the first hold go (its wait is over, whatever a frozen clock says)."""
        with self._guard:
            if self._until:
                del self._until[min(self._until, key=self._until.__getitem__)]
