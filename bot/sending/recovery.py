"""A sender's heartbeat, and the rows left claimed by a sender that stopped beating (killed, frozen, its
host gone) or by a send that timed out: each message carries its row's key as message metadata, so
the DM's history tells what already arrived, and the row is resumed after it. Nothing is sent twice
that Slack shows."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.sending.outbox import Doorbell, decode, outbox_key
from bot.slack.dm import delivered_keys
from bot.slack.errors import SLACK_FAILURES, describe
from bot.store import OutboxRow
from bot.store.interfaces import CoachStore
from bot.usecases.services import Services
from flows.values import MemberKey

log = logging.getLogger(__name__)
OWNER_SILENT_SECONDS = 30.0  # by default, a claim whose owner has not beaten for this long is taken over


class OrphanRecovery:
    store: CoachStore
    wall_clock: Callable[[], float]
    owner: str
    doorbell: Doorbell
    rows_in_hand: set[int]
    silence: float  # seconds without a heartbeat after which a sender is taken for dead
    beat_every: float  # seconds between two beats: a third of the silence at most
    wall_clock_beaten: float  # when this sender last beat
    services: Services
    _stopping: threading.Event

    client_for: Callable[[str], WebClient | None]

    def _heartbeat_loop(self) -> None:
        """Beats on a thread of its own: a recovery pass waiting on Slack, or every I/O thread busy,
        must not make this sender look dead to the others."""
        while not self._stopping.is_set():
            try:
                self.beat()
            except Exception:
                log.exception("the sender's heartbeat failed")
            self._stopping.wait(self.beat_every)

    def _recovery_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.recover_orphans(self.services.clock())
            except Exception:
                log.exception("outbox recovery failed")
            self._stopping.wait(self.beat_every)

    def beat(self) -> None:
        """Tell the other senders this one is alive (its claims are not to be taken over)."""
        now = self.wall_clock()
        if now - self.wall_clock_beaten >= self.beat_every:
            self.store.beat(self.owner, now)
            self.wall_clock_beaten = now

    def recover_orphans(self, now: datetime) -> int:
        """Rows claimed by a sender that stopped beating (it died, or froze), whose send timed out, or of
        this sender's own that it no longer holds (their ending could not be written: a full disk)."""
        recovered = 0
        alive = self.store.live_senders(self.wall_clock() - self.silence)
        for row in self.store.claimed_outbox_rows():
            mine = row.owner == self.owner
            if (mine and not self._left_behind(row, now)) or (not mine and row.owner in alive):
                continue
            if row.owner is None or not self.store.take_over_outbox_row(row.id, row.owner, self.owner):
                continue
            if row.withdrawn:  # its member was forgotten meanwhile: nothing more of it is sent
                self.store.finish_outbox_row(row.id)
                continue
            self.store.retry_outbox_row(row.id, self._resume_step(row), 0)
            recovered += 1
        if recovered:
            self.doorbell.ring(recovered)
        return recovered

    def _left_behind(self, row: OutboxRow, now: datetime) -> bool:
        """One of our own claims that no thread of ours is sending, and not just being handed out."""
        settled = row.claimed_at is not None and now - row.claimed_at >= timedelta(seconds=self.silence)
        return row.id not in self.rows_in_hand and settled

    def _resume_step(self, row: OutboxRow) -> int:
        """The step after the last message of this row found in the DM's history, else where it stopped."""
        reply = decode(row.payload, row.id)
        client = self.client_for(row.member.team_id)
        if reply is None or client is None or row.done > len(reply.outcomes):
            return row.done
        channel = reply.channel or self._known_dm(row.member)
        if channel is None:
            return row.done
        try:
            arrived = delivered_keys(client, channel)
        except SLACK_FAILURES as error:  # resume where it stopped: a message may come twice, none is lost
            log.warning("could not read the history of %s: %s", channel, describe(error))
            return row.done
        steps: Sequence[int] = range(len(reply.outcomes), max(row.done, 1) - 1, -1)
        return next((step + 1 for step in steps if outbox_key(row.id, step) in arrived), row.done)

    def _known_dm(self, member: MemberKey) -> str | None:
        profile = self.store.member(member)
        return profile.dm_channel if profile is not None else None
