"""Who holds a claim on an outbox row, and how a claim is known to be abandoned.

Every sender (a thread pool of ``coach run``'s sending process, or ``coach tick`` draining what it
queued) claims rows under an owner id of its own, random and unique across hosts and PID namespaces,
and beats a heartbeat row in the database every few seconds. A claim whose owner has stopped beating
(killed, frozen, its host gone) is taken over after the sender's silence limit, once the DM's history
shows what of it already arrived: no pid, host name or process start time is involved.
"""

from __future__ import annotations

import uuid


def new_owner() -> str:
    """A sender's owner id for its claims and its heartbeat."""
    return f"sender-{uuid.uuid4().hex}"
