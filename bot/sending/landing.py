"""What the sender (and the few listeners that must ask Slack before they answer) hand to the use
cases: a delivery in the member's language, learned from Slack the first time, and where each message
landed. Delivery itself only sends; everything it learns is written by a use case from here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from slack_sdk import WebClient

from bot.slack.delivery import Posted, SlackDelivery
from bot.usecases.profiles import Contact
from bot.usecases.services import Services
from flows.actions import ActionListSync
from flows.outcomes import Ask, CheckinAsk, CheckinClosed, Intro, Notice, Outcome, StageCoaching, Summary
from flows.plan_outcomes import PlanDocument, PlanNotice
from flows.values import MemberKey


def delivery_for(
    services: Services, client: WebClient, member: MemberKey, contact: Contact | None = None
) -> SlackDelivery:
    """Talks to ``member`` in their language, learning it from Slack (``users.info``) the first time
    (``contact``: what the caller read of them already)."""
    bundle = (contact or services.profiles().contact(member)).bundle
    if bundle is None:
        bundle = services.profiles().learn(member, SlackDelivery(client, services.bundle).fetch_profile(member.user_id))
    return SlackDelivery(client, bundle)


def dm_of(services: Services, client: WebClient, member: MemberKey, contact: Contact | None = None) -> str:
    """The member's DM with the coach: remembered, or opened once (``conversations.open``) and kept."""
    known = (contact or services.profiles().contact(member)).dm_channel
    if known:
        return known
    channel = SlackDelivery(client, services.bundle).open_dm(member.user_id)
    services.profiles().remember_dm(member, channel)
    return channel


def landing_records(services: Services, posted: Sequence[Posted]) -> list[Callable[[], None]]:
    """The writes that tell the use cases where their messages landed: one for each message whose
    landing they keep (none: no transaction is needed)."""
    return [record for post in posted if (record := _landing_record(services, post)) is not None]


def _landing_record(services: Services, post: Posted) -> Callable[[], None] | None:
    if post.listed is not None:
        member = MemberKey(post.listed.team_id, post.listed.user_id)
        return partial(services.actions(member).listed, post.listed)
    if post.placed is not None:
        member = MemberKey(post.placed.team_id, post.placed.user_id)
        return partial(services.plans(member).placed, post.placed)
    if isinstance(post.outcome, Ask):
        ask = post.outcome
        return partial(services.coach().prompt_posted, ask.assessment_id, ask.question_id, post.channel, post.ts)
    if isinstance(post.outcome, CheckinAsk) and post.outcome.send_key:
        return partial(services.journey().checkin_posted, post.outcome.send_key, post.channel, post.ts)
    return None


def remember_posts(services: Services, posted: Sequence[Posted]) -> None:
    """Tell the use cases where their messages landed."""
    for record in landing_records(services, posted):
        record()


def as_it_stands(services: Services, outcome: Outcome, member: MemberKey) -> Outcome | None:
    """The outcome as it is when it is sent, not when the request was acknowledged: an earlier row of
    the member's (sent first) may have created their canvas meanwhile, and this one must edit that
    canvas rather than make a second; a scheduled check-in asks about the stage the member is at now;
    a check-in time is said in the time zone Slack gave a newcomer after the request was read."""
    if isinstance(outcome, PlanDocument):
        return services.plans(member).document(member)
    if isinstance(outcome, ActionListSync):  # the action and its maker's List as they are now
        return services.actions(member).current_sync(outcome)
    if isinstance(outcome, CheckinAsk) and outcome.send_key is None:
        return services.journey().current_checkin(member, outcome)
    if isinstance(outcome, Notice) and "tz" in outcome.params:  # a newcomer's zone, learned from Slack since
        row = services.store.member(member)
        if row is not None and row.tz and row.tz != outcome.params["tz"]:
            return Notice(outcome.key, {**outcome.params, "tz": row.tz})
    return outcome


# Outcomes that end a step and change what the member's App Home shows (a verdict, a stage, an
# assessment begun), and notices that do. A single answer does not: the Home tab is also republished
# whenever it is opened.
CHANGING = (Intro, Summary, StageCoaching, CheckinClosed, PlanDocument, PlanNotice)
CHANGING_NOTICES = frozenset({"restarted", "paused", "resumed", "settings_saved", "forgotten"})


def republishes_home(outcomes: Sequence[Outcome], has_looked: Callable[[], bool]) -> bool:
    """Whether App Home is published anew after ``outcomes``: when they changed what it shows, for a
    member who has looked at it (``has_looked``; everyone else gets it fresh when they first open it).
    Always after a forget: Slack keeps showing the last view published, which holds the deleted data,
    and whether they had looked at it was deleted too."""
    changed = any(isinstance(o, CHANGING) or (isinstance(o, Notice) and o.key in CHANGING_NOTICES) for o in outcomes)
    return changed and (any(isinstance(o, Notice) and o.key == "forgotten" for o in outcomes) or has_looked())
