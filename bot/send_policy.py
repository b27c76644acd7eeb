"""When a scheduled send is tried again, and when a claim on one is abandoned.

A send that failed for a passing reason waits 2, 4, 8 ... minutes (at most an hour) before its next
attempt, and is given up after ``MAX_ATTEMPTS``. A claim is held under a wall-clock lease: once the
lease has run out, its process is taken to be dead (a pid says nothing once a restarted container
reuses it), and a later tick checks the DM's history before sending again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

ORPHAN_LEASE = timedelta(minutes=15)  # for claims made before claims carried a lease
CLAIM_LEASE_SECONDS = 600.0  # a pending claim whose lease ran out belongs to a process that died
UNCERTAIN = "uncertain"
FIRST_RETRY_AFTER = timedelta(minutes=2)
LONGEST_RETRY_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 12  # then the send has failed for good and the member is moved on


def retry_backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes after each passing failure, at most an hour apart."""
    later: timedelta = FIRST_RETRY_AFTER * (2 ** (attempts - 1))
    return min(later, LONGEST_RETRY_AFTER)


def owner_is_gone(owner: str, claimed_at: datetime, now: datetime, lease_until: float | None, wall_now: float) -> bool:
    """A claim is orphaned when its lease ran out (its process died: a pid says nothing once a
    container restarts and reuses it), or its send timed out and nobody knows whether it arrived."""
    if owner == UNCERTAIN:
        return True
    if lease_until is not None:
        return wall_now >= lease_until
    return now - claimed_at >= ORPHAN_LEASE


@dataclass
class Results:
    """Which jobs of a run must stay due: they failed for a passing reason, wait out a backoff, or
    another process holds them right now. Everything else landed or failed for good."""

    keep_due: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def keep(self, key: str) -> None:
        with self._lock:
            self.keep_due.add(key)
