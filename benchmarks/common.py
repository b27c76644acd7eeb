"""Helpers the benchmarks share: the fake Slack Web API in a process of its own, and free ports."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier

from tests.processes import children_of

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, so it is up
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def fake_slack_process(rate: float | None = None) -> Iterator[str]:
    """The fake Web API in its own process, so it does not share the interpreter lock with what is measured."""
    port = free_port()
    command = [sys.executable, "-m", "tests.fake_slack", "--port", str(port)]
    if rate is not None:
        command += ["--rate", str(rate)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/_stats")
        yield base + "/api/"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def fake_stats(api_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(api_url.replace("/api/", "/_stats"), timeout=30) as response:
        stats: dict[str, Any] = json.loads(response.read())
        return stats


# Interaction load: signed clicks, their send and ack times, and when their next question arrived.

QUESTION_MARK = "*Question"


@dataclass(frozen=True)
class Click:
    """One request, signed before the timed loop, and what it should make the member see next."""

    body: bytes
    headers: dict[str, str]
    channel: str
    number: int  # which question it answers (0 for a setup request)
    expect: str  # the next message's text starts with this; "" means the first that is not a question


@dataclass(frozen=True)
class Sent:
    click: Click
    sent_at: float  # time.monotonic() just before the request went out
    acked_at: float


def signed(secret: str, body: str, channel: str, number: int, expect: str = "") -> Click:
    timestamp = str(int(time.time()))
    signature = str(SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    return Click(body.encode("utf-8"), headers, channel, number, expect)


def run_clicks(port: int, work: list[list[Click]]) -> list[Sent]:
    """One thread per list, each posting its clicks one after another on a keep-alive connection."""
    sent: list[Sent] = []
    lock = threading.Lock()

    def worker(clicks: list[Click]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        for click in clicks:
            started = time.monotonic()
            connection.request("POST", "/slack/events", body=click.body, headers=click.headers)
            response = connection.getresponse()
            response.read()
            mine.append(Sent(click, started, time.monotonic()))
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        connection.close()
        with lock:
            sent.extend(mine)

    threads = [threading.Thread(target=worker, args=(clicks,)) for clicks in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent


def fake_calls(api_url: str, since: int) -> dict[str, Any]:
    with urllib.request.urlopen(api_url.replace("/api/", f"/_calls?since={since}"), timeout=30) as response:
        calls: dict[str, Any] = json.loads(response.read())
        return calls


def wait_until_drained(api_url: str, since: int | None = None, expect_posts: int = 0, timeout: float = 120) -> int:
    """Wait until the fake has received ``expect_posts`` messages since call ``since`` and then nothing
    more for a moment; returns the index of the next call."""
    deadline = time.monotonic() + timeout
    start = fake_calls(api_url, 10**12)["next"] if since is None else since
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        calls = fake_calls(api_url, start)
        posts = sum(1 for c in calls["calls"] if c["method"] == "chat.postMessage")
        if calls["next"] != last:
            last, quiet_since = calls["next"], time.monotonic()
        elif posts >= expect_posts and time.monotonic() - quiet_since >= 0.3:
            return int(calls["next"])
        time.sleep(0.05)
    raise TimeoutError(f"the fake did not receive {expect_posts} messages within {timeout} s")


def next_question_times(api_url: str, since: int, sent: list[Sent]) -> list[float]:
    """For each click, seconds from its send to the arrival of the message it leads to (missing: inf)."""
    arrivals: dict[str, list[tuple[float, str]]] = {}
    for call in fake_calls(api_url, since)["calls"]:
        if call["method"] == "chat.postMessage" and call["ok"]:
            arrivals.setdefault(str(call["channel"]), []).append((call["at"], call["text"]))
    latencies = []
    for s in sent:
        click = s.click
        found = [
            at
            for at, text in arrivals.get(click.channel, [])
            if at >= s.sent_at
            and (text.startswith(click.expect) if click.expect else not text.startswith(QUESTION_MARK))
        ]
        latencies.append(found[0] - s.sent_at if found else float("inf"))
    return latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live descendants (its sending and worker processes)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            pending += children_of(current)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


@dataclass
class RunFigures:
    app: str
    sent: list[Sent]
    next_question: list[float]
    cpu: float

    @property
    def acks(self) -> list[float]:
        return [s.acked_at - s.sent_at for s in self.sent]

    @property
    def throughput(self) -> float:
        """Clicks per second, from the first click sent to the last next question received."""
        first = min(s.sent_at for s in self.sent)
        last = max(s.sent_at + latency for s, latency in zip(self.sent, self.next_question, strict=True))
        return len(self.sent) / (last - first)

    @property
    def cpu_ms_per_click(self) -> float:
        return self.cpu * 1000 / len(self.sent)

    @staticmethod
    def header() -> str:
        return (
            f"{'members':>7} {'app':>5} {'clicks':>6} {'ack p50':>8} {'ack p99':>8} {'next p50':>9} "
            f"{'next p99':>9} {'clicks/s':>8} {'CPU ms/click':>12} {'missing':>7}"
        )

    def row(self, level: int) -> str:
        missing = sum(1 for latency in self.next_question if latency == float("inf"))
        found = [latency for latency in self.next_question if latency != float("inf")] or [0.0]
        return (
            f"{level:>7} {self.app:>5} {len(self.sent):>6} {percentile(self.acks, 0.5):>8.1f} "
            f"{percentile(self.acks, 0.99):>8.1f} {percentile(found, 0.5):>9.1f} {percentile(found, 0.99):>9.1f} "
            f"{self.throughput:>8.0f} {self.cpu_ms_per_click:>12.2f} {missing:>7}"
        )

    def ratios(self, bare: RunFigures) -> str:
        ack = percentile(self.acks, 0.99) / percentile(bare.acks, 0.99)
        shown = percentile(self.next_question, 0.99) / percentile(bare.next_question, 0.99)
        return (
            f"{'':>7} coach/bare: ack p99 {ack:.2f}x (goal <= 1.5), click->next question p99 {shown:.2f}x"
            f" (goal <= 1.3), throughput {self.throughput / bare.throughput:.2f}x (goal >= 0.5),"
            f" coach CPU {self.cpu_ms_per_click:.2f} ms/click (goal <= 2.5)"
        )
