"""A stopped workspace (uninstalled, or its token revoked or rotated away) is reopened as soon as it
is plainly back: its token works again (checked with ``auth.test`` when the server or a tick starts,
in single-workspace mode) or Slack sends an authorized request from it. Until then its scheduled
sends wait; a workspace used again is never purged (``Store.purge_stopped_workspaces``)."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.http.middleware import Next, RequestMiddleware
from bot.slack.errors import SLACK_FAILURES, describe
from bot.usecases.workspaces import Workspaces

log = logging.getLogger(__name__)
LEAVING_EVENTS = frozenset({"app_uninstalled", "tokens_revoked"})


def reopen_if_token_works(client: WebClient, workspaces: Workspaces) -> str | None:
    """Ask Slack whose token this is; reopen that workspace if it was stopped. Returns its id."""
    try:
        team_id = str(client.auth_test().get("team_id") or "")
    except SLACK_FAILURES as error:
        log.warning("auth.test failed at start-up: %s", describe(error))
        return None
    if team_id:
        workspaces.back(team_id, "its bot token works again")
    return team_id or None


def register(app: App, workspaces: Workspaces) -> None:
    def reopen_on_activity(req: BoltRequest, next: Next) -> None:
        """Bolt has authorized this request for ``context.team_id``: the app is installed there."""
        body, context = req.body, req.context
        event = body.get("event")
        leaving = isinstance(event, dict) and event.get("type") in LEAVING_EVENTS
        team_id = context.team_id
        if team_id and not leaving:
            workspaces.back(team_id, f"an authorized {body.get('type')} request came from it")
        next()

    app.middleware(RequestMiddleware(reopen_on_activity))
