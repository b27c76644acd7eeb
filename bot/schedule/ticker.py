"""Everything that is due on its own: weekly check-ins, unfinished-assessment nudges, placement invites
and team digests.

One ``tick`` finds what is due as of an instant (``bot.schedule.due``) and sends it (``bot.schedule.fanout``). Every
send is claimed in the database under a unique key (member, kind, period) before it goes out, so two
ticks at once, two processes or a restart never send anything twice. A claim whose process died
mid-send is checked against the DM's history (``bot.schedule.recovery``) and is re-sent only if it never
arrived. Workspaces are served in parallel, each paced to about one message a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import astuple
from datetime import UTC, datetime, timedelta

from bot.schedule.due import FIRST_NUDGE_AFTER, LAST_NUDGE_AFTER, digest_jobs, nudge_job, weekly_job
from bot.schedule.fanout import ClientFor, Fanout, Pacer, TickReport
from bot.schedule.recovery import OrphanRecovery
from bot.sending.policy import process_owner
from bot.store import MemberRow, Store
from flows.content import Bundle
from flows.schedule import checkin_slot, following_checkin

log = logging.getLogger(__name__)
BATCH_SIZE = 500
SlotRule = Callable[[datetime, str | None, int, str], datetime]


def slot_of(now: datetime, member: MemberRow, rule: SlotRule) -> datetime:
    return rule(now, member.tz, member.checkin_weekday, member.checkin_time)


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
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bundle = bundle
        self.pace_seconds = pace_seconds
        self.sleep = sleep
        self.retention = retention
        self.wall_clock = wall_clock
        owner = process_owner()
        self.fanout = Fanout(store, client_for, owner, wall_clock, max_workspaces_in_parallel)
        self.recovery = OrphanRecovery(store, client_for, owner, wall_clock)

    def tick(self, now: datetime) -> TickReport:
        """Send everything due at ``now``, in batches found through indexes, then return what happened."""
        report = TickReport()
        for team_id in self.store.purge_stopped_workspaces(now - self.retention):
            log.info("deleted the data of workspace %s, uninstalled over %s ago", team_id, self.retention)
            report.note("purged_workspaces", team_id)
        for table, count in self.store.expire_operational_rows(now, self.wall_clock()).items():
            if count:
                log.info("expired %d old rows of %s", count, table)
        self.recovery.recover(now, report)
        pacer = Pacer(self.pace_seconds, self.sleep)
        self._checkins(now, report, pacer)
        self._nudge(now, report, pacer)
        self.fanout.run(digest_jobs(self.store, now, self.bundle), now, report, pacer)
        log.info("tick at %s: %s", now.isoformat(), report.summary())
        return report

    def _checkins(self, now: datetime, report: TickReport, pacer: Pacer) -> None:
        """Members new to the schedule get their slot; members whose slot has come get their job."""
        while batch := self.store.unscheduled_members(BATCH_SIZE):
            self.store.set_next_checkins([(m.key, slot_of(now, m, checkin_slot)) for m in batch])
        after: tuple[str, str, str] | None = None
        while due := self.store.due_members_after(now, BATCH_SIZE, after):
            last = due[-1]
            slot = last.next_checkin_at.astimezone(UTC).isoformat() if last.next_checkin_at else ""
            after = (slot, *astuple(last.key))
            jobs = {member.key: job for member in due if (job := weekly_job(self.store, member, now)) is not None}
            keep_due = self.fanout.run(list(jobs.values()), now, report, pacer)
            # Moved on only once its send landed or failed for good (a crash before this leaves them
            # due, and their claims make the rerun skip whatever already went out); a send that failed
            # for a passing reason stays due and is tried again after a backoff.
            moved_on = [m for m in due if m.key not in jobs or jobs[m.key].key not in keep_due]
            self.store.set_next_checkins([(m.key, slot_of(now, m, following_checkin)) for m in moved_on])

    def _nudge(self, now: datetime, report: TickReport, pacer: Pacer) -> None:
        question_ids = [q.id for q in self.bundle.assessment.questions]
        after_id = 0
        while stale := self.store.assessments_to_nudge_after(
            now, FIRST_NUDGE_AFTER, LAST_NUDGE_AFTER, BATCH_SIZE, after_id
        ):
            after_id = stale[-1].id
            jobs = {a.id: job for a in stale if (job := nudge_job(a, now, question_ids)) is not None}
            results = self.fanout.run(list(jobs.values()), now, report, pacer)
            for assessment in stale:
                if assessment.id in jobs and jobs[assessment.id].key in results:
                    continue  # failed for a passing reason: stays owed, retried after a backoff
                self.store.set_nudges_sent(assessment.id, 2 if now - assessment.updated_at >= LAST_NUDGE_AFTER else 1)
