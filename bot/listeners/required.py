"""Requests that name no workspace or no member are answered with a quiet 200 before any listener.

A signed payload without ``user`` / ``user_id`` (or a team) cannot be acted on; it used to reach the
listeners and end in a 500 with a traceback in the log. ``app_uninstalled`` and ``tokens_revoked``
carry no user and need only the workspace.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.http.middleware import Next, RequestMiddleware

log = logging.getLogger(__name__)
WORKSPACE_ONLY_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})
MEMBER_REQUESTS = frozenset({"block_actions", "view_submission", "event_callback"})


def missing_member(body: dict[str, Any], context: BoltContext) -> bool:
    kind = body.get("type")
    if kind not in MEMBER_REQUESTS and "command" not in body:
        return False
    event = body.get("event")
    if kind == "event_callback" and isinstance(event, dict) and event.get("type") in WORKSPACE_ONLY_EVENTS:
        return not context.team_id
    return not (context.team_id and context.user_id)


def register(app: App) -> None:
    def require_member(req: BoltRequest, next: Next) -> BoltResponse | None:
        body = req.body
        if missing_member(body, req.context):
            log.info("ignored a %s request that names no workspace or member", body.get("type") or "command")
            return BoltResponse(status=200, body="")
        next()
        return None

    app.middleware(RequestMiddleware(require_member))
