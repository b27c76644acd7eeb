"""Hand-over from a listener's ack function to the outbox, and what the sender shares with listeners.

The app runs with ``process_before_response=True``: the ack function parses the request, lets a use
case decide and persist, keeps the replies with ``keep_for_sending`` (a row in the outbox, in the
same transaction as the change: the request's unit of work), and acknowledges; the transaction
commits before Slack gets its 200. The sender (``bot.sending.sender``) sends the row afterwards, rendered in
the member's language, which may take a ``users.info`` call to learn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.listeners.payloads import member_of
from bot.sending.landing import delivery_for
from bot.sending.outbox import Outbox, Reply
from bot.usecases.prompts import OpenPrompts
from bot.usecases.services import Services
from flows.outcomes import Outcome
from flows.values import MemberKey

log = logging.getLogger(__name__)
OUTBOX_KEY = "coach_outbox"
PROMPTS_KEY = "coach_prompts"  # the open prompts (bot.usecases.prompts), moved by every reply kept
# What was kept, also left in the context for whoever looks (tests call handlers without HTTP).
OUTCOMES_KEY = "coach_outcomes"
REPLY_KEY = "coach_reply"
CHANNEL_KEY = "coach_channel"
CLICKED_KEY = "coach_clicked"
FLOOD_BACKLOG = 5  # replies already waiting for a member, past which a typed message gets no more


def keep_for_sending(
    context: BoltContext,
    outcomes: Sequence[Outcome] = (),
    channel: str | None = None,
    clicked: tuple[str, str] | None = None,
    reply: Sequence[Outcome] = (),
    typed: bool = False,
) -> None:
    """``outcomes`` go to the member's DM (or ``channel``); ``reply`` answers privately where they asked.

    They are written to the outbox in the request's transaction, so they are sent even if the
    process dies right after the ack. A reply to something ``typed`` is not queued behind a backlog
    of replies still waiting for that member: a flood of messages gets a few replies, not one each."""
    context[OUTCOMES_KEY] = list(outcomes)
    context[REPLY_KEY] = list(reply)
    context[CHANNEL_KEY] = channel
    context[CLICKED_KEY] = clicked
    outbox: Outbox | None = context.get(OUTBOX_KEY)
    member = member_of(context)
    if outbox is None or member is None:
        return
    kept = Reply(tuple(outcomes), channel, clicked, tuple(reply), context.response_url)
    if typed and outbox.backlogged(member, FLOOD_BACKLOG):
        return  # a flood: no reply to this one, and what the coach last asked stays as it was
    outbox.enqueue(member, kept)
    prompts: OpenPrompts | None = context.get(PROMPTS_KEY)
    if prompts is not None:  # what the coach has now asked the member
        prompts.note(member, [*outcomes, *reply])


def open_settings(services: Services, client: WebClient, member: MemberKey, trigger_id: str) -> None:
    """The check-in settings modal, from ``/coach settings`` or the App Home button. Reading the form
    makes the member's row, so it comes first: what Slack then says of a newcomer (their language and
    time zone) is kept for the form's answers too, not only used for the form."""
    form = services.journey().settings_form(member)
    delivery_for(services, client, member).open_settings(trigger_id, form, member.user_id)
