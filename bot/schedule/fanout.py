"""The paced fan-out of scheduled sends: workspaces in parallel, each workspace's jobs in order at
about one message per ``COACH_SEND_INTERVAL``. Every send is claimed under its unique key (with a
lease) before it goes out, re-read just before posting, and either marked sent, kept due for a retry
after a backoff (a passing failure), or given up (the member or the workspace is gone)."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.schedule.due import Job
from bot.sending.policy import CLAIM_LEASE_SECONDS, MAX_ATTEMPTS, Results, retry_backoff
from bot.slack.dm import dm_channel, send_metadata
from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, describe, error_code
from bot.store import Store
from bot.usecases.journey import CHECKIN_KIND
from bot.usecases.profiles import Profiles
from bot.usecases.report import DIGEST_KIND, is_admin
from bot.views.render import rendered_message
from flows.content import Bundle, load_bundle
from flows.outcomes import CheckinAsk, Outcome
from flows.values import ChannelKey, MemberKey

log = logging.getLogger(__name__)
ClientFor = Callable[[str], WebClient | None]


@dataclass
class TickReport:
    due: int = 0
    sent: int = 0
    already_claimed: int = 0
    recovered: int = 0
    failed: list[str] = field(default_factory=list)
    stopped_members: list[str] = field(default_factory=list)
    stopped_workspaces: list[str] = field(default_factory=list)
    purged_workspaces: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def note(self, name: str, value: str) -> None:
        with self._lock:
            getattr(self, name).append(value)

    def summary(self) -> str:
        return (
            f"due {self.due}, sent {self.sent}, already claimed {self.already_claimed}, recovered {self.recovered},"
            f" failed {len(self.failed)}, members stopped {len(self.stopped_members)},"
            f" workspaces stopped {len(self.stopped_workspaces)}"
        )


class Pacer:
    """About one message per ``interval`` per workspace, on a fixed-rate clock rather than a sleep
    after each send, so the time a send takes does not stretch the pace."""

    def __init__(self, interval: float, sleep: Callable[[float], None]) -> None:
        self.interval = interval
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, team_id: str) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(self._next.get(team_id, now), now)
            self._next[team_id] = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


class Fanout:
    def __init__(
        self,
        store: Store,
        client_for: ClientFor,
        owner: str,
        wall_clock: Callable[[], float],
        max_workspaces_in_parallel: int,
    ) -> None:
        self.store = store
        self.client_for = client_for
        self.owner = owner
        self.wall_clock = wall_clock
        self.max_parallel = max_workspaces_in_parallel

    def run(self, jobs: Sequence[Job], now: datetime, report: TickReport, pacer: Pacer) -> set[str]:
        """Run jobs, the workspaces in parallel, each workspace's in order and paced; returns the
        keys of the jobs that must stay due."""
        report.add(due=len(jobs))
        results = Results()
        by_team: dict[str, list[Job]] = defaultdict(list)
        for job in jobs:
            by_team[job.recipient.team_id].append(job)
        if not by_team:
            return results.keep_due
        workers = max(1, min(self.max_parallel, len(by_team)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tick") as pool:
            list(pool.map(lambda team: self._run_workspace(team, by_team[team], now, report, pacer, results), by_team))
        return results.keep_due

    def _run_workspace(
        self, team_id: str, jobs: Sequence[Job], now: datetime, report: TickReport, pacer: Pacer, results: Results
    ) -> None:
        client = self.client_for(team_id)
        if client is None:
            log.warning("no token for workspace %s; its %d due sends wait and are tried again", team_id, len(jobs))
            for job in jobs:
                self._retry_later(job, now, "no token yet", report, results)
            return
        for job in jobs:
            if not self.store.workspace_active(team_id):
                # Stopped (its token revoked, or rotated away) part-way: the rest stay due, to go out
                # once the workspace is back, not skipped for the week.
                results.keep(job.key)
                continue
            if self.store.retry_waiting(job.key, now):
                results.keep(job.key)
                continue
            pacer.wait(team_id)
            lease_until = self.wall_clock() + CLAIM_LEASE_SECONDS
            in_dm = job.channel is None
            if not self.store.claim_send_leased(
                job.key, job.recipient, job.kind, job.period, self.owner, now, lease_until, require_member=in_dm
            ):
                # Someone else is sending it right now (their result decides), it went already, or the
                # member was forgotten since the batch was read.
                if self.store.send_status(job.key) == "pending":
                    results.keep(job.key)
                report.add(already_claimed=1)
                continue
            self._send(client, job, now, report, results)

    def _retry_later(self, job: Job, now: datetime, reason: str, report: TickReport, results: Results) -> None:
        attempts = self.store.record_retry(job.key, now, retry_backoff)
        report.note("failed", f"{job.key}: {reason}")
        if attempts >= MAX_ATTEMPTS:
            log.warning("send %s failed %d times (%s); given up", job.key, attempts, reason)
            return
        log.warning("send %s failed (%s); tried again in %s", job.key, reason, retry_backoff(attempts))
        results.keep(job.key)

    def _current_outcomes(self, job: Job, member: MemberKey) -> tuple[Outcome, ...] | None:
        """Re-read just before posting: None if the member was forgotten or unplaced since the batch
        was read; a check-in always quotes the stage stored now."""
        row = self.store.member(member)
        if row is None:
            return None
        if job.kind == CHECKIN_KIND:
            return (CheckinAsk(job.period, row.stage),) if row.stage is not None else None
        return job.outcomes

    def _creator_still_admin(self, client: WebClient, job: Job, channel: ChannelKey) -> bool:
        """A channel digest goes out only while whoever set it up is still an owner or admin."""
        if job.kind != DIGEST_KIND or job.reader is None:
            return True
        user = client.users_info(user=job.reader.user_id).get("user") or {}
        if is_admin(user) and not user.get("deleted"):
            return True
        log.warning("digest in %s stopped: %s is no longer an admin", channel.channel_id, job.reader.user_id)
        self.store.mark_failed(job.key, "creator_not_admin")
        self.store.remove_digest(channel.team_id, channel.channel_id)
        return False

    def _send(self, client: WebClient, job: Job, now: datetime, report: TickReport, results: Results) -> None:
        try:
            prepared = self._prepare(client, job, report)
            if prepared is None:
                return
            channel, outcomes, bundle = prepared
            ts = ""
            for outcome in outcomes:
                text, blocks = rendered_message(bundle, outcome)
                response = client.chat_postMessage(
                    channel=channel, text=text, blocks=blocks, metadata=send_metadata(job.key)
                )
                ts = str(response.get("ts", ""))
            self.store.mark_sent(job.key, channel, ts, now)
            self.store.clear_retry(job.key)
            report.add(sent=1)
        except SLACK_FAILURES as error:
            self._failed(job, error, now, report, results)

    def _prepare(self, client: WebClient, job: Job, report: TickReport) -> tuple[str, Sequence[Outcome], Bundle] | None:
        """Where the job goes, what it says now and in which language; None when it is off."""
        profiles = Profiles(self.store)
        recipient = job.recipient
        if isinstance(recipient, ChannelKey):
            if not self._creator_still_admin(client, job, recipient):
                return None
            bundle = profiles.bundle_for(job.reader) if job.reader is not None else load_bundle()
            return recipient.channel_id, job.outcomes, bundle
        user = client.users_info(user=recipient.user_id, include_locale=True).get("user") or {}
        if user.get("deleted"):
            self._member_gone(job, "deactivated", report)
            return None
        profiles.learn(recipient, user)
        outcomes = self._current_outcomes(job, recipient)
        if outcomes is None:
            log.info("send %s dropped: the member was forgotten or unplaced meanwhile", job.key)
            self.store.release_send(job.key)
            return None
        return dm_channel(self.store, client, recipient), outcomes, profiles.bundle_for(recipient)

    def _failed(self, job: Job, error: BaseException, now: datetime, report: TickReport, results: Results) -> None:
        code = error_code(error)
        match classify(error):
            case SlackFault.GONE_MEMBER:
                self._member_gone(job, code, report)
            case SlackFault.REVOKED_WORKSPACE:
                # The token is dead, not the send: it stays due, to go out once the workspace is back.
                team_id = job.recipient.team_id
                log.warning("workspace %s stopped: Slack answered %s", team_id, code)
                self.store.release_send(job.key)
                results.keep(job.key)
                self.store.stop_workspace(team_id, code, now)
                report.note("stopped_workspaces", team_id)
            case SlackFault.TRANSIENT:
                self.store.release_send(job.key)
                self._retry_later(job, now, describe(error), report, results)
            case SlackFault.UNCERTAIN:
                # Unknown whether Slack posted it. The claim stays, marked uncertain; the next tick
                # looks in the DM's history before it sends again, after the same backoff.
                self.store.mark_uncertain(job.key)
                self._retry_later(job, now, describe(error), report, results)
            case SlackFault.REFUSED:
                log.warning("send %s refused for good: %s", job.key, describe(error))
                self.store.mark_failed(job.key, code)
                self.store.clear_retry(job.key)
                report.note("failed", f"{job.key}: {code}")

    def _member_gone(self, job: Job, reason: str, report: TickReport) -> None:
        self.store.mark_failed(job.key, reason)
        member = job.member
        if member is None:  # a channel's job: the send fails, nobody is stopped
            log.warning("send %s failed for good: %s", job.key, reason)
            return
        log.warning("member %s:%s stopped: %s", member.team_id, member.user_id, reason)
        self.store.deactivate_member(member, reason)
        report.note("stopped_members", f"{member.team_id}:{member.user_id}")
