"""Sends the outbox: each member's rows in order, members in parallel, every reply once.

Worker threads claim a row (the oldest row of a member with nothing earlier still unsent), send its
steps in order (the private reply through ``response_url``, then each outcome to the DM, then App
Home when the step changed what it shows), and delete it. A passing failure gives the row back with
a growing delay, keeping what was already done; a permanent one is logged and the rest goes out. A
row claimed by a process that died, or whose send timed out, is checked against the DM's history
(each new message carries the row's key as metadata) and resumed after what already arrived.
``coach run`` wakes the workers right after each commit; a short poll catches rows committed by
other processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.reply import delivery_for, remember_posts
from bot.sending.outbox import DOORBELL, MAX_ATTEMPTS, Doorbell, Reply, backoff, decode, outbox_key
from bot.sending.policy import owner_is_gone, process_owner
from bot.settings import Settings
from bot.slack.client import KeepAliveWebClient
from bot.slack.delivery import Posted, SlackDelivery, changes_member_data
from bot.slack.dm import delivered_keys, dm_channel, send_metadata
from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, describe
from bot.slack.installations import clients_by_team, installation_store
from bot.store import OutboxRow, Store
from bot.usecases.services import Services
from bot.views.render import render, render_all
from flows.content import load_bundle
from flows.outcomes import Notice, Outcome
from flows.plan_outcomes import PlanDocument
from flows.values import Clock, MemberKey, utc_now

log = logging.getLogger(__name__)
ClientFor = Callable[[str], WebClient | None]
RECOVERY_SECONDS = 5.0


@dataclass
class Progress:
    """How far a row got: the next step to do, and the messages that landed on the way."""

    step: int
    posted: list[Posted] = field(default_factory=list)


class PassingFailure(Exception):
    """Slack could not take it now; the row is tried again later."""


def is_passing(error: Exception) -> bool:
    """Slack may well take it a little later (the one classifier's reading of the failure)."""
    return classify(error) in (SlackFault.TRANSIENT, SlackFault.UNCERTAIN)


def timed_out(error: Exception) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(error, TimeoutError) or isinstance(reason, TimeoutError)


class Sender:
    def __init__(
        self,
        services: Services,
        client_for: ClientFor,
        workers: int = 6,
        poll_seconds: float = 0.5,
        recover: bool = True,
        doorbell: Doorbell = DOORBELL,
    ) -> None:
        self.services = services
        self.store = services.store
        self.client_for = client_for
        self.workers = workers
        self.poll_seconds = poll_seconds
        self.recover = recover
        self.doorbell = doorbell
        self.owner = process_owner()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: dict[int, WebClient] = {}  # what it sent with, to close their connections

    # Running

    def start(self) -> Sender:
        for number in range(self.workers):
            self._spawn(self._work, f"sender-{number}")
        if self.recover:
            self._spawn(self._recovery_loop, "sender-recovery")
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        self.doorbell.ring(len(self._threads))
        for thread in self._threads:
            thread.join(timeout=10)
        for client in self._clients.values():
            if isinstance(client, KeepAliveWebClient):
                client.close()

    def _client(self, team_id: str) -> WebClient | None:
        client = self.client_for(team_id)
        if client is not None:
            self._clients.setdefault(id(client), client)
        return client

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                if not self.send_next():
                    self.doorbell.wait(self.poll_seconds)
            except Exception:  # a bug in one row must not stop the sender
                log.exception("sending an outbox row failed")
                self._stopping.wait(self.poll_seconds)

    def _recovery_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.recover_orphans(self.services.clock())
            except Exception:
                log.exception("outbox recovery failed")
            self._stopping.wait(RECOVERY_SECONDS)

    def drain(self) -> int:
        """Send every row that is due now, one after another; how many were taken (``coach send --once``)."""
        sent = 0
        while taken := self.send_next():
            sent += taken
        return sent

    # One row

    def send_next(self) -> int:
        """Claim a due row and send it, then the rows claimed as each one ends; how many were sent."""
        row = self.store.claim_outbox_row(self.owner, self.services.clock(), time.time())
        sent = 0
        while row is not None:
            row = self.send_row(row)
            sent += 1
        return sent

    def send_row(self, row: OutboxRow) -> OutboxRow | None:
        """Send one row; returns the next due row, claimed in the same transaction as this one's end
        (one write instead of two per reply under load)."""
        reply = decode(row.payload, row.id)
        client = self._client(row.member.team_id)
        if reply is None or client is None:
            if client is None:
                log.warning("dropped outbox row %d: no token for workspace %s", row.id, row.member.team_id)
            self.store.finish_outbox_row(row.id)
            return None
        progress = Progress(row.done)
        settle = self._attempt(row, reply, client, progress)
        with self.store.unit_of_work():  # where the last message landed, the row's fate, the next row
            remember_posts(self.services, progress.posted)
            settle()
            return self.store.claim_outbox_row(self.owner, self.services.clock(), time.time())

    def _attempt(self, row: OutboxRow, reply: Reply, client: WebClient, progress: Progress) -> Callable[[], None]:
        """Send the row's steps; returns what to do with the row afterwards."""
        try:
            delivery = delivery_for(self.services, client, row.member)
            self._send_steps(row, reply, client, delivery, progress)
        except PassingFailure as error:
            return partial(self._give_back, row, progress.step, str(error))
        except (SlackApiError, OSError) as error:
            if timed_out(error):
                log.warning("outbox row %d step %d timed out; recovery looks for it", row.id, progress.step)
                return partial(self.store.mark_outbox_uncertain, row.id, progress.step)
            if is_passing(error):
                return partial(self._give_back, row, progress.step, describe(error))
            log.warning("dropped outbox row %d at step %d: Slack answered %s", row.id, progress.step, describe(error))
        except Exception:
            log.exception("outbox row %d failed at step %d", row.id, progress.step)
            return partial(self._give_back, row, progress.step, "an unexpected error")
        else:
            if changes_member_data(reply.outcomes):
                delivery.publish_home(row.member.user_id, self.services.home_tab(row.member))
        return partial(self.store.finish_outbox_row, row.id)

    def _send_steps(
        self, row: OutboxRow, reply: Reply, client: WebClient, delivery: SlackDelivery, progress: Progress
    ) -> None:
        """Step 0 is the private reply, steps 1..n the outcomes; ``progress`` says what is done."""
        if progress.step == 0:
            if reply.private and reply.response_url:
                self._respond(reply.response_url, delivery, reply)
            progress.step = 1
        if progress.step > len(reply.outcomes):
            return
        channel = reply.channel or self._dm(client, row.member, delivery, reply)
        if channel is None:
            return
        for index, kept in enumerate(reply.outcomes[progress.step - 1 :], start=progress.step):
            outcome = self._current(kept, row.member)
            try:
                landed = delivery.send(channel, outcome, reply.clicked, send_metadata(outbox_key(row.id, index)))
            except SlackApiError as error:
                if is_passing(error) or timed_out(error):
                    raise
                log.warning("Slack refused %s for %s: %s", type(outcome).__name__, channel, describe(error))
                landed = None
            progress.step = index + 1
            if landed is not None and index < len(reply.outcomes):
                # Recorded as soon as Slack has it, before the next step: where a question landed is
                # known by the time the member can answer it, and App Home (last) shows it.
                remember_posts(self.services, [landed])
            elif landed is not None:
                progress.posted.append(landed)  # the last step: recorded with the row's end, one write

    def _current(self, outcome: Outcome, member: MemberKey) -> Outcome:
        """The plan document as it stands when it is sent, not when the request was acknowledged: an
        earlier row of the member's (sent first) may have created their canvas meanwhile, and this one
        must edit that canvas rather than make a second."""
        if isinstance(outcome, PlanDocument):
            return self.services.plans(member).document(member)
        return outcome

    def _respond(self, url: str, delivery: SlackDelivery, reply: Reply) -> None:
        rendered = render_all(delivery.bundle, list(reply.private))
        response = Respond(response_url=url)(text=rendered.text, blocks=rendered.block_dicts())
        if response.status_code == 429 or response.status_code >= 500:
            raise PassingFailure(f"response_url answered {response.status_code}")
        if response.status_code != 200:
            log.warning("response_url refused the reply: %s", response.status_code)

    def _dm(self, client: WebClient, member: MemberKey, delivery: SlackDelivery, reply: Reply) -> str | None:
        try:
            return dm_channel(self.store, client, member)
        except SlackApiError as error:
            if is_passing(error):
                raise
            log.warning("could not open a DM with %s: %s", member, describe(error))
            if reply.response_url:
                Respond(response_url=reply.response_url)(text=render(delivery.bundle, Notice("dm_failed")).text)
            return None

    def _give_back(self, row: OutboxRow, step: int, reason: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            log.warning("dropped outbox row %d after %d attempts: %s", row.id, row.attempts, reason)
            self.store.finish_outbox_row(row.id)
            return
        delay = backoff(row.attempts)
        log.info("outbox row %d: %s; trying again in %.0f s", row.id, reason, delay)
        self.store.retry_outbox_row(row.id, step, time.time() + delay)

    # Rows left claimed by a process that died, or by a send that timed out

    def recover_orphans(self, now: datetime) -> int:
        recovered = 0
        for row in self.store.claimed_outbox_rows():
            if row.owner is None or row.claimed_at is None or not owner_is_gone(row.owner, row.claimed_at, now):
                continue
            if not self.store.take_over_outbox_row(row.id, row.owner, self.owner):
                continue
            self.store.retry_outbox_row(row.id, self._resume_step(row), 0)
            recovered += 1
        if recovered:
            self.doorbell.ring(recovered)
        return recovered

    def _resume_step(self, row: OutboxRow) -> int:
        """The step after the last message of this row found in the DM's history, else where it stopped."""
        reply = decode(row.payload, row.id)
        client = self._client(row.member.team_id)
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


def make_sender(settings: Settings, store: Store, clock: Clock = utc_now, **options: Any) -> Sender:
    """A sender for ``coach run`` (a thread of it) or ``coach send`` (a process of its own)."""
    installations = installation_store(settings, store)
    services = Services(store=store, bundle=load_bundle(), clock=clock, installations=installations)
    return Sender(services, clients_by_team(settings, installations), **options)
