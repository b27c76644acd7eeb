"""What the sender answers where a member asked (a slash command's ``response_url``), and owners' and
admins' commands, which the sender finishes before it answers.

``/coach report [#channel]`` and ``/coach plan #channel [@member]`` need the member's role from Slack
(``users.info``) before a use case can decide, and may post in a channel (the team report, the plan
canvas). The slash command only queues them, durably, before its ack; the sender asks Slack, lets the
use case decide and record, posts, and answers privately with what the use case said.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from slack_bolt import Respond

from bot.sending.progress import PassingFailure
from bot.slack.canvases import PlanPublisher
from bot.slack.delivery import SlackDelivery
from bot.usecases.services import Services
from bot.views.render import render_all
from flows.outcomes import AdminAsked, ChannelReport, Outcome
from flows.plan_outcomes import PlanNotice
from flows.values import MemberKey

log = logging.getLogger(__name__)
Profile = Mapping[str, object] | None


def answer_privately(
    services: Services, member: MemberKey, private: Sequence[Outcome], url: str, delivery: SlackDelivery
) -> None:
    """The answer where the member asked; an admin's command is finished first."""
    answers = [
        answered
        for outcome in private
        for answered in (finish(services, delivery, member, outcome) if isinstance(outcome, AdminAsked) else [outcome])
    ]
    rendered = render_all(delivery.bundle, answers)
    response = Respond(response_url=url)(text=rendered.text, blocks=rendered.block_dicts())
    if response.status_code == 429 or response.status_code >= 500:
        raise PassingFailure(f"response_url answered {response.status_code}")
    if response.status_code != 200:
        log.warning("response_url refused the reply: %s", response.status_code)


def finish(services: Services, delivery: SlackDelivery, member: MemberKey, asked: AdminAsked) -> list[Outcome]:
    """What to answer the admin, once their command is done."""
    profile = delivery.fetch_profile(member.user_id)
    if asked.command == "report":
        return report(services, delivery, member, profile, asked.args)
    return [publish_plan(services, delivery, member, profile, asked.args)]


def report(
    services: Services, delivery: SlackDelivery, member: MemberKey, profile: Profile, args: Sequence[str]
) -> list[Outcome]:
    """The team report here, or posted in a channel first (which subscribes it to the weekly digest)."""
    reports = services.reports(member)
    outcomes = reports.command(member, profile, args)
    if len(outcomes) == 1 and isinstance(outcomes[0], ChannelReport):
        posted = outcomes[0]
        tz = profile.get("tz") if profile else None
        landed = delivery.post_channel_report(posted)
        return reports.posted(member, posted.channel_id, tz if isinstance(tz, str) else None, landed)
    return outcomes


def publish_plan(
    services: Services, delivery: SlackDelivery, admin: MemberKey, profile: Profile, args: Sequence[str]
) -> PlanNotice:
    """A plan (the admin's own, or a sharing member's) placed as a channel's canvas, then kept."""
    plans = services.plans(admin)
    decision = plans.publish(admin, profile, list(args))
    if isinstance(decision, PlanNotice):
        return decision
    owner = MemberKey(decision.team_id, decision.owner_id)
    placed = PlanPublisher(delivery.client, services.bundle_for(owner)).channel_plan(decision)
    return plans.published(decision, placed)
