"""Sends the outbox: each member's rows in order, members in parallel, every message once.

One claiming loop claims due rows (each the oldest of its member's queue), as many as there are free
I/O threads, and hands each to one: its steps go in order (the private reply through
``response_url``, then each outcome to the DM), the row is deleted, and App Home follows when the
row changed what it shows. Failures and recovery: ``bot.sending.fates``, ``bot.sending.recovery``.
``coach run`` rings the loop right after each commit; a short poll catches other processes' rows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sending import admin
from bot.sending.fates import RowFates
from bot.sending.holds import WorkspaceHolds
from bot.sending.landing import as_it_stands, delivery_for, dm_of, landing_records, remember_posts, republishes_home
from bot.sending.outbox import DOORBELL, Doorbell, Reply, decode, outbox_key
from bot.sending.policy import new_owner
from bot.sending.progress import PassingFailure, Progress, RowWithdrawn, is_passing, timed_out
from bot.sending.recovery import OWNER_SILENT_SECONDS, OrphanRecovery
from bot.settings import Settings
from bot.slack.canvases import delete_canvases
from bot.slack.delivery import SlackDelivery
from bot.slack.dm import send_metadata
from bot.slack.errors import SlackFault, classify, describe
from bot.slack.installations import clients_by_team, installation_store
from bot.store import DatabaseMoved, OutboxRow
from bot.store.factory import AnyStore
from bot.usecases.profiles import Contact
from bot.usecases.services import Services
from bot.views.render import render
from flows.content import load_bundle
from flows.outcomes import Notice
from flows.values import Clock, MemberKey, utc_now

log = logging.getLogger(__name__)
ClientFor = Callable[[str], WebClient | None]
RECOVERY_SECONDS = 5.0  # how often a sender beats its heartbeat and looks for orphaned rows, at most
DRAIN_WAITS_AT_MOST = 60.0  # a draining tick waits out a rate limit this long; a longer one is left queued


class Sender(RowFates, OrphanRecovery):
    """One claiming loop hands due rows to a pool of I/O threads sized for Slack's latency (a thread
    waiting on Slack costs no lock and almost no CPU), at most ``per_workspace`` of them per workspace,
    so one workspace's slow or rate-limited calls never hold another's replies."""

    def __init__(
        self,
        services: Services,
        client_for: ClientFor,
        workers: int = 128,
        per_workspace: int = 96,
        silence: float = OWNER_SILENT_SECONDS,
        poll_seconds: float = 0.5,
        recover: bool = True,
        doorbell: Doorbell = DOORBELL,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.services = services
        self.store = services.store
        self.client_for = client_for
        self.workers = workers
        self.per_workspace = per_workspace
        self.silence = silence
        self.beat_every = min(RECOVERY_SECONDS, silence / 3)  # three beats at least before it is taken for dead
        self.poll_seconds = poll_seconds
        self.recover = recover
        self.doorbell = doorbell
        self.wall_clock = wall_clock
        self.owner = new_owner()
        self.holds = WorkspaceHolds(wall_clock)
        self.wall_clock_beaten = float("-inf")
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.Condition()
        self._in_flight: Counter[str] = Counter()  # rows being sent, per workspace
        self.rows_in_hand: set[int] = set()  # and which: a claimed row of ours not here was left behind

    # Running

    def start(self) -> Sender:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sender-io")
        self._spawn(self._claim_loop, "sender-claims")
        if self.recover:
            self._spawn(self._heartbeat_loop, "sender-heartbeat")
            self._spawn(self._recovery_loop, "sender-recovery")
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        self._threads.append(thread := threading.Thread(target=target, name=name, daemon=True))
        thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.doorbell.ring(len(self._threads))
        for thread in self._threads:
            thread.join(timeout=10)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _claim_loop(self) -> None:
        """Claim what is due, as many rows as there are free threads, and hand each to one of them;
        then wait for a ring (a row added, or one ended with another behind it) or the next poll,
        unless every free thread got a row, so that more may be due already."""
        while not self._stopping.is_set():
            try:
                if not self._claim_and_hand_out():
                    self.doorbell.wait(self.poll_seconds)
            except DatabaseMoved as moved:  # nothing sent can be recorded; the health check reports it
                log.error("sending stopped: %s", moved)
                self._stopping.wait(self.poll_seconds)
            except Exception:  # a bug in one row must not stop the sender
                log.exception("claiming outbox rows failed")
                self._stopping.wait(self.poll_seconds)

    def _claim_and_hand_out(self) -> bool:
        with self._slots:
            while sum(self._in_flight.values()) >= self.workers and not self._stopping.is_set():
                self._slots.wait(self.poll_seconds)
            free = self.workers - sum(self._in_flight.values())
            full = [team for team, count in self._in_flight.items() if count >= self.per_workspace]
        full += self.holds.held()
        self.beat()
        rows = self.store.claim_outbox_rows(self.owner, self.services.clock(), self.wall_clock(), free, full)
        for row in rows:
            with self._slots:
                self.rows_in_hand.add(row.id)
                self._in_flight[row.member.team_id] += 1
            assert self._pool is not None
            self._pool.submit(self._send_handed_out, row)
        return 0 < free == len(rows)

    def _send_handed_out(self, row: OutboxRow) -> None:
        look_again = True
        try:
            look_again = self.send_row(row)
        except DatabaseMoved as moved:  # its ending cannot be recorded: recovery resumes it later
            log.error("outbox row %d: %s", row.id, moved)
        except Exception:  # a bug in one row must not stop the sender; recovery resumes the row
            log.exception("sending outbox row %d failed", row.id)
        finally:
            with self._slots:
                self.rows_in_hand.discard(row.id)
                was_full = self._in_flight[row.member.team_id] >= self.per_workspace
                self._in_flight[row.member.team_id] -= 1
                self._slots.notify()
            if look_again or was_full:  # the member's next row, or the workspace's, may be due now
                self.doorbell.ring()

    def drain(self, longest_hold: float = DRAIN_WAITS_AT_MOST) -> int:
        """Send every row that is due now, one after another, waiting out a workspace's rate limit of up
        to ``longest_hold`` seconds; how many were taken (``coach tick``, ``coach send --once``)."""
        sent = 0
        while True:
            if taken := self.send_next():
                sent += taken
                continue
            wait = self.holds.seconds_to_next_release()
            if wait is None or wait > longest_hold:
                return sent
            self._stopping.wait(wait)
            self.holds.release_next()

    # One row

    def send_next(self) -> int:
        """Claim one due row and send it here; how many were sent (0 or 1)."""
        self.beat()
        rows = self.store.claim_outbox_rows(self.owner, self.services.clock(), self.wall_clock(), 1, self.holds.held())
        for row in rows:
            self.send_row(row)
        return len(rows)

    def send_row(self, row: OutboxRow) -> bool:
        """Send one row, then record its fate and where its last message landed in one transaction;
        App Home, when the row changed what it shows, is published after that, off the member's queue.
        False when the row ended with none of its member's rows waiting behind it: no need to look
        for more at once (a new row rings the doorbell itself)."""
        reply = decode(row.payload, row.id)
        client = self.client_for(row.member.team_id)
        progress = Progress(row.done)
        if reply is None:
            settle: Callable[[], None] = partial(self._drop, row, reply, "unreadable")
        elif client is None:
            settle = partial(self._give_back, row, reply, row.done, f"no token for workspace {row.member.team_id} yet")
        elif reply.expires is not None and self.wall_clock() >= reply.expires:
            log.info("dropped outbox row %d: its %s is too late to send now", row.id, reply.kind)
            settle = partial(self._drop, row, reply, "expired")
        elif not self._still_wanted(client, row, reply):
            settle = partial(self._drop, row, reply, "no_longer_wanted")
        else:
            settle = self._attempt(row, reply, client, progress)
        records = landing_records(self.services, progress.posted)
        with self.store.unit_of_work() if records else nullcontext():  # where the last message landed, and the fate
            for record in [*records, settle]:  # each fate is atomic by itself (a transaction when it writes twice)
                record()
        if progress.home is not None:
            progress.home()
        return progress.queued_behind is not False

    def _attempt(self, row: OutboxRow, reply: Reply, client: WebClient, progress: Progress) -> Callable[[], None]:
        """Send the row's steps; returns what to do with the row afterwards."""
        try:
            contact = self.services.profiles().contact(row.member)
            # wanted as of its claim, unless Slack was asked first (``_still_wanted``, a new member's language)
            progress.wanted_known = reply.kind is None and contact.bundle is not None
            delivery = delivery_for(self.services, client, row.member, contact)
            self._send_steps(row, reply, delivery, progress, contact)
        except RowWithdrawn:
            log.info("outbox row %d was withdrawn while it was sent (its member was forgotten)", row.id)
            return partial(self._drop, row, None, "withdrawn")
        except PassingFailure as error:
            return partial(self._give_back, row, reply, progress.step, str(error))
        except (SlackApiError, OSError) as error:
            return self._after_failure(row, reply, progress, error)
        except Exception:
            log.exception("outbox row %d failed at step %d", row.id, progress.step)
            return partial(self._give_back, row, reply, progress.step, "an unexpected error")
        if republishes_home(reply.outcomes, partial(self.services.profiles().keeps_home, row.member)):
            progress.home = partial(self._publish_home, delivery, row.member)
        return partial(self._landed, row, reply, progress)

    def _send_steps(
        self, row: OutboxRow, reply: Reply, delivery: SlackDelivery, progress: Progress, contact: Contact
    ) -> None:
        """Step 0 is the private reply, steps 1..n the outcomes; ``progress`` says what is done. A row
        deleted meanwhile (its member asked to be forgotten) stops before its next message (it is
        looked up again once Slack has been called since the claim), and a canvas it had just made is
        deleted again."""
        if progress.step == 0:
            if reply.private and reply.response_url:
                admin.answer_privately(self.services, row.member, reply.private, reply.response_url, delivery)
                progress.wanted_known = False
            progress.step = 1
        if progress.step > len(reply.outcomes):
            return
        progress.wanted_known = progress.wanted_known and bool(reply.channel or contact.dm_channel)
        channel = reply.channel or self._dm(row.member, delivery, reply, contact)
        if channel is None:
            return
        for index, kept in enumerate(reply.outcomes[progress.step - 1 :], start=progress.step):
            if not progress.wanted_known and not self.store.outbox_row_wanted(row.id):
                raise RowWithdrawn(row.id)
            outcome = as_it_stands(self.services, kept, row.member)
            if outcome is None:
                progress.step = index + 1
                continue
            progress.wanted_known = False
            try:
                landed = delivery.send(channel, outcome, reply.clicked, send_metadata(outbox_key(row.id, index)))
            except SlackApiError as error:
                if classify(error) is not SlackFault.REFUSED or timed_out(error):
                    raise
                log.warning("Slack refused %s for %s: %s", type(outcome).__name__, channel, describe(error))
                progress.refused += 1
                landed = None
            progress.step = index + 1
            if landed is not None and landed.placed is not None and not self.store.outbox_row_wanted(row.id):
                delete_canvases(delivery.client, (landed.placed.canvas_id,))  # made for a member forgotten meanwhile
                raise RowWithdrawn(row.id)
            progress.last = landed or progress.last
            if landed is not None and index < len(reply.outcomes):
                # Recorded as soon as Slack has it, before the next step (the close of the answered
                # question, which may take long): a typed answer finds where the question is, and a
                # later step edits the canvas or List this one made rather than make a second.
                remember_posts(self.services, [landed])
            elif landed is not None:
                progress.posted.append(landed)  # the last step: recorded with the row's end, one write

    def _dm(self, member: MemberKey, delivery: SlackDelivery, reply: Reply, contact: Contact) -> str | None:
        try:
            return dm_of(self.services, delivery.client, member, contact)
        except SlackApiError as error:
            if is_passing(error):
                raise
            log.warning("could not open a DM with %s: %s", member, describe(error))
            if reply.response_url:
                Respond(response_url=reply.response_url)(text=render(delivery.bundle, Notice("dm_failed")).text)
            return None

def make_sender(settings: Settings, store: AnyStore, clock: Clock = utc_now, **options: Any) -> Sender:
    """A sender for ``coach run`` (a thread of it) or ``coach send`` (a process of its own)."""
    installations = installation_store(settings, store)
    services = Services(store=store, bundle=load_bundle(), clock=clock, installations=installations)
    options.setdefault("silence", settings.coach_sender_silence_seconds)
    return Sender(services, clients_by_team(settings, installations, wait_out_rate_limits=False), **options)
