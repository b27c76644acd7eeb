"""Helpers the benchmarks share: the fake Slack Web API in a process of its own, and free ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
def fake_slack_process(rate: float | None = None, latency_ms: float = 0.0) -> Iterator[str]:
    """The fake Web API in its own process, so it does not share the interpreter lock with what is
    measured; every call takes ``latency_ms`` (Slack's take 100-300 ms)."""
    port = free_port()
    command = [sys.executable, "-m", "tests.fake_slack", "--port", str(port), "--latency-ms", str(latency_ms)]
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


def fake_calls(api_url: str, since: int) -> dict[str, Any]:
    with urllib.request.urlopen(api_url.replace("/api/", f"/_calls?since={since}"), timeout=30) as response:
        calls: dict[str, Any] = json.loads(response.read())
        return calls


def call_count(api_url: str) -> int:
    """How many calls the fake has received so far (the index the next one gets)."""
    return int(fake_calls(api_url, 10**12)["next"])


def wait_until_drained(api_url: str, quiet: float = 0.3, timeout: float = 600) -> int:
    """Wait until the fake has received no call for ``quiet`` seconds; returns the index of the next call."""
    deadline = time.monotonic() + timeout
    last, quiet_since = call_count(api_url), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        count = call_count(api_url)
        if count != last:
            last, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return count
    raise TimeoutError(f"the fake was still receiving calls after {timeout} s")


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
    """The value below which ``share`` of ``values`` (seconds) lie, in milliseconds (nan if none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


@contextmanager
def database_urls(kinds: list[str], folder: str) -> Iterator[dict[str, str]]:
    """A database URL per kind ("sqlite", "postgresql") for one run: a file in ``folder``, and a
    throwaway PostgreSQL server (``tests.postgres``), each database new, stopped at the end."""
    from tests.postgres import HOW_TO_RUN, PostgresServer, server_bin

    unknown = set(kinds) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"unknown database kind(s): {', '.join(sorted(unknown))}; use sqlite and postgresql")
    server = None
    if "postgresql" in kinds:
        bin_dir = server_bin()
        if bin_dir is None:
            raise SystemExit(HOW_TO_RUN)
        server = PostgresServer(bin_dir)
    try:
        yield {
            kind: f"sqlite:///{folder}/coach-{kind}.db" if kind == "sqlite" else str(server.new_database())  # type: ignore[union-attr]
            for kind in kinds
        }
    finally:
        if server is not None:
            server.stop()
