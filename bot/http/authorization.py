"""Who a request may be served for, decided before the request's first write (so never under the
writers' lock) and without asking Slack on every request.

- Single-token mode: the token belongs to one workspace (``auth.test`` says which, asked once when
  the app is made). Bolt's own single-workspace check accepts any signed request with that token, so
  a request from another workspace is refused here before anything is stored for it.
- OAuth mode: Bolt's ``InstallationStoreAuthorize`` with its cache on, so ``auth.test`` runs once per
  installed token instead of on every request. A workspace that uninstalls loses its installation
  (and so its authorization); a reinstall brings a new token and a fresh ``auth.test``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.http.middleware import Next, RequestMiddleware

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OwnWorkspace:
    """The workspace (or, for an org-wide install, the Enterprise Grid org) a bot token belongs to."""

    team_id: str
    enterprise_id: str | None = None
    org_wide: bool = False

    @classmethod
    def of_token(cls, client: WebClient) -> OwnWorkspace:
        """Asks ``auth.test`` once; a failure propagates, as Bolt's own start-up check does."""
        answer = client.auth_test()
        return cls(
            team_id=str(answer.get("team_id") or ""),
            enterprise_id=str(answer.get("enterprise_id") or "") or None,
            org_wide=bool(answer.get("is_enterprise_install")),
        )

    def admits(self, team_id: str | None, enterprise_id: str | None) -> bool:
        if self.org_wide:
            return enterprise_id is not None and enterprise_id == self.enterprise_id
        return team_id is not None and team_id == self.team_id


def keep_to_own_workspace(own: OwnWorkspace) -> RequestMiddleware:
    def refuse_other_workspaces(req: BoltRequest, next: Next) -> BoltResponse | None:
        """A signed request from a workspace the token is not for: 403, nothing stored, nothing sent."""
        context = req.context
        if own.admits(context.team_id, context.enterprise_id):
            next()
            return None
        log.warning("refused a request from workspace %s: the bot token is %s's", context.team_id, own.team_id)
        return BoltResponse(status=403, body="")

    return RequestMiddleware(refuse_other_workspaces)


class OncePerWorkspaceAuthorize(InstallationStoreAuthorize):
    """Bolt's cache fills only once an ``auth.test`` returns, so requests arriving together from a
    workspace not yet seen would each ask Slack: they wait for the first one instead (one lock per
    workspace, so other workspaces never wait)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._locks: dict[tuple[str | None, str | None], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __call__(
        self, *, context: BoltContext, enterprise_id: str | None, team_id: str | None, user_id: str | None, **more: Any
    ) -> AuthorizeResult | None:
        with self._locks_guard:
            lock = self._locks.setdefault((enterprise_id, team_id), threading.Lock())
        with lock:
            return super().__call__(
                context=context, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, **more
            )


def cached_authorize(
    installations: InstallationStore, client_id: str, client_secret: str | None, client: WebClient
) -> OncePerWorkspaceAuthorize:
    """Bolt's installation-store authorization with its per-token cache of ``auth.test`` on."""
    return OncePerWorkspaceAuthorize(
        logger=log,
        installation_store=installations,
        client_id=client_id,
        client_secret=client_secret,
        client=client,
        cache_enabled=True,
    )
