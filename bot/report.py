"""Gathers the team report for owners and admins from the store (the rules live in flows.report)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.delivery import render
from bot.slack_errors import SLACK_FAILURES, describe
from bot.store import MemberKey, Store, send_key
from flows.assessment import evaluate
from flows.content import Bundle
from flows.outcomes import Notice, Outcome, Report
from flows.report import SharedMember, TeamReport
from flows.schedule import week_key

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
DIGEST_KIND = "digest"


def team_report(store: Store, bundle: Bundle, team_id: str, now: datetime) -> TeamReport:
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
    )


def is_admin(user: dict[str, object]) -> bool:
    return bool(user.get("is_owner") or user.get("is_admin") or user.get("is_primary_owner"))


CHANNEL_MENTION = re.compile(r"^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$")


def team_report_command(services: Services, client: WebClient, member: MemberKey, target: str | None) -> list[Outcome]:
    """``/coach report [#channel]``: the report for an owner or admin, here or as a weekly digest there."""
    try:
        user = client.users_info(user=member.user_id).get("user") or {}
    except SLACK_FAILURES as error:
        log.warning("users.info failed for %s: %s", member, describe(error))
        return [Notice("something_went_wrong")]
    if not is_admin(user):
        return [Notice("report_not_admin")]
    now = services.clock()
    bundle = services.bundle_for(member)
    report = Report(team_report(services.store, bundle, member.team_id, now))
    if target is None:
        return [report]
    match = CHANNEL_MENTION.match(target)
    if match is None:
        return [Notice("report_bad_channel")]
    channel = match.group(1)
    rendered = render(bundle, Report(report.report, digest=True))
    try:
        client.chat_postMessage(channel=channel, text=rendered.text, blocks=rendered.block_dicts())
    except SLACK_FAILURES as error:
        log.warning("could not post the report in %s: %s", channel, describe(error))
        return [Notice("report_channel_failed", {"channel": channel})]
    services.store.add_digest(member.team_id, channel, member.user_id, user.get("tz"), now)
    # This week's digest has just gone out: claim its key so the scheduler does not post it again.
    period = week_key(now, user.get("tz"))
    key = send_key(MemberKey(member.team_id, channel), DIGEST_KIND, period)
    if services.store.claim_send(key, MemberKey(member.team_id, channel), DIGEST_KIND, period, "on-demand", now):
        services.store.mark_sent(key, channel, "", now)
    return [Notice("report_posted", {"channel": channel})]
