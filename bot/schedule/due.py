"""What is due on its own, as of an instant: weekly check-ins, placement invites, reminders of an
unfinished assessment, and weekly team digests. Each becomes a ``Job`` under a unique send key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store import AssessmentRow, MemberRow, send_key
from bot.store.interfaces import CoachStore
from bot.usecases.actions import due_actions
from bot.usecases.journey import CHECKIN_KIND
from bot.usecases.prompts import REVISIT_KIND  # three months on: the offer to look again
from bot.usecases.report import DIGEST_KIND, team_report
from flows.actions import ActionsAsk
from flows.assessment import evaluate
from flows.content import QUESTION_IDS, Bundle
from flows.follow_up import Standing, weekly_send
from flows.lookback import lookback_due
from flows.outcomes import CheckinAsk, Nudge, Outcome, Report, RevisitAsk, StageCards
from flows.schedule import DEFAULT_TIME, DEFAULT_WEEKDAY, LATE_SEND_WINDOW, due_checkin, week_key
from flows.values import ChannelKey, MemberKey, Recipient

NUDGE_KIND = "nudge"
INVITE_KIND = "invite"
FINISHED = ("sent", "failed")  # a send that is over: it landed, or failed for good
FIRST_NUDGE_AFTER = timedelta(hours=24)
LAST_NUDGE_AFTER = timedelta(hours=72)


@dataclass(frozen=True)
class Job:
    recipient: Recipient
    kind: str
    period: str
    outcomes: tuple[Outcome, ...]
    reader: MemberKey | None = None  # whose language it is written in, when not the recipient's
    expires: datetime | None = None  # not sent at all once this has passed (a check-in a day late)

    @property
    def key(self) -> str:
        return send_key(self.recipient, self.kind, self.period)

    @property
    def member(self) -> MemberKey | None:
        """The member whose DM it goes to; None for a channel's job."""
        return self.recipient if isinstance(self.recipient, MemberKey) else None

    @property
    def addressee(self) -> MemberKey:
        """Whose outbox queue it joins: the member, or for a channel the admin who set it up."""
        if isinstance(self.recipient, MemberKey):
            return self.recipient
        assert self.reader is not None, "a channel's job names the member it is written for"
        return self.reader

    @property
    def channel(self) -> str | None:
        """The channel it is posted in; None for a member's DM."""
        return self.recipient.channel_id if isinstance(self.recipient, ChannelKey) else None


def standing(store: CoachStore, member: MemberRow, latest: AssessmentRow | None) -> Standing:
    """The facts ``flows.follow_up.weekly_send`` reads, from the store; ``latest`` is the member's
    latest completed assessment."""
    verdict = evaluate(QUESTION_IDS, store.answers(latest.id)).verdict if latest is not None else None
    return Standing(
        stage=member.stage,
        verdict=verdict,
        completed_at=latest.completed_at if latest is not None else None,
        invited=store.was_sent(member.key, INVITE_KIND),
        revisit_asked=latest is not None and store.send_status(revisit_key(member.key, latest.id)) in FINISHED,
    )


def revisit_key(member: MemberKey, assessment_id: int) -> str:
    return send_key(member, REVISIT_KIND, str(assessment_id))


def weekly_job(store: CoachStore, member: MemberRow, now: datetime) -> Job | None:
    """What a member whose weekly slot has come should get: a check-in, a one-off invite, the
    three-month question after *Not for now*, or nothing (see ``flows.follow_up``)."""
    slot = member.next_checkin_at
    if slot is None or now - slot >= LATE_SEND_WINDOW:
        return None  # missed by a day or more: skipped, not sent late
    latest = store.latest_completed_assessment(member.key)
    expires = slot + LATE_SEND_WINDOW
    match weekly_send(standing(store, member, latest), now):
        case "checkin" if member.stage is not None:
            period = week_key(slot, member.tz)
            asks: tuple[Outcome, ...] = (CheckinAsk(period, member.stage), *actions_due(store, member, slot))
            return Job(member.key, CHECKIN_KIND, period, asks, expires=expires)
        case "invite":
            return Job(member.key, INVITE_KIND, "once", (StageCards(invite=True),), expires=expires)
        case "revisit" if latest is not None and latest.completed_at is not None:
            revisit = RevisitAsk(latest.completed_at)
            return Job(member.key, REVISIT_KIND, str(latest.id), (revisit,), expires=expires)
    return None


def weekly_jobs(store: CoachStore, member: MemberRow, now: datetime) -> list[Job]:
    """Everything a member whose weekly slot has come gets: the weekly send, and the quarterly look back."""
    return [job for job in (weekly_job(store, member, now), lookback_job(store, member, now)) if job is not None]


def lookback_job(store: CoachStore, member: MemberRow, now: datetime) -> Job | None:
    """Three months after the latest assessment of a member on weekly check-ins: the offer to take it
    again, once per assessment (under the same key as the question after *Not for now*)."""
    slot = member.next_checkin_at
    if slot is None or now - slot >= LATE_SEND_WINDOW:
        return None
    latest = store.latest_completed_assessment(member.key)
    if latest is None or latest.completed_at is None or not lookback_due(standing(store, member, latest), now):
        return None
    ask = RevisitAsk(latest.completed_at, quarterly=True)
    return Job(member.key, REVISIT_KIND, str(latest.id), (ask,), expires=slot + LATE_SEND_WINDOW)


def actions_due(store: CoachStore, member: MemberRow, slot: datetime) -> tuple[ActionsAsk, ...]:
    """The owner's open actions due in the check-in's week or before, asked about with it."""
    due = due_actions(store, member.key, member.tz, slot)
    return (ActionsAsk(due),) if due else ()


def nudge_job(assessment: AssessmentRow, now: datetime, question_ids: Sequence[str]) -> Job | None:
    if assessment.state not in question_ids:
        return None
    last = now - assessment.updated_at >= LAST_NUDGE_AFTER
    number, total = question_ids.index(assessment.state) + 1, len(question_ids)
    owner = MemberKey(assessment.team_id, assessment.user_id)
    # One key per assessment and reminder: the 24 h one and the 72 h one, never a third.
    return Job(owner, NUDGE_KIND, f"{assessment.id}-{2 if last else 1}", (Nudge(number, total, last),))


def digest_jobs(store: CoachStore, now: datetime, bundle: Bundle) -> list[Job]:
    jobs = []
    for digest in store.digests():
        due = due_checkin(now, digest["tz"], DEFAULT_WEEKDAY, DEFAULT_TIME)
        if due is not None:
            channel = ChannelKey(digest["team_id"], digest["channel_id"])
            report = Report(team_report(store, bundle, digest["team_id"], now), digest=True)
            admin = MemberKey(digest["team_id"], digest["created_by"])
            jobs.append(Job(channel, DIGEST_KIND, due[0], (report,), reader=admin))
    return jobs
