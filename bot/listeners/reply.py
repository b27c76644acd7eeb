"""Hand-over from a listener's ack function to its lazy sender.

The app runs with ``process_before_response=True``: the ack function parses the request, lets the
coach decide and persist, and acknowledges; only then does Slack get its 200. The outcomes ride in
Bolt's context (which Bolt copies for lazy listeners) to ``send_outcomes``, which talks to the Web
API on a worker thread, so a slow or rate-limited Slack never delays an ack. Rendering happens there
too, in the member's language, which may take a ``users.info`` call to learn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.delivery import changes_member_data, render
from bot.services import Services
from bot.slack_errors import SLACK_FAILURES, describe
from bot.store import MemberKey
from flows.outcomes import Notice, Outcome

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


def sender(services: Services) -> Callable[[BoltContext, WebClient, Respond | None], None]:
    def send_outcomes(context: BoltContext, client: WebClient, respond: Respond | None) -> None:
        outcomes: list[Outcome] = context.get(OUTCOMES_KEY) or []
        reply: list[Outcome] = context.get(REPLY_KEY) or []
        if not (outcomes or reply) or not (context.team_id and context.user_id):
            return
        member = MemberKey(context.team_id, context.user_id)
        delivery = services.delivery(client, member)
        if reply and respond is not None and context.response_url:  # a forged payload may carry none
            rendered = [render(delivery.bundle, outcome) for outcome in reply]
            respond(text="\n\n".join(r.text for r in rendered), blocks=[b for r in rendered for b in r.block_dicts()])
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
        delivery.deliver(channel, outcomes, tuple(clicked) if clicked else None)
        if changes_member_data(outcomes):
            delivery.publish_home(member)

    return send_outcomes
