"""The outbox: what a request has to say, written in the same transaction as the change it answers.

A listener's use case decides and persists; ``Outbox.enqueue`` adds the replies as one row in the
same SQLite transaction (the request's unit of work), and only then does Slack get its 200. The
sender (``bot.sending.sender``) sends the rows afterwards, in order per member, so a crash after the ack
loses no reply. Each row holds its reply as versioned JSON (``bot.sending.payload``), so the replies
queued during an upgrade are sent by the new release; a row that cannot be read back is logged and
dropped, never retried forever.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import replace

from bot.sending.payload import Reply, decode, encode
from bot.store.interfaces import CoachStore
from bot.store.outbox import DM_LANE, PRIVATE_LANE
from flows.outcomes import AskBackClosed, CheckinClosed, Closed
from flows.values import Clock, MemberKey

log = logging.getLogger(__name__)
MAX_PENDING_RINGS = 64

MAX_ATTEMPTS = 20  # 1 s, 2 s, 4 s, … then every 5 minutes: a reply rides out about an hour of Slack trouble


def outbox_key(row_id: int, step: int) -> str:
    """The send key of a row's step, carried as message metadata so a recovery can find it."""
    return f"outbox:{row_id}:{step}"


def backoff(attempts: int) -> float:
    """Seconds before another try: 1, 2, 4, ... up to 5 minutes."""
    return float(min(300, 2 ** max(0, attempts - 1)))


# Outcomes that only update a message already on screen (the answered question loses its buttons).
CLOSING = (Closed, CheckinClosed, AskBackClosed)


def next_step_first(reply: Reply) -> Reply:
    """The member's next step (the next question, the verdict) is posted before the message they
    answered is closed, in the same row: the close is a Web API call the member would otherwise wait
    through before seeing what comes next, and on screen the order is the same, since a close updates
    the old message where it stands. One row per click, not two: each row costs the sender a claim, a
    member lookup and a transaction of its own."""
    opening = tuple(o for o in reply.outcomes if not isinstance(o, CLOSING))
    closing = tuple(o for o in reply.outcomes if isinstance(o, CLOSING))
    return replace(reply, outcomes=opening + closing)


class Doorbell:
    """Wakes the sender right after a commit; a ring is kept until someone answers it.

    In one process it is a condition the sender threads wait on. ``coach run`` sends from a process of
    its own (``bot.sending.process``): the serving process then rings through a pipe (``ring_through``), and the
    sending process relays each byte it reads to its own doorbell (``relay_from``)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._rings = 0
        self._pipe: int | None = None
        self._pipe_lock = threading.Lock()  # a ring never writes to a pipe being closed
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        """A forked child gets a fresh condition: another thread may have held the parent's at the fork.
        It keeps ringing through the pipe, if there is one (a serving process of ``--workers N``)."""
        self._condition = threading.Condition()
        self._rings = 0
        self._pipe_lock = threading.Lock()

    def ring_through(self, pipe: int | None) -> None:
        """From now on a ring is a byte written to ``pipe`` (None: back to this process's threads)."""
        if pipe is not None:
            os.set_blocking(pipe, False)
        with self._pipe_lock:
            self._pipe = pipe

    def ring(self, times: int = 1) -> None:
        with self._pipe_lock:
            if self._pipe is not None:
                try:
                    os.write(self._pipe, bytes(min(times, MAX_PENDING_RINGS)))
                except BlockingIOError:
                    pass  # the pipe is full of rings not yet answered: the sender has work enough
                except OSError as error:  # after a commit: the reply waits for the poll, the request stands
                    log.warning("could not ring the sending process: %s", error)
                return
        with self._condition:
            # Capped: rings nobody answered (no sender running) must not make a later sender spin.
            self._rings = min(self._rings + times, MAX_PENDING_RINGS)
            self._condition.notify(times)

    def relay_from(self, pipe: int) -> None:
        """Ring once for every byte read from ``pipe``, until every process that could ring is gone."""
        while chunk := os.read(pipe, 4096):
            self.ring(len(chunk))

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a ring; True if there was one. Every ring pending is
        taken at once: one claim of what is due answers them all (a ring after it is kept)."""
        with self._condition:
            if self._rings == 0:
                self._condition.wait(timeout)
            rung, self._rings = self._rings > 0, 0
            return rung


DOORBELL = Doorbell()  # one per process: every outbox in it wakes every sender in it


class Outbox:
    def __init__(self, store: CoachStore, clock: Clock, doorbell: Doorbell = DOORBELL) -> None:
        self.store = store
        self.clock = clock
        self.doorbell = doorbell

    def __deepcopy__(self, _memo: object) -> Outbox:
        """Shared, not copied, when Bolt copies a request's context for a lazy listener."""
        return self

    def backlogged(self, member: MemberKey, limit: int) -> bool:
        """At least ``limit`` of the member's DM replies are still waiting to be sent."""
        waiting = self.store.outbox_waiting(member, DM_LANE)
        if waiting >= limit:
            log.info("a reply to %s was not queued: %d are still waiting to be sent", member, waiting)
        return waiting >= limit

    def enqueue(self, member: MemberKey, reply: Reply, lane: str | None = None) -> int | None:
        """Add ``reply`` to the member's queue (``lane``: by default their DM, or the private lane of a
        reply with nothing for the DM), in this thread's open unit of work if there is one; its row id,
        unless that is known only once the unit commits (PostgreSQL)."""
        reply = next_step_first(reply)
        if not (reply.outcomes or (reply.private and reply.response_url)):
            return None
        lane = lane or (DM_LANE if reply.outcomes else PRIVATE_LANE)
        row_id = self.store.add_to_outbox_unread(member, encode(reply), self.clock(), lane)
        self.store.after_commit(self.doorbell.ring)
        return row_id


__all__ = ["Doorbell", "Outbox", "Reply", "decode", "encode", "outbox_key"]
