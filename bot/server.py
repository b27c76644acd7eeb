"""HTTP mode: Bolt's WSGI adapter behind waitress, a production WSGI server, plus a health check."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from bot.store import Store

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def wsgi_application(app: App, store: Store) -> WSGIApplication:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            store.db.execute("select 1").fetchone()
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        try:
            return slack(environ, start_response)
        except Exception as error:
            # Bolt parses the body before it checks the signature (listener failures are handled
            # inside Bolt), so what escapes is a body that is not a Slack payload at all: no JSON, or
            # JSON that is not an object. It cannot be from Slack and gets a plain 400, not a 500.
            log.warning("refused a request Bolt could not parse: %s", type(error).__name__)
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"bad request\n"]

    return application


def make_server(
    app: App,
    store: Store,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = 8,
    sockets: list[socket.socket] | None = None,
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server, not yet serving; ``.run()`` serves until interrupted. With ``sockets`` it
    serves those already-listening sockets (shared by several processes) instead of binding."""
    application = wsgi_application(app, store)
    server: BaseWSGIServer | MultiSocketServer
    if sockets:
        server = create_server(application, sockets=sockets, threads=threads)
    else:
        server = create_server(application, host=host, port=port, threads=threads)
    return server
