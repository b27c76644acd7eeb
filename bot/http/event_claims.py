"""Slack's retries of an event are handled once, and only once the first attempt really succeeded.

The ``event_id`` is claimed before the listener runs. When the listener fails (Bolt answers 500) or
raises, the claim is given back, so Slack's retry is handled instead of being dropped with a 200;
when it succeeds, the claim is finished. A claim left unfinished by a process that died between the
claim and its write has a short lease, after which Slack's retry takes it over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.store import Store

log = logging.getLogger(__name__)
CLAIMED_EVENT = "coach_claimed_event"


class EventClaimingApp(App):
    """Bolt's App, finishing or giving back the event claim once the request's response is known."""

    claims: Store | None = None

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        try:
            response = super().dispatch(req)
        except BaseException:
            self._settle(req, succeeded=False)
            raise
        self._settle(req, succeeded=response.status < 500)
        return response

    def _settle(self, req: BoltRequest, succeeded: bool) -> None:
        event_id = req.context.get(CLAIMED_EVENT)
        if self.claims is None or not event_id:
            return
        if succeeded:
            self.claims.finish_event(event_id)
        else:
            log.info("event %s failed; its claim is given back for Slack's retry", event_id)
            self.claims.release_event(event_id)


def event_claim_middleware(store: Store, clock: Callable[[], datetime]) -> Callable[..., BoltResponse | None]:
    def drop_slack_retries(body: dict[str, Any], context: BoltContext, next: Any) -> BoltResponse | None:
        """Slack re-sends an event it thinks we missed; each ``event_id`` is handled once."""
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id:
            if not store.claim_event_until_done(str(event_id), clock()):
                log.info("dropped a retry of event %s", event_id)
                return BoltResponse(status=200, body="")
            context[CLAIMED_EVENT] = str(event_id)
        next()
        return None

    return drop_slack_retries
