"""Hand-over from a listener's ack function to its lazy sender, and the sending itself.

The app runs with ``process_before_response=True``: the ack function parses the request, lets a use
case decide and persist, and acknowledges; only then does Slack get its 200. The outcomes ride in
Bolt's context (which Bolt copies for lazy listeners) to ``send_outcomes``, which talks to the Web
API on a worker thread, so a slow or rate-limited Slack never delays an ack. Rendering happens there
too, in the member's language, which may take a ``users.info`` call to learn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.delivery import Posted, SlackDelivery, changes_member_data
from bot.listeners.payloads import member_of
from bot.services import Services
from bot.slack_errors import SLACK_FAILURES, describe
from bot.views.render import render, render_all
from flows.outcomes import Ask, CheckinAsk, Notice, Outcome
from flows.values import MemberKey

log = logging.getLogger(__name__)
OUTCOMES_KEY = "coach_outcomes"
REPLY_KEY = "coach_reply"
CHANNEL_KEY = "coach_channel"
CLICKED_KEY = "coach_clicked"


def keep_for_sending(
    context: BoltContext,
    outcomes: Sequence[Outcome] = (),
    channel: str | None = None,
    clicked: tuple[str, str] | None = None,
    reply: Sequence[Outcome] = (),
) -> None:
    """``outcomes`` go to the member's DM (or ``channel``); ``reply`` answers privately where they asked."""
    context[OUTCOMES_KEY] = list(outcomes)
    context[REPLY_KEY] = list(reply)
    context[CHANNEL_KEY] = channel
    context[CLICKED_KEY] = clicked


def delivery_for(services: Services, client: WebClient, member: MemberKey) -> SlackDelivery:
    """Talks to ``member`` in their language, learning it from Slack (``users.info``) the first time."""
    profiles = services.profiles()
    bundle = profiles.known_bundle(member)
    if bundle is None:
        bundle = profiles.learn(member, SlackDelivery(client, services.bundle).fetch_profile(member.user_id))
    return SlackDelivery(client, bundle)


def remember_posts(services: Services, posted: Sequence[Posted]) -> None:
    """Tell the use cases where their messages landed."""
    for post in posted:
        if post.placed is not None:
            services.plans(MemberKey(post.placed.team_id, post.placed.user_id)).placed(post.placed)
        elif isinstance(post.outcome, Ask):
            services.coach().prompt_posted(post.outcome.assessment_id, post.outcome.question_id, post.channel, post.ts)
        elif isinstance(post.outcome, CheckinAsk) and post.outcome.send_key:
            services.journey().checkin_posted(post.outcome.send_key, post.channel, post.ts)


def respond_with(respond: Respond, delivery: SlackDelivery, outcomes: Sequence[Outcome]) -> None:
    rendered = render_all(delivery.bundle, list(outcomes))
    respond(text=rendered.text, blocks=rendered.block_dicts())


def send_outcomes(services: Services, context: BoltContext, client: WebClient, respond: Respond | None) -> None:
    outcomes: list[Outcome] = context.get(OUTCOMES_KEY) or []
    reply: list[Outcome] = context.get(REPLY_KEY) or []
    member = member_of(context)
    if not (outcomes or reply) or member is None:
        return
    delivery = delivery_for(services, client, member)
    if reply and respond is not None and context.response_url:  # a forged payload may carry none
        respond_with(respond, delivery, reply)
    if not outcomes:
        return
    channel = context.get(CHANNEL_KEY)
    if channel is None:
        try:
            channel = delivery.open_dm(member.user_id)
        except SLACK_FAILURES as error:
            log.warning("could not open a DM with %s: %s", member, describe(error))
            if respond is not None and context.response_url:
                respond(text=render(delivery.bundle, Notice("dm_failed")).text)
            return
    clicked = context.get(CLICKED_KEY)
    delivery.deliver(
        channel, outcomes, tuple(clicked) if clicked else None, lambda post: remember_posts(services, [post])
    )
    if changes_member_data(outcomes):
        delivery.publish_home(member.user_id, services.home_tab(member))


def sender(services: Services) -> Callable[..., None]:
    """The lazy listener that sends what the ack function kept."""
    return partial(send_outcomes, services)


def open_settings(services: Services, client: WebClient, member: MemberKey, trigger_id: str) -> None:
    """The check-in settings modal, from ``/coach settings`` or the App Home button."""
    delivery_for(services, client, member).open_settings(trigger_id, services.journey().settings_form(member))
