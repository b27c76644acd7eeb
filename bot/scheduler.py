"""Everything that is due on its own: weekly check-ins, unfinished-assessment nudges, placement invites.

One ``tick`` finds what is due as of an instant and sends it. Every send is claimed in the database
under a unique key (member, kind, period) before it goes out, so two ticks at once, two processes or
a restart never send anything twice. A claim whose process died mid-send is checked against the DM's
history (every send carries its key as message metadata) and is re-sent only if it never arrived.
Workspaces are served in parallel, each paced to about one message a second.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.journey import CHECKIN_KIND
from bot.profiles import Profiles
from bot.report import DIGEST_KIND, team_report
from bot.store import AssessmentRow, MemberRow, Store, send_key
from bot.views.render import rendered_message
from flows.content import Bundle
from flows.outcomes import CheckinAsk, Nudge, Outcome, Report, StageCards
from flows.schedule import (
    DEFAULT_TIME,
    DEFAULT_WEEKDAY,
    LATE_SEND_WINDOW,
    due_checkin,
    next_checkin,
    parse_clock,
    previous_checkin,
    week_key,
)
from flows.values import MemberKey

log = logging.getLogger(__name__)

NUDGE_KIND = "nudge"
INVITE_KIND = "invite"
FIRST_NUDGE_AFTER = timedelta(hours=24)
LAST_NUDGE_AFTER = timedelta(hours=72)
METADATA_EVENT = "coach_send"
ORPHAN_LEASE = timedelta(minutes=15)
BATCH_SIZE = 500
UNCERTAIN = "uncertain"
# Slack errors that mean this member can no longer be reached, or this workspace's token is dead.
MEMBER_GONE = frozenset({"user_not_found", "user_disabled", "cannot_dm_bot", "user_is_bot"})
WORKSPACE_GONE = frozenset(
    {"invalid_auth", "account_inactive", "token_revoked", "not_authed", "team_access_not_granted"}
)
ClientFor = Callable[[str], WebClient | None]


@dataclass(frozen=True)
class Job:
    member: MemberKey
    kind: str
    period: str
    outcomes: tuple[Outcome, ...]
    channel: str | None = None  # a channel to post in; None means the member's DM
    reader: MemberKey | None = None  # whose language it is written in, when not the member's

    @property
    def key(self) -> str:
        return send_key(self.member, self.kind, self.period)


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


def checkin_slot(now: datetime, member: MemberRow) -> datetime:
    """When this member's check-in is next owed: the latest slot if it is still fresh, else the next one."""
    at = parse_clock(member.checkin_time) or DEFAULT_TIME
    latest = previous_checkin(now, member.tz, member.checkin_weekday, at)
    return latest if now - latest < LATE_SEND_WINDOW else next_checkin(now, member.tz, member.checkin_weekday, at)


def weekly_job(store: Store, member: MemberRow, now: datetime) -> Job | None:
    """What a member whose weekly slot has come should get: a check-in, a one-off invite, or nothing."""
    slot = member.next_checkin_at
    if slot is None or now - slot >= LATE_SEND_WINDOW:
        return None  # missed by a day or more: skipped, not sent late
    if member.stage is not None:
        period = week_key(slot, member.tz)
        return Job(member.key, CHECKIN_KIND, period, (CheckinAsk(period, member.stage),))
    if store.has_completed_assessment(member.key) and not store.was_sent(member.key, INVITE_KIND):
        return Job(member.key, INVITE_KIND, "once", (StageCards(invite=True),))
    return None


def nudge_job(assessment: AssessmentRow, now: datetime, question_ids: Sequence[str]) -> Job | None:
    if assessment.state not in question_ids:
        return None
    last = now - assessment.updated_at >= LAST_NUDGE_AFTER
    number, total = question_ids.index(assessment.state) + 1, len(question_ids)
    owner = MemberKey(assessment.team_id, assessment.user_id)
    # One key per assessment and reminder: the 24 h one and the 72 h one, never a third.
    return Job(owner, NUDGE_KIND, f"{assessment.id}-{2 if last else 1}", (Nudge(number, total, last),))


