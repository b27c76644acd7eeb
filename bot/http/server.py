"""HTTP mode: Bolt's WSGI adapter behind waitress, a production WSGI server, plus a health check."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from bot.http.request_guard import MAX_BODY_BYTES, guard_events
from bot.sending.recovery import OWNER_SILENT_SECONDS
from bot.store.factory import STORE_ERRORS, AnyStore
from flows.values import Clock, utc_now

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


@dataclass
class SenderWatch:
    """Whether the sending process this server started is alive: it beats a heartbeat in the database
    every few seconds, so one that died, froze or cannot write shows as silence."""

    store: AnyStore
    silence: float = OWNER_SILENT_SECONDS
    wall_clock: Callable[[], float] = time.time
    since: float = field(default_factory=time.time)  # a sender just started has not beaten yet

    def problem(self) -> str | None:
        now = self.wall_clock()
        if now - self.since < self.silence or self.store.live_senders(now - self.silence):
            return None
        return f"no sending process has shown a sign of life for {self.silence:.0f} s"


def wsgi_application(
    app: App, store: AnyStore, clock: Clock = utc_now, sender: SenderWatch | None = None
) -> WSGIApplication:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return health(store, clock(), start_response, sender)
        try:
            return slack(environ, start_response)
        except STORE_ERRORS as error:  # not the payload's fault: the store cannot take it now
            log.error("could not store a request, answered 503: %s", error)
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"unavailable\n"]
        except Exception as error:
            # Bolt parses the body before it checks the signature (listener failures are handled
            # inside Bolt), so what escapes is a body that is not a Slack payload at all: no JSON, or
            # JSON that is not an object. It cannot be from Slack and gets a plain 400, not a 500.
            log.warning("refused a request Bolt could not parse: %s", type(error).__name__)
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"bad request\n"]

    # Bolt keeps the signing secret it verifies with as ``_signing_secret``; the guard checks the same one.
    return guard_events(application, str(getattr(app, "_signing_secret", "")), EVENTS_PATH)


def health(store: AnyStore, now: datetime, start_response: StartResponse, sender: SenderWatch | None) -> list[bytes]:
    """``ok`` only when a request could be served and answered: the path still names the open database
    file, a real table reads, a write commits, and (``coach run``) the sending process is alive.
    Otherwise 503, with the reason in the log only."""
    problem = store.health_problem(now) or (sender.problem() if sender is not None else None)
    if problem is None:
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"ok\n"]
    log.error("health check failed: %s", problem)
    start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"unavailable\n"]


def make_server(
    app: App,
    store: AnyStore,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = 8,
    sockets: list[socket.socket] | None = None,
    sender: SenderWatch | None = None,
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server, not yet serving; ``.run()`` serves until interrupted. With ``sockets`` it
    serves those already-listening sockets (shared by several processes) instead of binding."""
    application = wsgi_application(app, store, sender=sender)
    server: BaseWSGIServer | MultiSocketServer
    if sockets:
        server = create_server(
            application, sockets=sockets, threads=threads, max_request_body_size=MAX_BODY_BYTES
        )
    else:
        server = create_server(
            application, host=host, port=port, threads=threads, max_request_body_size=MAX_BODY_BYTES
        )
    return server
