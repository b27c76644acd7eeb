"""When a scheduled send is tried again, and when a claim on one is abandoned.

A send that failed for a passing reason waits 2, 4, 8 ... minutes (at most an hour) before its next
attempt, and is given up after ``MAX_ATTEMPTS``. A claim is held under a wall-clock lease: once the
lease has run out, its process is taken to be dead (a pid says nothing once a restarted container
reuses it), and a later tick checks the DM's history before sending again.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
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


def process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``); "" where that is unknown.
    With the pid it names one process for good: a restarted container's pid 1 started at another time."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError, UnicodeDecodeError):
        return ""


def process_owner() -> str:
    """Who holds a claim: this host, this process (pid and start time), and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{process_start(os.getpid())}:{uuid.uuid4().hex[:8]}"


def alive_here(owner: str) -> bool | None:
    """Whether the process that made a claim still runs, when it ran on this host and its start time
    is known; None otherwise (another host, or a claim from before start times were recorded)."""
    parts = owner.split(":")
    if len(parts) != 4 or parts[0] != socket.gethostname() or not parts[2] or not parts[1].isdigit():
        return None
    return process_start(int(parts[1])) == parts[2]


def owner_is_gone(
    owner: str, claimed_at: datetime, now: datetime, lease_until: float | None = None, wall_now: float = 0.0
) -> bool:
    """A claim is orphaned when its send timed out (nobody knows whether it arrived), when its process
    on this host is gone (checked by pid *and* start time, so a reused pid is not taken for it), or,
    for a process elsewhere, when its lease ran out."""
    if owner == UNCERTAIN:
        return True
    alive = alive_here(owner)
    if alive is not None:
        return not alive
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
