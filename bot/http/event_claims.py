"""Slack's retries of an event are handled once.

Before the listener runs, an event already handled is dropped with a quiet 200. It is recorded as
handled by the request's last write, in the one transaction with everything its listener wrote
(``bot.app.CoachApp``): a request that fails keeps nothing, so Slack's retry is handled afresh, and
of two copies handled at once (Slack's retry racing a slow first attempt) only one can commit.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltRequest, BoltResponse

from bot.http.middleware import Next, RequestMiddleware
from bot.store.interfaces import Requests

log = logging.getLogger(__name__)
HANDLED_EVENT = "coach_event"


def drop_handled_events(store: Requests) -> RequestMiddleware:
    def drop_slack_retries(req: BoltRequest, next: Next) -> BoltResponse | None:
        """Slack re-sends an event it thinks we missed; each ``event_id`` is handled once."""
        body, context = req.body, req.context
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            if store.event_seen(str(event_id)):
                log.info("dropped a retry of event %s", event_id)
                return BoltResponse(status=200, body="")
            context[HANDLED_EVENT] = str(event_id)
        next()
        return None

    return RequestMiddleware(drop_slack_retries)
