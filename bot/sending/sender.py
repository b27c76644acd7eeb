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
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sending import admin
from bot.sending.landing import delivery_for, dm_of, remember_posts
from bot.sending.outbox import DOORBELL, MAX_ATTEMPTS, Doorbell, Reply, backoff, decode, outbox_key
from bot.sending.policy import new_owner
from bot.settings import Settings
from bot.slack.delivery import Posted, SlackDelivery, changes_member_data
from bot.slack.dm import delivered_keys, send_metadata
from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, describe, error_code
from bot.slack.installations import clients_by_team, installation_store
from bot.store import DatabaseMoved, OutboxRow, Store
from bot.usecases.report import is_admin
from bot.usecases.services import Services
from bot.views.render import render, render_all
from flows.content import load_bundle
from flows.outcomes import AdminAsked, CheckinAsk, Notice, Outcome
from flows.plan_outcomes import PlanDocument
from flows.values import Clock, MemberKey, utc_now

log = logging.getLogger(__name__)
ClientFor = Callable[[str], WebClient | None]
RECOVERY_SECONDS = 5.0  # how often a sender beats its heartbeat and looks for orphaned rows
OWNER_SILENT_SECONDS = 30.0  # a claim whose owner has not beaten for this long is taken over


@dataclass
class Progress:
    """How far a row got: the next step to do, and the messages that landed on the way."""

    step: int
    posted: list[Posted] = field(default_factory=list)
    last: Posted | None = None  # the latest message that landed, for a scheduled send's record
    refused: int = 0  # messages Slack refused for good (each logged)
    home: Callable[[], None] | None = None  # App Home to publish once the row is done


class PassingFailure(Exception):
    """Slack could not take it now; the row is tried again later."""


def is_passing(error: Exception) -> bool:
    """Slack may well take it a little later (the one classifier's reading of the failure)."""
    return classify(error) in (SlackFault.TRANSIENT, SlackFault.UNCERTAIN)


def timed_out(error: Exception) -> bool:
    reason = getattr(error, "reason", None)
    return isinstance(error, TimeoutError) or isinstance(reason, TimeoutError)


