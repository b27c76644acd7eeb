"""The fake Slack's HTTP side: Web API calls as Slack's servers take them, and two read-outs for benchmarks."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from tests.fake_slack import FakeSlack


class FakeSlackHandler(BaseHTTPRequestHandler):
    """One request to the fake; ``fake`` is set on the subclass ``handler_for`` makes."""

    fake: FakeSlack

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; on a kept-alive connection Nagle's algorithm
    # would hold the body until the client's delayed ACK (40 ms). Slack's servers do not.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        """``/_stats`` (duplicates and misses) and ``/_calls?since=N[&wait=S]`` (arrivals), for
        benchmarks in another process."""
        path, _, query = self.path.partition("?")
        if path == "/_stats":
            payload = json.dumps(self.fake.stats()).encode("utf-8")
        elif path == "/_calls":
            params = dict(parse_qsl(query))
            since = int(params["since"]) if params.get("since", "").isdigit() else 0
            wait = float(params.get("wait") or 0)  # a long poll: wait up to this long for a call past ``since``
            payload = json.dumps(self.fake.arrivals_after(since, min(wait, 30.0))).encode("utf-8")
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        if self.path.startswith("/upload/"):
            args = {"file_id": self.path.rsplit("/", 1)[-1], "content": raw}
        elif self.headers.get("Content-Type", "").startswith("application/json"):
            args = json.loads(raw or "{}")
        else:
            args = dict(parse_qsl(raw))
            for key in ("blocks", "view", "attachments"):
                if isinstance(args.get(key), str):
                    args[key] = json.loads(args[key])
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else args.get("token")
        method = self.path.split("?")[0].rsplit("/", 1)[-1]
        if self.path.startswith("/respond/"):
            method = "response_url"
        elif self.path.startswith("/upload/"):
            method = "upload"
        from tests.fake_slack import Call  # the fake imports this module: read its Call once it is loaded

        call = Call(method=method, args=args, token=token)
        status, headers, body = self.fake._answer(call)
        if status == 0:  # the call took effect; the answer never comes back
            self.close_connection = True
            return
        payload = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: exactly what a timeout test wants


def handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``fake`` (``http.server`` builds one handler per request)."""
    return type("Handler", (FakeSlackHandler,), {"fake": fake})
