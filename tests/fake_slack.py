"""A fake Slack Web API: a small threaded HTTP server on 127.0.0.1 that records calls and answers
like Slack does, including ``ok: false`` errors and 429s with ``Retry-After``."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from tests.fake_slack_answers import answer
from tests.fake_slack_canvases import FakeCanvases
from tests.fake_slack_http import handler_for
from tests.fake_slack_lists import FakeLists


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fault:
    """What the fake answers instead of success, for the next ``times`` calls of a method."""

    times: int
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0  # answer this late (to make the client time out); the call still "happens"
    succeed: bool = False  # with a delay: the call works, only the answer comes too late
    hang_up: bool = False  # the call works, then the connection closes without an answer


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
        self.canvases: FakeCanvases = FakeCanvases()  # what each canvas holds, section by section
        self.lists: FakeLists = FakeLists()  # each Slack List's columns and items
        self.socket_mode_url = "wss://socket-mode.invalid/link/?ticket=test"  # what apps.connections.open gives
        self.gates: dict[str, threading.Event] = {}  # method -> its answers wait until the event is set
        # Slack-like rate limit on chat.postMessage per token (workspace): a bucket of ``message_burst``
        # refilled at ``message_rate`` per second; beyond it, 429 with Retry-After.
        self.message_rate: float | None = None
        self.message_burst = 2.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self.latency = 0.0  # seconds every Web API call takes before it happens and is answered, as Slack's do
        self._server = FakeSlackServer(("127.0.0.1", port), self._handler())
        # A short poll, as Bolt's own mock server uses: ``stop`` waits at most this long.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)

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
        hang_up: bool = False,
    ) -> None:
        with self._lock:
            fault = Fault(times, status, error, retry_after, delay, succeed or hang_up, hang_up)
            self.faults.setdefault(method, []).append(fault)

    def hold(self, method: str) -> threading.Event:
        """Answer no ``method`` call (each is still recorded as it arrives) until the returned event
        is set: a Slack that is slow for exactly as long as a test needs."""
        gate = self.gates[method] = threading.Event()
        return gate

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
                        "ts": c.response.get("ts"),
                        "actions": [b.get("block_id") for b in blocks_of(c) if b.get("type") == "actions"],
                    }
                    for c in calls
                ],
            }

    def arrivals_after(self, since: int, wait: float) -> dict[str, Any]:
        """``arrivals(since)``, waiting up to ``wait`` seconds for a call past ``since`` (a long poll)."""
        deadline = time.monotonic() + wait
        with self._lock:
            while len(self.calls) <= since and (remaining := deadline - time.monotonic()) > 0:
                self._lock.wait(remaining)
        return self.arrivals(since)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    # Answers

    def _answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        if self.latency:
            time.sleep(self.latency)  # the call happens (and is recorded) when Slack answers it
            call.at = time.monotonic()
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
            hang_up = fault is not None and fault.hang_up
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
            gate = self.gates.get(call.method)
        if gate is not None:
            gate.wait(timeout=30)
        if delay:
            time.sleep(delay)
        return (0 if hang_up else status), headers, body

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
        return answer(self, call)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return handler_for(self)


class FakeSlackServer(ThreadingHTTPServer):
    """A thread per connection; the listen backlog is read when the socket starts listening (in the
    constructor), so it is set here: a burst of new connections waits in it instead of being refused."""

    request_queue_size = 1024
    daemon_threads = True


def blocks_of(call: Call) -> list[dict[str, Any]]:
    blocks = call.args.get("blocks")
    return [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []


def serve_forever() -> None:
    """``python -m tests.fake_slack --port P [--rate R] [--latency-ms L]``: the fake in its own
    process, for benchmarks."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=None, help="chat.postMessage per second per token")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="how long every Web API call takes")
    args = parser.parse_args()
    fake = FakeSlack(port=args.port)
    fake.message_rate = args.rate
    fake.latency = args.latency_ms / 1000
    print(fake.url, flush=True)
    fake._server.serve_forever()


if __name__ == "__main__":
    serve_forever()
