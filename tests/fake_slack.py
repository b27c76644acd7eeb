"""A fake Slack Web API: a small threaded HTTP server on 127.0.0.1 that records calls and answers
like Slack does, including ``ok: false`` errors and 429s with ``Retry-After``."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] = field(default_factory=dict)
    peer: int = 0  # the client's port: calls on one kept-alive connection share it


@dataclass
class Fault:
    """What the fake answers instead of success, for the next ``times`` calls of a method."""

    times: int
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0  # answer this late (to make the client time out); the call still "happens"
    succeed: bool = False  # with a delay: the call works, only the answer comes too late


Responder = Callable[[Call], dict[str, Any]]
TEXT_PREFIX = 40  # how much of each message's text ``/_calls`` shows
T = TypeVar("T")


class FakeSlack:
    def __init__(self, team_id: str = "T0001", port: int = 0) -> None:
        self.team_id = team_id
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.responders: dict[str, Responder] = {}
        self.rate_limit_every: dict[str, int] = {}  # method -> every Nth call answers 429
        self.counts: dict[str, int] = {}
        self.token_teams: dict[str, str] = {}  # bot token -> the workspace it belongs to
        self.drop_connections = False  # close each connection after one answer, though it said keep-alive
        # Slack-like rate limit on chat.postMessage per token (workspace): a bucket of ``message_burst``
        # refilled at ``message_rate`` per second; beyond it, 429 with Retry-After.
        self.message_rate: float | None = None
        self.message_burst = 2.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.request_queue_size = 256
        self._server.daemon_threads = True
        # A short poll, as Bolt's own mock server uses: ``stop`` waits at most this long.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # Lifecycle

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def response_url(self, name: str) -> str:
        return self.url.replace("/api/", f"/respond/{name}")

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # Programming the fake

    def fail(
        self,
        method: str,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
        succeed: bool = False,
    ) -> None:
        with self._lock:
            self.faults.setdefault(method, []).append(Fault(times, status, error, retry_after, delay, succeed))

    # Reading what happened

    def calls_to(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and all(c.args.get(k) == v for k, v in match.items())]

    def wait_until(self, found: Callable[[list[Call]], T | None], timeout: float = 10.0, expected: str = "") -> T:
        """Wait, on the fake's own condition, until ``found`` returns something for the calls so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = found(self.calls)
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"waited {timeout} s for {expected or 'a call'}")
                self._lock.wait(remaining)

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0, **match: Any) -> list[Call]:
        def matching(calls: list[Call]) -> list[Call] | None:
            hits = [c for c in calls if c.method == method and all(c.args.get(k) == v for k, v in match.items())]
            return hits if len(hits) >= count else None

        return self.wait_until(matching, timeout, f"{count} {method} call(s) matching {match}")

    def messages_to(self, channel: str) -> list[Call]:
        return self.calls_to("chat.postMessage", channel=channel)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            delivered: dict[str, int] = {}
            for call in self.calls:
                if call.method == "chat.postMessage" and call.response.get("ok"):
                    channel = str(call.args.get("channel"))
                    delivered[channel] = delivered.get(channel, 0) + 1
            refused = sum(1 for c in self.calls if c.method == "chat.postMessage" and not c.response.get("ok"))
            return {"delivered": delivered, "refused": refused, "calls": len(self.calls)}

    def arrivals(self, since: int = 0) -> dict[str, Any]:
        """Calls from index ``since`` on: method, channel, arrival (``time.monotonic``, which on Linux is
        one clock for every process, so a load generator can compare it with its own send times) and
        the start of the text; ``next`` is the index to ask from next time."""
        with self._lock:
            calls = self.calls[since:]
            return {
                "next": len(self.calls),
                "calls": [
                    {
                        "method": c.method,
                        "channel": c.args.get("channel"),
                        "at": c.at,
                        "text": str(c.args.get("text") or "")[:TEXT_PREFIX],
                        "ok": bool(c.response.get("ok")),
                    }
                    for c in calls
                ],
            }

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    # Answers

    def _answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            queue = self.faults.get(call.method) or []
            fault = queue[0] if queue else None
            self.counts[call.method] = self.counts.get(call.method, 0) + 1
            every = self.rate_limit_every.get(call.method)
            if fault is None and every and self.counts[call.method] % every == 0:
                fault = Fault(times=1, status=429, error="ratelimited", retry_after=1)
                queue = [fault]
            if fault is None and call.method == "chat.postMessage" and not self._take_token(call.token or ""):
                fault = Fault(times=1, status=429, error="ratelimited", retry_after=1)
                queue = [fault]
            headers: dict[str, str] = {}
            delay = 0.0
            if fault is not None and fault.succeed:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                delay, fault = fault.delay, None
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                delay = fault.delay
                status = fault.status
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                body: dict[str, Any] = {"ok": False, "error": fault.error or "ratelimited"}
            else:
                status = 200
                responder = self.responders.get(call.method, self._success)
                body = responder(call)
            call.response = body
            self.calls.append(call)
            self._lock.notify_all()
        if delay:
            time.sleep(delay)
        return status, headers, body

    def _take_token(self, token: str) -> bool:
        if self.message_rate is None:
            return True
        now = time.monotonic()
        level, since = self._buckets.get(token, (self.message_burst, now))
        level = min(self.message_burst, level + (now - since) * self.message_rate)
        if level < 1:
            self._buckets[token] = (level, now)
            return False
        self._buckets[token] = (level - 1, now)
        return True

    def _success(self, call: Call) -> dict[str, Any]:
        args = call.args
        if call.method == "auth.test":
            team = self.token_teams.get(call.token or "", self.team_id)
            return {"ok": True, "team_id": team, "team": "Test", "user_id": "UBOT", "bot_id": f"B{team}"}
        if call.method == "oauth.v2.access":
            team = f"T{args.get('code', 'NEW')}"
            token = f"xoxb-{team}"
            self.token_teams[token] = team
            return {
                "ok": True,
                "app_id": "A0COACH",
                "authed_user": {"id": "U0INSTALLER"},
                "scope": "chat:write,commands",
                "token_type": "bot",
                "access_token": token,
                "bot_user_id": "UBOT",
                "team": {"id": team, "name": "Installed"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if call.method == "conversations.open":
            user = str(args.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": f"D{user}"}}
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = args.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text")}}
        if call.method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            return {"ok": True, "upload_url": self.url.replace("/api/", f"/upload/{file_id}"), "file_id": file_id}
        if call.method == "upload":
            return {"ok": True}
        if call.method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if call.method == "conversations.history":
            channel = args.get("channel")
            posted = [
                {
                    "type": "message",
                    "ts": c.response.get("ts"),
                    "text": c.args.get("text"),
                    "metadata": c.args.get("metadata"),
                }
                for c in self.calls
                if c.method == "chat.postMessage" and c.args.get("channel") == channel and c.response.get("ok")
            ]
            return {"ok": True, "messages": list(reversed(posted))[: int(args.get("limit", 100))]}
        if call.method == "users.info":
            user_id = str(args.get("user"))
            profile = self.users.get(user_id, {"id": user_id, "tz": "Europe/Helsinki", "locale": "en-US"})
            if profile.get("missing"):
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": profile}
        if call.method in ("canvases.create", "conversations.canvases.create"):
            return {"ok": True, "canvas_id": f"F{next(self._ts):06d}"}
        return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; on a kept-alive connection Nagle's algorithm
            # would hold the body until the client's delayed ACK (40 ms). Slack's servers do not.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                """``/_stats`` (duplicates and misses) and ``/_calls?since=N`` (arrivals), for benchmarks
                in another process."""
                path, _, query = self.path.partition("?")
                if path == "/_stats":
                    payload = json.dumps(fake.stats()).encode("utf-8")
                elif path == "/_calls":
                    since = dict(parse_qsl(query)).get("since", "0")
                    payload = json.dumps(fake.arrivals(int(since) if since.isdigit() else 0)).encode("utf-8")
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
                call = Call(method=method, args=args, token=token, peer=int(self.client_address[1]))
                status, headers, body = fake._answer(call)
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
                # A server that drops idle keep-alive connections, without saying so in the answer.
                self.close_connection = self.close_connection or fake.drop_connections

        return Handler


def serve_forever() -> None:
    """``python -m tests.fake_slack --port P [--rate R]``: the fake in its own process, for benchmarks."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=None, help="chat.postMessage per second per token")
    args = parser.parse_args()
    fake = FakeSlack(port=args.port)
    fake.message_rate = args.rate
    print(fake.url, flush=True)
    fake._server.serve_forever()


if __name__ == "__main__":
    serve_forever()
