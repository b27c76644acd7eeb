"""The team report use case for owners and admins (the counting rules live in flows.report)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.store import send_key
from bot.store.interfaces import CoachStore
from flows.assessment import evaluate
from flows.content import Bundle
from flows.outcomes import ChannelReport, Notice, Outcome, Report
from flows.report import SharedMember, TeamReport
from flows.schedule import week_key
from flows.values import ChannelKey, Clock, MemberKey

DIGEST_KIND = "digest"


def team_report(store: CoachStore, bundle: Bundle, team_id: str, now: datetime) -> TeamReport:
    question_ids = [q.id for q in bundle.assessment.questions]
    members = store.team_members(team_id)
    verdicts: Counter[str] = Counter()
    gaps: Counter[str] = Counter()
    stages: Counter[int] = Counter(m.stage for m in members if m.stage is not None)
    latest_verdict: dict[str, str] = {}
    for member in members:
        completed = store.latest_completed_assessment(member.key)
        if completed is None:
            continue
        result = evaluate(question_ids, store.answers(completed.id))
        verdicts[result.verdict] += 1
        latest_verdict[member.user_id] = result.verdict
        if result.weakest is not None:
            gaps[result.weakest.question_id] += 1
    forward = back = 0
    for change in store.team_stage_changes_since(team_id, now - timedelta(days=7)):
        if change["from_stage"] is None:
            continue
        forward += change["to_stage"] > change["from_stage"]
        back += change["to_stage"] < change["from_stage"]
    shared = tuple(
        SharedMember(m.user_id, latest_verdict.get(m.user_id), m.stage) for m in members if m.share_with_admins
    )
    return TeamReport(
        members=len(members),
        assessed=sum(verdicts.values()),
        verdicts=verdicts,
        stages=stages,
        placed=sum(stages.values()),
        moved_forward=forward,
        slipped_back=back,
        common_gap=gaps.most_common(1)[0][0] if gaps else None,
        shared=shared,
        actions=store.actions.team_counts(team_id, now.date()),
    )


def is_admin(user: Mapping[str, object]) -> bool:
    return bool(user.get("is_owner") or user.get("is_admin") or user.get("is_primary_owner"))


STOP_WORDS = ("stop", "off")  # ``/coach report stop``
CHANNEL_MENTION = re.compile(r"^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$")


class Reports:
    """``/coach report [#channel]``: the team report for an owner or admin, here or as a weekly digest."""

    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock) -> None:
        self.store = store
        self.bundle = bundle
        self.clock = clock

    def command(self, member: MemberKey, profile: Mapping[str, object] | None, args: Sequence[str]) -> list[Outcome]:
        """What the command answers; a ``ChannelReport`` is for the sender to post, then ``posted``."""
        if profile is None:
            return [Notice("something_went_wrong")]
        if not is_admin(profile):
            return [Notice("report_not_admin")]
        if args and args[0].lower() in STOP_WORDS:
            return self.stop(member.team_id, args[1:])
        if not args:
            return [Report(team_report(self.store, self.bundle, member.team_id, self.clock()))]
        match = CHANNEL_MENTION.match(args[0])
        if match is None:
            return [Notice("report_bad_channel")]
        if self._posted_this_week(member.team_id, match.group(1)):  # the same command again: no second post
            return [Notice("report_already", {"channel": match.group(1)})]
        return [ChannelReport(match.group(1), team_report(self.store, self.bundle, member.team_id, self.clock()))]

    def _posted_this_week(self, team_id: str, channel_id: str) -> bool:
        """The channel gets the weekly report, and this week's has gone out (by the command or the tick)."""
        for digest in self.store.digests():
            if (digest["team_id"], digest["channel_id"]) == (team_id, channel_id):
                period = week_key(self.clock(), digest["tz"])
                key = send_key(ChannelKey(team_id, channel_id), DIGEST_KIND, period)
                return self.store.send_status(key) == "sent"
        return False

    def stop(self, team_id: str, args: Sequence[str]) -> list[Outcome]:
        """``/coach report stop [#channel]``: no more weekly digests in that channel (without one, in
        every channel of the workspace that gets them)."""
        if not args:
            channels = [str(d["channel_id"]) for d in self.store.digests() if d["team_id"] == team_id]
            stopped = [channel for channel in channels if self.store.remove_digest(team_id, channel)]
            return [Notice("report_stopped", {"channel": c}) for c in stopped] or [Notice("report_none_to_stop")]
        match = CHANNEL_MENTION.match(args[0])
        if match is None:
            return [Notice("report_bad_channel")]
        channel = match.group(1)
        stopped_here = self.store.remove_digest(team_id, channel)
        return [Notice("report_stopped" if stopped_here else "report_none_in_channel", {"channel": channel})]

    def stop_digest(self, team_id: str, channel_id: str) -> None:
        """The weekly digest's creator is no longer an owner or admin: the channel gets no more."""
        self.store.remove_digest(team_id, channel_id)

    def posted(self, member: MemberKey, channel_id: str, tz: str | None, landed: bool | None) -> list[Outcome]:
        """After the channel post: subscribe the channel to the weekly digest, or explain the failure.
        ``landed`` None: Slack did not answer in time, so the post may be there; it is subscribed, and
        the admin is told to look before asking again."""
        if landed is False:
            return [Notice("report_channel_failed", {"channel": channel_id})]
        now = self.clock()
        self.store.add_digest(member.team_id, channel_id, member.user_id, tz, now)
        # This week's digest has just gone out: claim its key so the scheduler does not post it again.
        period = week_key(now, tz)
        channel = ChannelKey(member.team_id, channel_id)
        key = send_key(channel, DIGEST_KIND, period)
        if self.store.claim_send(key, channel, DIGEST_KIND, period, now):
            self.store.mark_sent(key, channel_id, "", now)
        return [Notice("report_posted" if landed else "report_posted_unconfirmed", {"channel": channel_id})]
