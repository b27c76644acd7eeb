"""The Bolt app factory: one place where settings, store and listeners meet."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.http import reopen
from bot.http.authorization import OncePerWorkspaceAuthorize, OwnWorkspace, cached_authorize, keep_to_own_workspace
from bot.http.event_claims import HANDLED_EVENT, drop_handled_events
from bot.http.middleware import Next, RequestMiddleware
from bot.http.payload_shape import may_hold_surrogates, shape_problem, without_lone_surrogates
from bot.listeners import register_listeners
from bot.listeners.reply import OUTBOX_KEY, PROMPTS_KEY
from bot.logs import install_token_redaction
from bot.sending.outbox import Outbox
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.installations import BOT_SCOPES, installation_store, state_store
from bot.store.factory import STORE_ERRORS, AnyStore
from bot.store.requests import CopyHandled
from bot.store.snapshots import StaleSnapshot
from bot.usecases.prompts import OpenPrompts
from bot.usecases.services import Services
from bot.usecases.workspaces import Workspaces
from flows.content import LANGUAGES, load_bundle
from flows.readiness_answers import warm_up
from flows.reading import lexicon_for
from flows.values import Clock, utc_now, whole_number

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
LAZY_WORKERS = 3
ATTEMPTS = 2  # a request whose reads went stale before it wrote is run again, under the lock from the start
STALE = 409  # what the error handler answers for a listener that met StaleSnapshot, to be run again


class CoachApp(App):
    """Bolt's App with each request handled as one unit of work: whatever the listener's use cases
    write, the replies it keeps in the outbox, and the request's own record (its event id, its
    signature) commit together before the response goes back to Slack (Bolt's middleware ``next()``
    does not wrap the listener, so this wraps ``dispatch``). A failed request keeps nothing, so Slack's
    retry of it is handled afresh.

    The writers' lock covers the writes alone: the request reads and decides on a snapshot, takes the
    lock at its first write whose result it waits for (the others wait for it: ``Session._write_unread``),
    and its own record is its last write. If another writer committed after
    the snapshot was taken (``StaleSnapshot``), the request is run again from the start, that time
    holding the lock throughout, so it cannot go stale twice."""

    def __init__(self, *args: Any, store: AnyStore, outbox: Outbox, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coach_store = store
        self.coach_outbox = outbox
        self.coach_clock = clock
        self.coach_prompts = OpenPrompts(store, clock)

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        problem = shape_problem(req.body)
        if problem is not None:  # signed, yet no Slack payload: Bolt would fail on it with a 500
            log.warning("refused a signed request: %s", problem)
            return BoltResponse(status=400, body="")
        if may_hold_surrogates(req.raw_body):
            req.body = without_lone_surrogates(req.body)
        req.context[OUTBOX_KEY] = self.coach_outbox
        req.context[PROMPTS_KEY] = self.coach_prompts
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.coach_store.unit_of_work(snapshot=True, exclusive=attempt > 1):
                    response = super().dispatch(req)
                    if response.status == STALE:
                        raise StaleSnapshot("a listener read data that changed before it wrote")
                    if response.status >= 500:  # a listener failed half-way: keep none of what it wrote
                        raise FailedRequest(response)
                    self._record(req)
                return response
            except StaleSnapshot:
                log.info("a request read data that changed before it wrote; handled again (%d)", attempt)
            except FailedRequest as failed:
                return failed.response
            except CopyHandled:
                log.warning("refused a replayed request (its signature was already used)")
                return BoltResponse(status=401, body="")
            except STORE_ERRORS as error:  # the commit itself failed: a full disk, the file gone, no server
                return unavailable(error)
        return unavailable(StaleSnapshot(f"still changing under it after {ATTEMPTS} attempts"))

    def _record(self, req: BoltRequest) -> None:
        """The request's last writes, which rest on no earlier read: its event handled, its signature
        seen. A copy of it that committed meanwhile makes this one keep nothing."""
        self.coach_store.end_reading()
        event_id = req.context.get(HANDLED_EVENT)
        if event_id and not self.coach_store.record_event(event_id, self.coach_clock()):
            log.info("dropped a retry of event %s, handled meanwhile", event_id)
            raise FailedRequest(BoltResponse(status=200, body=""))
        signature, seen_at = self._signature(req)
        if signature and not self.coach_store.first_sight_of_signature(signature, seen_at):
            log.warning("refused a replayed request (its signature was already used)")
            raise FailedRequest(BoltResponse(status=401, body=""))

    def refuse_replays(self, req: BoltRequest, next: Next) -> BoltResponse | None:
        """After Bolt's authorization: a request whose signature was already used is refused before any
        listener runs (a read; the signature is written last, with the request's other writes). A store
        that refuses copies at the commit skips the read: there the replay's work is rolled back."""
        signature, _ = self._signature(req)
        if signature and not self.coach_store.copies_refused_at_commit and self.coach_store.signature_seen(signature):
            log.warning("refused a replayed request (its signature was already used)")
            return BoltResponse(status=401, body="")
        next()
        return None

    def snapshot_from_here(self, req: BoltRequest, next: Next) -> None:
        """The last middleware before the listeners: what they read, their decision rests on
        (``begin_snapshot``); what the middlewares read does not (``Session.begin_snapshot``)."""
        self.coach_store.begin_snapshot()
        next()

    @staticmethod
    def _signature(req: BoltRequest) -> tuple[str, float]:
        """A signed request's signature, and until when it is remembered: as of its own timestamp when
        that is ahead of this server's clock, since the signature check takes timestamps up to five
        minutes either side of now, so a request stamped ahead stays valid for longer."""
        signature = next(iter(req.headers.get("x-slack-signature") or []), "")
        stamped = whole_number(next(iter(req.headers.get("x-slack-request-timestamp") or []), "")) or 0
        return signature, max(time.time(), stamped)


class AfterCommit(Executor):
    """Runs Bolt's lazy listeners once the request's unit of work has committed: a request refused as
    a copy of one handled meanwhile, run again, or failed starts none of them."""

    def __init__(self, store: AnyStore, workers: int) -> None:
        self.store = store
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reply")

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        started: Future[T] = Future()

        def start() -> None:
            self.pool.submit(fn, *args, **kwargs).add_done_callback(lambda done: chain(done, started))

        self.store.after_commit(start)
        return started


def chain(done: Future[T], started: Future[T]) -> None:
    if done.exception() is not None:
        started.set_exception(done.exception())
    else:
        started.set_result(done.result())


def unavailable(error: Exception) -> BoltResponse:
    """A request that could not be durably stored is not acknowledged: 503, so Slack retries its
    events (after the disk has room again, or the server was restarted on the right file)."""
    log.error("could not store a request, answered 503: %s", error)
    return BoltResponse(status=503, body="")


class FailedRequest(Exception):
    def __init__(self, response: BoltResponse) -> None:
        super().__init__(response.status)
        self.response = response


def create_app(settings: Settings, store: AnyStore, clock: Clock = utc_now, socket_mode: bool = False) -> App:
    """The app for HTTP, where every request must carry Slack's signature, or for Socket Mode
    (``socket_mode=True``), where requests arrive over the connection the app-level token opened and
    Slack signs nothing, so no signing secret is needed."""
    install_token_redaction()
    for language in LANGUAGES:
        lexicon_for(language)  # build the reader's word tables now, not on a member's first reply
        warm_up(language)
    signing_secret = settings.secret(settings.slack_signing_secret)
    if not signing_secret and not socket_mode:
        raise ValueError("SLACK_SIGNING_SECRET is not set")
    installations = installation_store(settings, store)
    client = make_web_client(settings)
    oauth_settings, authorize = oauth(settings, store, installations, client)
    app = CoachApp(
        store=store,
        outbox=Outbox(store, clock),
        clock=clock,
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=bool(signing_secret),
        oauth_settings=oauth_settings,
        authorize=authorize,
        process_before_response=True,
        raise_error_for_unhandled_request=True,
        # Few workers for the lazy listeners that must call Slack at once (views.open, within the
        # trigger's seconds); everything else leaves through the outbox.
        listener_executor=AfterCommit(store, LAZY_WORKERS),
    )

    if installations is None:
        app.middleware(keep_to_own_workspace(OwnWorkspace.of_token(client)))
    # after authorization: Slack is never asked under the writers' lock
    app.middleware(RequestMiddleware(app.refuse_replays))
    app.middleware(drop_handled_events(store))
    reopen.register(app, Workspaces(store, installations, clock))
    app.middleware(RequestMiddleware(app.snapshot_from_here))

    app.error(log_errors)
    register_listeners(app, Services(store=store, bundle=load_bundle(), clock=clock, installations=installations))
    return app


def oauth(
    settings: Settings, store: AnyStore, installations: InstallationStore | None, client: WebClient
) -> tuple[OAuthSettings | None, OncePerWorkspaceAuthorize | None]:
    """In OAuth mode: Bolt's install flow on the coach's database, and authorization cached per workspace."""
    if installations is None:
        return None, None
    assert settings.slack_client_id is not None
    client_secret = settings.secret(settings.slack_client_secret)
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=state_store(store),
    )
    return oauth_settings, cached_authorize(installations, settings.slack_client_id, client_secret, client)


def log_errors(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Nobody sees a stack trace: unknown requests get a quiet 404, a store that cannot take the
    request's writes 503, other failures a logged 500."""
    if isinstance(error, BoltUnhandledRequestError):
        log.info("no listener for a %s request", body.get("type"))
        return BoltResponse(status=404, body="")
    if isinstance(error, StaleSnapshot):
        return BoltResponse(status=STALE, body="")  # the request is run again (``CoachApp.dispatch``)
    if isinstance(error, STORE_ERRORS):
        return unavailable(error)
    log.exception("listener failed on a %s request", body.get("type"), exc_info=error)
    return BoltResponse(status=500, body="")
