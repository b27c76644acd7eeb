"""Everything that is due on its own: weekly check-ins, unfinished-assessment nudges, placement invites
and team digests.

One ``tick`` finds what is due as of an instant (``bot.schedule.due``) and queues it in the outbox, the
one way anything the coach says reaches Slack (``bot.sending``). Each scheduled message is claimed
under a unique key (recipient, kind, period) in the same transaction as its outbox row, so two ticks at
once, two processes or a restart never queue anything twice; the sender then sends it like any reply:
in order with the member's other messages, retried, and recovered from the DM's history after a crash.
``coach tick`` sends what it queued before it exits; ``coach run``'s sending process picks it up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from datetime import UTC, datetime, timedelta

from bot.schedule.due import FIRST_NUDGE_AFTER, LAST_NUDGE_AFTER, Job, digest_jobs, nudge_job, weekly_jobs
from bot.sending.outbox import Outbox, Reply
from bot.sending.sender import Sender
from bot.store import MemberRow
from bot.store.interfaces import CoachStore
from bot.store.outbox import CHANNEL_LANE
from bot.usecases.journey import Journey
from flows.content import Bundle
from flows.schedule import checkin_slot, following_checkin

log = logging.getLogger(__name__)
BATCH_SIZE = 500
SlotRule = Callable[[datetime, str | None, int, str], datetime]


def slot_of(now: datetime, member: MemberRow, rule: SlotRule) -> datetime:
    return rule(now, member.tz, member.checkin_weekday, member.checkin_time)


@dataclass
class TickReport:
    due: int = 0
    queued: int = 0
    already_claimed: int = 0
    sent: int = 0  # outbox rows the tick's own sender sent afterwards (``coach tick``)
    purged_workspaces: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"due {self.due}, queued {self.queued}, already claimed {self.already_claimed}, sent {self.sent}"


class Scheduler:
    def __init__(
        self,
        store: CoachStore,
        bundle: Bundle,
        outbox: Outbox,
        sender: Sender | None = None,
        retention: timedelta = timedelta(days=30),
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bundle = bundle
        self.outbox = outbox
        self.sender = sender  # set for ``coach tick``: it sends what it queued before it exits
        self.retention = retention
        self.wall_clock = wall_clock

    def tick(self, now: datetime) -> TickReport:
        """Queue everything due at ``now``, in batches found through indexes, then return what happened."""
        report = TickReport()
        if self.sender is not None:  # rows a killed tick or sender left claimed, before anything new
            self.sender.beat()
            self.sender.recover_orphans(now)
        for team_id in self.store.purge_stopped_workspaces(now - self.retention):
            log.info("deleted the data of workspace %s, uninstalled over %s ago", team_id, self.retention)
            report.purged_workspaces.append(team_id)
        for table, count in self.store.expire_operational_rows(now, self.wall_clock()).items():
            if count:
                log.info("expired %d old rows of %s", count, table)
        with self.store.unit_of_work():
            if resumed := Journey(self.store, self.bundle).resume_ended_pauses(now):
                log.info("resumed %d member(s) whose pause until a date is over", resumed)
        self._checkins(now, report)
        self._nudges(now, report)
        for job in digest_jobs(self.store, now, self.bundle):
            self._queue(job, now, report)
        if self.sender is not None:
            report.sent = self.sender.drain()
        log.info("tick at %s: %s", now.isoformat(), report.summary())
        return report

    def _queue(self, job: Job, now: datetime, report: TickReport) -> None:
        """Claim the job's key and queue its message, in one transaction; a key claimed before (by
        another tick, or a send on demand) queues nothing. A member forgotten meanwhile gets no row."""
        report.due += 1
        with self.store.unit_of_work():
            if not self.store.claim_send(job.key, job.recipient, job.kind, job.period, now, job.member is not None):
                report.already_claimed += 1
                return
            expires = None if job.expires is None else self.wall_clock() + (job.expires - now).total_seconds()
            reply = Reply(job.outcomes, channel=job.channel, send_key=job.key, kind=job.kind, expires=expires)
            self.outbox.enqueue(job.addressee, reply, lane=CHANNEL_LANE if job.channel else None)
        report.queued += 1

    def _checkins(self, now: datetime, report: TickReport) -> None:
        """Members new to the schedule get their slot; members whose slot has come get their job queued
        and are moved on to their next slot."""
        while batch := self.store.unscheduled_members(BATCH_SIZE):
            self.store.set_next_checkins([(m.key, slot_of(now, m, checkin_slot)) for m in batch])
        after: tuple[str, str, str] | None = None
        while due := self.store.due_members_after(now, BATCH_SIZE, after):
            last = due[-1]
            slot = last.next_checkin_at.astimezone(UTC).isoformat() if last.next_checkin_at else ""
            after = (slot, *astuple(last.key))
            for member in due:
                for job in weekly_jobs(self.store, member, now):
                    self._queue(job, now, report)
            self.store.set_next_checkins([(m.key, slot_of(now, m, following_checkin)) for m in due])

    def _nudges(self, now: datetime, report: TickReport) -> None:
        question_ids = [q.id for q in self.bundle.assessment.questions]
        after_id = 0
        while stale := self.store.assessments_to_nudge_after(
            now, FIRST_NUDGE_AFTER, LAST_NUDGE_AFTER, BATCH_SIZE, after_id
        ):
            after_id = stale[-1].id
            for assessment in stale:
                if (job := nudge_job(assessment, now, question_ids)) is not None:
                    self._queue(job, now, report)
                self.store.set_nudges_sent(assessment.id, 2 if now - assessment.updated_at >= LAST_NUDGE_AFTER else 1)
