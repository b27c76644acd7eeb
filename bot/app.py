"""The Bolt app factory: one place where settings, store and listeners meet."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.http import reopen
from bot.http.authorization import OwnWorkspace, cached_authorize, keep_to_own_workspace
from bot.http.event_claims import EventClaimingApp, event_claim_middleware
from bot.listeners import register_listeners
from bot.listeners.reply import OUTBOX_KEY
from bot.logs import install_token_redaction
from bot.sending.outbox import Outbox
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.installations import BOT_SCOPES, installation_store, state_store
from bot.store import Store
from bot.usecases.services import Services
from bot.usecases.workspaces import Workspaces
from flows.content import LANGUAGES, load_bundle
from flows.reading import lexicon_for
from flows.values import Clock, utc_now, whole_number

log = logging.getLogger(__name__)
LAZY_WORKERS = 3


class CoachApp(EventClaimingApp):
    """Bolt's App with each request handled as one unit of work: whatever the listener's use cases
    write, the replies it keeps in the outbox and the claim of its event id commit together before the
    response goes back to Slack (Bolt's middleware ``next()`` does not wrap the listener, so this wraps
    ``dispatch``). A failed request keeps nothing, so Slack's retry of it is handled afresh."""

    def __init__(self, *args: Any, store: Store, outbox: Outbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coach_store = store
        self.coach_outbox = outbox

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        req.context[OUTBOX_KEY] = self.coach_outbox
        try:
            with self.coach_store.unit_of_work():
                response = super().dispatch(req)
                if response.status >= 500:  # a listener failed half-way: keep none of what it wrote
                    raise FailedRequest(response)
        except FailedRequest as failed:
            return failed.response
        except sqlite3.Error as error:  # the commit itself failed: a full disk, the file gone
            return unavailable(error)
        return response

    def refuse_replays(self, req: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        """The first middleware after Bolt's authorization, so the request's first write: Slack is
        never asked anything (``auth.test``) while this request holds the writers' lock."""
        if self._replayed(req):
            return BoltResponse(status=401, body="")
        next()
        return None

    def _replayed(self, req: BoltRequest) -> bool:
        """A signed request seen before within Slack's 5-minute window (its signature is remembered in
        the request's own transaction, so one write lock per request; across processes too).

        It is remembered as of its own timestamp when that is ahead of this server's clock: the
        signature check takes timestamps up to five minutes either side of now, so a request stamped
        ahead stays valid for longer than five minutes after it arrives, and must stay refused as long."""
        signature = next(iter(req.headers.get("x-slack-signature") or []), "")
        stamped = whole_number(next(iter(req.headers.get("x-slack-request-timestamp") or []), "")) or 0
        if not signature or self.coach_store.first_sight_of_signature(signature, max(time.time(), stamped)):
            return False
        log.warning("refused a replayed request (its signature was already used)")
        return True


def unavailable(error: sqlite3.Error) -> BoltResponse:
    """A request that could not be durably stored is not acknowledged: 503, so Slack retries its
    events (after the disk has room again, or the server was restarted on the right file)."""
    log.error("could not store a request, answered 503: %s", error)
    return BoltResponse(status=503, body="")


class FailedRequest(Exception):
    def __init__(self, response: BoltResponse) -> None:
        super().__init__(response.status)
        self.response = response


def create_app(settings: Settings, store: Store, clock: Clock = utc_now, socket_mode: bool = False) -> App:
    """The app for HTTP, where every request must carry Slack's signature, or for Socket Mode
    (``socket_mode=True``), where requests arrive over the connection the app-level token opened and
    Slack signs nothing, so no signing secret is needed."""
    install_token_redaction()
    for language in LANGUAGES:
        lexicon_for(language)  # build the reader's word tables now, not on a member's first reply
    signing_secret = settings.secret(settings.slack_signing_secret)
    if not signing_secret and not socket_mode:
        raise ValueError("SLACK_SIGNING_SECRET is not set")
    installations = installation_store(settings, store)
    client = make_web_client(settings)
    oauth_settings = authorize = None
    if installations is not None:
        assert settings.slack_client_id is not None
        client_secret = settings.secret(settings.slack_client_secret)
        oauth_settings = OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=client_secret,
            scopes=list(BOT_SCOPES),
            installation_store=installations,
            state_store=state_store(store),
        )
        authorize = cached_authorize(installations, settings.slack_client_id, client_secret, client)
    app = CoachApp(
        store=store,
        outbox=Outbox(store, clock),
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=bool(signing_secret),
        oauth_settings=oauth_settings,
        authorize=authorize,
        process_before_response=True,
        raise_error_for_unhandled_request=True,
        # Few workers for the lazy listeners that must call Slack before they can answer (views.open,
        # the report's users.info); replies leave through the outbox instead.
        listener_executor=ThreadPoolExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="reply"),
    )

    if installations is None:
        app.middleware(keep_to_own_workspace(OwnWorkspace.of_token(client)))
    app.middleware(app.refuse_replays)  # the request's first write: after authorization, never before
    app.claims = store
    app.middleware(event_claim_middleware(store, clock))
    reopen.register(app, Workspaces(store, installations, clock))

    @app.error
    def log_errors(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """Nobody sees a stack trace: unknown requests get a quiet 404, a store that cannot take the
        request's writes 503, other failures a logged 500."""
        if isinstance(error, BoltUnhandledRequestError):
            log.info("no listener for a %s request", body.get("type"))
            return BoltResponse(status=404, body="")
        if isinstance(error, sqlite3.Error):
            return unavailable(error)
        log.exception("listener failed on a %s request", body.get("type"), exc_info=error)
        return BoltResponse(status=500, body="")

    register_listeners(app, Services(store=store, bundle=load_bundle(), clock=clock, installations=installations))
    return app
