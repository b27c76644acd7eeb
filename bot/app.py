"""The Bolt app factory: one place where settings, store and listeners meet."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot import reopen
from bot.event_claims import EventClaimingApp, event_claim_middleware
from bot.installations import BOT_SCOPES, installation_store, state_store
from bot.listeners import register_listeners
from bot.logs import install_token_redaction
from bot.services import Services
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.store import Store
from flows.content import LANGUAGES, load_bundle
from flows.reading import lexicon_for
from flows.values import Clock, utc_now

log = logging.getLogger(__name__)
LAZY_WORKERS = 3


def create_app(settings: Settings, store: Store, clock: Clock = utc_now) -> App:
    install_token_redaction()
    for language in LANGUAGES:
        lexicon_for(language)  # build the reader's word tables now, not on a member's first reply
    signing_secret = settings.secret(settings.slack_signing_secret)
    if not signing_secret:
        raise ValueError("SLACK_SIGNING_SECRET is not set")
    installations = installation_store(settings, store)
    oauth_settings = None
    if installations is not None:
        oauth_settings = OAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.secret(settings.slack_client_secret),
            scopes=list(BOT_SCOPES),
            installation_store=installations,
            state_store=state_store(store),
        )
    app = EventClaimingApp(
        client=make_web_client(settings),
        signing_secret=signing_secret,
        oauth_settings=oauth_settings,
        process_before_response=True,
        raise_error_for_unhandled_request=True,
        # Few workers for the lazy halves (the replies): under load, acks keep the CPU they need to
        # answer Slack within its 3 seconds, and replies queue a little instead.
        listener_executor=ThreadPoolExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="reply"),
    )

    app.claims = store
    app.middleware(event_claim_middleware(store, clock))
    reopen.register(app, store)

    @app.error
    def log_errors(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """Nobody sees a stack trace: unknown requests get a quiet 404, failures a logged 500."""
        if isinstance(error, BoltUnhandledRequestError):
            log.info("no listener for a %s request", body.get("type"))
            return BoltResponse(status=404, body="")
        log.exception("listener failed on a %s request", body.get("type"), exc_info=error)
        return BoltResponse(status=500, body="")

    register_listeners(app, Services(store=store, bundle=load_bundle(), clock=clock, installations=installations))
    return app