class Sender:
    """One claiming loop hands due rows to a pool of I/O threads sized for Slack's latency (a thread
    waiting on Slack costs no lock and almost no CPU), at most ``per_workspace`` of them per workspace,
    so one workspace's slow or rate-limited calls never hold another's replies."""

    def __init__(
        self,
        services: Services,
        client_for: ClientFor,
        workers: int = 64,
        per_workspace: int = 16,
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
        self.poll_seconds = poll_seconds
        self.recover = recover
        self.doorbell = doorbell
        self.wall_clock = wall_clock
        self.owner = new_owner()
        self._last_beat = float("-inf")
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.Condition()
        self._in_flight: Counter[str] = Counter()  # rows being sent, per workspace

    # Running

    def start(self) -> Sender:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sender-io")
        self._spawn(self._claim_loop, "sender-claims")
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
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _claim_loop(self) -> None:
        """Claim what is due, as many rows as there are free threads, and hand each to one of them."""
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

    def _claim_and_hand_out(self) -> int:
        with self._slots:
            while sum(self._in_flight.values()) >= self.workers and not self._stopping.is_set():
                self._slots.wait(self.poll_seconds)
            free = self.workers - sum(self._in_flight.values())
            full = [team for team, count in self._in_flight.items() if count >= self.per_workspace]
        self.beat()
        rows = self.store.claim_outbox_rows(self.owner, self.services.clock(), self.wall_clock(), free, full)
        for row in rows:
            with self._slots:
                self._in_flight[row.member.team_id] += 1
            assert self._pool is not None
            self._pool.submit(self._send_handed_out, row)
        return len(rows)

    def _send_handed_out(self, row: OutboxRow) -> None:
        try:
            self.send_row(row)
        except Exception:  # a bug in one row must not stop the sender
            log.exception("sending outbox row %d failed", row.id)
        finally:
            with self._slots:
                self._in_flight[row.member.team_id] -= 1
                self._slots.notify()
            self.doorbell.ring()  # the member's next row (or another's) may be due now

    def _recovery_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.beat()
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

    def beat(self) -> None:
        """Tell the other senders this one is alive (its claims are not to be taken over)."""
        now = self.wall_clock()
        if now - self._last_beat >= RECOVERY_SECONDS:
            self.store.beat(self.owner, now)
            self._last_beat = now

    def send_next(self) -> int:
        """Claim one due row and send it here; how many were sent (0 or 1)."""
        self.beat()
        rows = self.store.claim_outbox_rows(self.owner, self.services.clock(), self.wall_clock(), 1)
        for row in rows:
            self.send_row(row)
        return len(rows)

    def send_row(self, row: OutboxRow) -> None:
        """Send one row, then record its fate and where its last message landed in one transaction;
        App Home, when the row changed what it shows, is published after that, off the member's queue."""
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
        with self.store.unit_of_work():  # where the last message landed, and the row's fate
            remember_posts(self.services, progress.posted)
            settle()
        if progress.home is not None:
            progress.home()

    def _attempt(self, row: OutboxRow, reply: Reply, client: WebClient, progress: Progress) -> Callable[[], None]:
        """Send the row's steps; returns what to do with the row afterwards."""
        try:
            delivery = delivery_for(self.services, client, row.member)
            self._send_steps(row, reply, client, delivery, progress)
        except PassingFailure as error:
            return partial(self._give_back, row, reply, progress.step, str(error))
        except (SlackApiError, OSError) as error:
            return self._after_failure(row, reply, progress, error)
        except Exception:
            log.exception("outbox row %d failed at step %d", row.id, progress.step)
            return partial(self._give_back, row, reply, progress.step, "an unexpected error")
        if changes_member_data(reply.outcomes):
            progress.home = partial(self._publish_home, delivery, row.member)
        return partial(self._landed, row, reply, progress)

    def _after_failure(
        self, row: OutboxRow, reply: Reply, progress: Progress, error: SlackApiError | OSError
    ) -> Callable[[], None]:
        """What a Slack failure means for the row: look it up later, try again, stop, or drop it."""
        if timed_out(error):
            log.warning("outbox row %d step %d timed out; recovery looks for it", row.id, progress.step)
            return partial(self.store.mark_outbox_uncertain, row.id, progress.step)
        match classify(error):
            case SlackFault.TRANSIENT | SlackFault.UNCERTAIN:
                return partial(self._give_back, row, reply, progress.step, describe(error))
            case SlackFault.GONE_MEMBER:
                log.warning("member %s stopped: Slack answered %s", row.member, error_code(error))
                return partial(self._member_gone, row, reply, error_code(error))
            case SlackFault.REVOKED_WORKSPACE:
                # The token is dead, not the message: it waits for the workspace to be back (a new token).
                log.warning("workspace %s stopped: Slack answered %s", row.member.team_id, error_code(error))
                return partial(self._workspace_stopped, row, reply, progress.step, error_code(error))
        log.warning("dropped outbox row %d at step %d: Slack answered %s", row.id, progress.step, describe(error))
        return partial(self._drop, row, reply, error_code(error))

    def _still_wanted(self, client: WebClient, row: OutboxRow, reply: Reply) -> bool:
        """A scheduled message asks Slack first: a DM only to a member Slack still has (their time zone
        and language learned afresh), a channel digest only while its creator is an owner or admin."""
        if reply.kind is None:
            return True
        try:
            user = client.users_info(user=row.member.user_id, include_locale=True).get("user") or {}
        except SlackApiError as error:
            if classify(error) is not SlackFault.GONE_MEMBER:
                return True  # the send itself will meet whatever this was, and be handled as a send
            user = {"deleted": True}
        if reply.channel is None:
            if user.get("deleted"):
                log.warning("member %s stopped: Slack says they are gone", row.member)
                self.services.profiles().stop(row.member, "deactivated")
                return False
            self.services.profiles().learn(row.member, user)
            return True
        if is_admin(user) and not user.get("deleted"):
            return True
        log.warning("digest in %s stopped: %s is no longer an admin", reply.channel, row.member.user_id)
        self.services.reports(row.member).stop_digest(row.member.team_id, reply.channel)
        return False

    def _publish_home(self, delivery: SlackDelivery, member: MemberKey) -> None:
        delivery.publish_home(member.user_id, self.services.home_tab(member))

    # The row's fate (each runs in the transaction that ends the row)

    def _landed(self, row: OutboxRow, reply: Reply, progress: Progress) -> None:
        self.store.finish_outbox_row(row.id)
        if reply.send_key is None:
            return
        if progress.last is None and progress.refused:  # Slack refused it for good (logged)
            self.store.mark_failed(reply.send_key, "refused")
        else:  # landed now, or found in the DM's history after a crash or a timeout
            last = progress.last
            channel, ts = (last.channel, last.ts) if last is not None else (reply.channel or "", "")
            self.store.mark_sent(reply.send_key, channel, ts, self.services.clock())

    def _drop(self, row: OutboxRow, reply: Reply | None, reason: str) -> None:
        self.store.finish_outbox_row(row.id)
        if reply is not None and reply.send_key is not None:
            self.store.mark_failed(reply.send_key, reason)

    def _member_gone(self, row: OutboxRow, reply: Reply, reason: str) -> None:
        self.services.profiles().stop(row.member, reason)
        self._drop(row, reply, reason)

    def _workspace_stopped(self, row: OutboxRow, reply: Reply, step: int, reason: str) -> None:
        self.services.workspaces().stop(row.member.team_id, reason)
        self._give_back(row, reply, step, reason)

    def _send_steps(
        self, row: OutboxRow, reply: Reply, client: WebClient, delivery: SlackDelivery, progress: Progress
    ) -> None:
        """Step 0 is the private reply, steps 1..n the outcomes; ``progress`` says what is done."""
        if progress.step == 0:
            if reply.private and reply.response_url:
                private = [
                    answered
                    for outcome in reply.private
                    for answered in (
                        admin.finish(self.services, delivery, row.member, outcome)
                        if isinstance(outcome, AdminAsked)
                        else [outcome]
                    )
                ]
                self._respond(reply.response_url, delivery, private)
            progress.step = 1
        if progress.step > len(reply.outcomes):
            return
        channel = reply.channel or self._dm(client, row.member, delivery, reply)
        if channel is None:
            return
        for index, kept in enumerate(reply.outcomes[progress.step - 1 :], start=progress.step):
            outcome = self._current(kept, row.member)
            if outcome is None:
                progress.step = index + 1
                continue
            try:
                landed = delivery.send(channel, outcome, reply.clicked, send_metadata(outbox_key(row.id, index)))
            except SlackApiError as error:
                if classify(error) is not SlackFault.REFUSED or timed_out(error):
                    raise
                log.warning("Slack refused %s for %s: %s", type(outcome).__name__, channel, describe(error))
                progress.refused += 1
                landed = None
            progress.step = index + 1
            progress.last = landed or progress.last
            if landed is not None and index < len(reply.outcomes):
                # Recorded as soon as Slack has it, before the next step: where a question landed is
                # known by the time the member can answer it, and App Home (last) shows it.
                remember_posts(self.services, [landed])
            elif landed is not None:
                progress.posted.append(landed)  # the last step: recorded with the row's end, one write

    def _current(self, outcome: Outcome, member: MemberKey) -> Outcome | None:
        """The plan document as it stands when it is sent, not when the request was acknowledged: an
        earlier row of the member's (sent first) may have created their canvas meanwhile, and this one
        must edit that canvas rather than make a second."""
        if isinstance(outcome, PlanDocument):
            return self.services.plans(member).document(member)
        if isinstance(outcome, CheckinAsk) and outcome.send_key is None:  # a scheduled one: the stage now
            return self.services.journey().current_checkin(member, outcome)
        return outcome

    def _respond(self, url: str, delivery: SlackDelivery, outcomes: list[Outcome]) -> None:
        rendered = render_all(delivery.bundle, outcomes)
        response = Respond(response_url=url)(text=rendered.text, blocks=rendered.block_dicts())
        if response.status_code == 429 or response.status_code >= 500:
            raise PassingFailure(f"response_url answered {response.status_code}")
        if response.status_code != 200:
            log.warning("response_url refused the reply: %s", response.status_code)

    def _dm(self, client: WebClient, member: MemberKey, delivery: SlackDelivery, reply: Reply) -> str | None:
        try:
            return dm_of(self.services, client, member)
        except SlackApiError as error:
            if is_passing(error):
                raise
            log.warning("could not open a DM with %s: %s", member, describe(error))
            if reply.response_url:
                Respond(response_url=reply.response_url)(text=render(delivery.bundle, Notice("dm_failed")).text)
            return None

    def _give_back(self, row: OutboxRow, reply: Reply | None, step: int, reason: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            log.warning("dropped outbox row %d after %d attempts: %s", row.id, row.attempts, reason)
            self._drop(row, reply, reason)
            return
        delay = backoff(row.attempts)
        log.info("outbox row %d: %s; trying again in %.0f s", row.id, reason, delay)
        self.store.retry_outbox_row(row.id, step, self.wall_clock() + delay)

    # Rows left claimed by a process that died, or by a send that timed out

    def recover_orphans(self, now: datetime) -> int:
        """Rows claimed by a sender that stopped beating (it died, or froze), or whose send timed out."""
        recovered = 0
        alive = self.store.live_senders(self.wall_clock() - OWNER_SILENT_SECONDS) | {self.owner}
        for row in self.store.claimed_outbox_rows():
            if row.owner in alive:
                continue
            if row.owner is None or not self.store.take_over_outbox_row(row.id, row.owner, self.owner):
                continue
            self.store.retry_outbox_row(row.id, self._resume_step(row), 0)
            recovered += 1
        if recovered:
            self.doorbell.ring(recovered)
        return recovered

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


def make_sender(settings: Settings, store: Store, clock: Clock = utc_now, **options: Any) -> Sender:
    """A sender for ``coach run`` (a thread of it) or ``coach send`` (a process of its own)."""
    installations = installation_store(settings, store)
    services = Services(store=store, bundle=load_bundle(), clock=clock, installations=installations)
    return Sender(services, clients_by_team(settings, installations), **options)