def digest_jobs(store: Store, now: datetime, bundle: Bundle) -> list[Job]:
    jobs = []
    for digest in store.digests():
        due = due_checkin(now, digest["tz"], DEFAULT_WEEKDAY, DEFAULT_TIME)
        if due is not None:
            channel = MemberKey(digest["team_id"], digest["channel_id"])
            report = Report(team_report(store, bundle, digest["team_id"], now), digest=True)
            admin = MemberKey(digest["team_id"], digest["created_by"])
            jobs.append(Job(channel, DIGEST_KIND, due[0], (report,), channel=digest["channel_id"], reader=admin))
    return jobs


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


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_gone(owner: str, claimed_at: datetime, now: datetime) -> bool:
    """A claim's process is gone (a dead pid on this host, or an old claim from another host), or
    its send timed out and nobody knows whether it arrived."""
    if owner == UNCERTAIN:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return now - claimed_at >= ORPHAN_LEASE


class Scheduler:
    def __init__(
        self,
        store: Store,
        bundle: Bundle,
        client_for: ClientFor,
        pace_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        max_workspaces_in_parallel: int = 32,
        retention: timedelta = timedelta(days=30),
    ) -> None:
        self.store = store
        self.bundle = bundle
        self.client_for = client_for
        self.pace_seconds = pace_seconds
        self.sleep = sleep
        self.max_parallel = max_workspaces_in_parallel
        self.owner = process_owner()
        self.retention = retention

    def tick(self, now: datetime) -> TickReport:
        """Send everything due at ``now``, in batches found through indexes, then return what happened."""
        report = TickReport()
        for team_id in self.store.purge_stopped_workspaces(now - self.retention):
            log.info("deleted the data of workspace %s, uninstalled over %s ago", team_id, self.retention)
            report.note("purged_workspaces", team_id)
        self._recover_orphans(now, report)
        pacer = Pacer(self.pace_seconds, self.sleep)
        while batch := self.store.unscheduled_members(BATCH_SIZE):
            self.store.set_next_checkins([(m.key, checkin_slot(now, m)) for m in batch])
        while due := self.store.due_members(now, BATCH_SIZE):
            jobs = [job for member in due if (job := weekly_job(self.store, member, now)) is not None]
            self._run(jobs, now, report, pacer)
            # Rescheduled only once the batch is done: a crash before this leaves them due, and their
            # claims make the rerun skip whatever already went out.
            self.store.set_next_checkins([(m.key, self._following(now, m)) for m in due])
        question_ids = [q.id for q in self.bundle.assessment.questions]
        while stale := self.store.assessments_to_nudge(now, FIRST_NUDGE_AFTER, LAST_NUDGE_AFTER, BATCH_SIZE):
            jobs = [job for assessment in stale if (job := nudge_job(assessment, now, question_ids)) is not None]
            self._run(jobs, now, report, pacer)
            for assessment in stale:
                self.store.set_nudges_sent(assessment.id, 2 if now - assessment.updated_at >= LAST_NUDGE_AFTER else 1)
        self._run(digest_jobs(self.store, now, self.bundle), now, report, pacer)
        log.info("tick at %s: %s", now.isoformat(), report.summary())
        return report

    @staticmethod
    def _following(now: datetime, member: MemberRow) -> datetime:
        at = parse_clock(member.checkin_time) or DEFAULT_TIME
        return next_checkin(now, member.tz, member.checkin_weekday, at)

    def _run(self, jobs: Sequence[Job], now: datetime, report: TickReport, pacer: Pacer) -> None:
        """Run jobs, the workspaces in parallel, each workspace's in order and paced."""
        report.add(due=len(jobs))
        by_team: dict[str, list[Job]] = defaultdict(list)
        for job in jobs:
            by_team[job.member.team_id].append(job)
        if not by_team:
            return
        workers = max(1, min(self.max_parallel, len(by_team)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tick") as pool:
            list(pool.map(lambda team: self._run_workspace(team, by_team[team], now, report, pacer), by_team))

    # One workspace, paced

    def _run_workspace(
        self, team_id: str, jobs: Sequence[Job], now: datetime, report: TickReport, pacer: Pacer
    ) -> None:
        client = self.client_for(team_id)
        if client is None:
            log.warning("no token for workspace %s; its %d due sends wait", team_id, len(jobs))
            return
        for job in jobs:
            if not self.store.workspace_active(team_id):
                break
            pacer.wait(team_id)
            if not self.store.claim_send(job.key, job.member, job.kind, job.period, self.owner, now):
                report.add(already_claimed=1)
                continue
            self._send(client, job, now, report)

    def _send(self, client: WebClient, job: Job, now: datetime, report: TickReport) -> None:
        member = job.member
        try:
            if job.channel is None:
                user = client.users_info(user=member.user_id, include_locale=True).get("user") or {}
                if user.get("deleted"):
                    self._member_gone(job, "deactivated", report)
                    return
                row = self.store.member(member)
                learned = {
                    name: user[name]
                    for name in ("tz", "locale")
                    if user.get(name) and (row is None or getattr(row, name) != user[name])
                }
                if learned:
                    self.store.update_member(member, **learned)
            channel = job.channel or self._dm_channel(client, member)
            ts = ""
            bundle = Profiles(self.store).bundle_for(job.reader or member)
            for outcome in job.outcomes:
                text, blocks = rendered_message(bundle, outcome)
                response = client.chat_postMessage(
                    channel=channel, text=text, blocks=blocks, metadata=send_metadata(job.key)
                )
                ts = str(response.get("ts", ""))
            self.store.mark_sent(job.key, channel, ts, now)
            report.add(sent=1)
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown"))
            if code in MEMBER_GONE:
                self._member_gone(job, code, report)
            elif code in WORKSPACE_GONE:
                log.warning("workspace %s stopped: Slack answered %s", member.team_id, code)
                self.store.mark_failed(job.key, code)
                self.store.stop_workspace(member.team_id, code, now)
                report.note("stopped_workspaces", member.team_id)
            else:
                log.warning("send %s failed (%s); a later tick will try again", job.key, code)
                self.store.release_send(job.key)
                report.note("failed", f"{job.key}: {code}")
        except OSError as error:
            # A timeout leaves it unknown whether Slack posted the message. The claim stays, marked
            # uncertain, and the next tick looks in the DM's history before it sends again.
            log.warning("send %s did not complete (%s); the next tick checks whether it arrived", job.key, error)
            self.store.mark_uncertain(job.key)
            report.note("failed", f"{job.key}: {type(error).__name__}")

    def _member_gone(self, job: Job, reason: str, report: TickReport) -> None:
        log.warning("member %s:%s stopped: %s", job.member.team_id, job.member.user_id, reason)
        self.store.mark_failed(job.key, reason)
        self.store.deactivate_member(job.member, reason)
        report.note("stopped_members", f"{job.member.team_id}:{job.member.user_id}")

    def _dm_channel(self, client: WebClient, member: MemberKey) -> str:
        return dm_channel(self.store, client, member)

    # Claims left behind by a process that died mid-send

    def _recover_orphans(self, now: datetime, report: TickReport) -> None:
        for claim in self.store.pending_sends():
            claimed_at = datetime.fromisoformat(claim["claimed_at"])
            if not owner_is_gone(claim["owner"] or "", claimed_at, now):
                continue
            if not self.store.claim_orphan(claim["key"], claim["owner"], self.owner):
                continue
            client = self.client_for(claim["team_id"])
            member = MemberKey(claim["team_id"], claim["user_id"])
            delivered = client is not None and self._find_delivered(client, member, claim["key"])
            if delivered:
                channel, ts = delivered
                self.store.mark_sent(claim["key"], channel, ts, now)
                report.add(recovered=1)
            else:
                self.store.release_send(claim["key"])  # never arrived: due_jobs offers it again below

    def _find_delivered(self, client: WebClient, member: MemberKey, key: str) -> tuple[str, str] | None:
        row = self.store.member(member)
        if row is None or not row.dm_channel:
            return None
        ts = delivered_keys(client, row.dm_channel).get(key)
        return (row.dm_channel, ts) if ts is not None else None


# Shared with the outbox's sender (bot/sender.py): where a member's DM is, and what arrived in it.


def send_metadata(key: str) -> dict[str, Any]:
    """Message metadata carrying a send's key, so a send whose outcome is unknown can be looked up."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def delivered_keys(client: WebClient, channel: str, limit: int = 20) -> dict[str, str]:
    """The send keys found in the channel's latest messages, each with its message's ts."""
    try:
        history = client.conversations_history(channel=channel, limit=limit, include_all_metadata=True)
    except SlackApiError as error:
        log.warning("could not read the history of %s: %s", channel, error.response.get("error"))
        return {}
    found: dict[str, str] = {}
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        key = (metadata.get("event_payload") or {}).get("key")
        if metadata.get("event_type") == METADATA_EVENT and isinstance(key, str):
            found[key] = str(message.get("ts", ""))
    return found


def dm_channel(store: Store, client: WebClient, member: MemberKey) -> str:
    """The member's DM with the coach: remembered, or opened once (``conversations.open``)."""
    row = store.member(member)
    if row is not None and row.dm_channel:
        return row.dm_channel
    channel = str(client.conversations_open(users=member.user_id)["channel"]["id"])
    store.update_member(member, dm_channel=channel)
    return channel
