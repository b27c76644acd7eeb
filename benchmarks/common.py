"""Helpers the benchmarks share: the fake Slack Web API in a process of its own, and free ports."""

from __future__ import annotations

import json
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
