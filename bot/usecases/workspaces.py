"""The app leaving a workspace: uninstalled, or its bot token revoked."""

from __future__ import annotations

import logging

from slack_sdk.oauth.installation_store import InstallationStore

from bot.store.interfaces import CoachStore
from flows.values import Clock

log = logging.getLogger(__name__)


class Workspaces:
    def __init__(self, store: CoachStore, installations: InstallationStore | None, clock: Clock) -> None:
        self.store = store
        self.installations = installations
        self.clock = clock

    def app_left(self, team_id: str, enterprise_id: str | None, reason: str, bot_token_revoked: bool) -> None:
        """Uninstalled, or the bot's token revoked: stop the workspace's scheduled jobs at once and drop
        its tokens. (Revoking only user tokens leaves the coach working.)

        Its member data stays for ``COACH_RETENTION_DAYS`` (a reinstall picks up where it left off),
        then the scheduler deletes it.
        """
        if reason != "app_uninstalled" and not bot_token_revoked:
            return
        self.store.stop_workspace(team_id, reason, self.clock())
        installations = self.installations
        if installations is not None:
            # slack_sdk's store writes on a connection of its own: after this request's transaction.
            self.store.after_commit(lambda: installations.delete_all(enterprise_id=enterprise_id, team_id=team_id))
        log.info("workspace %s stopped: %s", team_id, reason)

    def stop(self, team_id: str, reason: str) -> None:
        """Slack refused the workspace's token: nothing more is sent there until it is back."""
        self.store.stop_workspace(team_id, reason, self.clock())

    def back(self, team_id: str, why: str) -> None:
        """The app is plainly installed in the workspace again (its token works, or Slack sent an
        authorized request from it): reopen it if it was stopped, and say so in the log once that is
        committed (a request refused as a copy, or run again, reopens nothing)."""

        def say_so() -> None:
            self.store.after_commit(lambda: log.info("workspace %s reopened: %s", team_id, why))

        self.store.reopen_workspace(team_id, say_so)
