"""Hand-over from a listener's ack function to the outbox, and what the sender shares with listeners.

The app runs with ``process_before_response=True``: the ack function parses the request, lets a use
case decide and persist, keeps the replies with ``keep_for_sending`` (a row in the outbox, in the
same transaction as the change: the request's unit of work), and acknowledges; the transaction
commits before Slack gets its 200. The sender (``bot.sending.sender``) sends the row afterwards, rendered in
the member's language, which may take a ``users.info`` call to learn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.listeners.payloads import member_of
from bot.sending.outbox import Outbox, Reply
from bot.slack.delivery import Posted, SlackDelivery
from bot.usecases.services import Services
from bot.views.render import render_all
from flows.outcomes import Ask, CheckinAsk, Outcome
from flows.values import MemberKey

log = logging.getLogger(__name__)
OUTBOX_KEY = "coach_outbox"
# What was kept, also left in the context for whoever looks (tests call handlers without HTTP).
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
    """``outcomes`` go to the member's DM (or ``channel``); ``reply`` answers privately where they asked.

    They are written to the outbox in the request's transaction, so they are sent even if the
    process dies right after the ack."""
    context[OUTCOMES_KEY] = list(outcomes)
    context[REPLY_KEY] = list(reply)
    context[CHANNEL_KEY] = channel
    context[CLICKED_KEY] = clicked
    outbox: Outbox | None = context.get(OUTBOX_KEY)
    member = member_of(context)
    if outbox is None or member is None:
        return
    kept = Reply(tuple(outcomes), channel, clicked, tuple(reply), context.response_url)
    outbox.enqueue(member, kept)


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


def send_outcomes(*_args: object, **_kwargs: object) -> None:
    """Kept for listeners written before the outbox (with any arguments): ``keep_for_sending`` has
    already put what they keep in the outbox, and the sender sends it."""


def sender(services: Services) -> Callable[..., None]:
    """Compatibility shim: replies leave through the outbox, so there is nothing left to do lazily.
    New listeners need no lazy sender at all."""
    return send_outcomes


def open_settings(services: Services, client: WebClient, member: MemberKey, trigger_id: str) -> None:
    """The check-in settings modal, from ``/coach settings`` or the App Home button."""
    delivery = delivery_for(services, client, member)
    delivery.open_settings(trigger_id, services.journey().settings_form(member), member.user_id)
