"""Interaction load: simulated members clicking through assessments, over real HTTP.

Three processes on loopback: the fake Slack Web API; ``coach run --http`` on its production server
(waitress); and, for comparison on the same server in the same run, a bare Bolt app whose only
listener acks. N members at a time (10, 50, 200) click their six answers as fast as the acks come
back, with signed ``block_actions`` in Slack's format. Each member starts the assessment with a signed
``/coach`` first (not timed). Prints ack latency p50/p99 and throughput for both, and the ratio.

Run: .venv/bin/python benchmarks/interaction_load.py [--concurrency 10,50,200] [--members 200]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from benchmarks.common import fake_slack_process, free_port, wait_until_up  # noqa: E402
from flows.content import QUESTION_IDS  # noqa: E402
from tests.slack_driver import answer_click_body  # noqa: E402

SECRET = "benchmark-signing-secret"
TEAM = "T0001"
RATINGS = ("ready", "partly", "not_yet")
BARE_APP = """
import re, sys
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import serve
app = App(signing_secret=sys.argv[2], client=WebClient(token="xoxb-bench", base_url=sys.argv[3]))
app.action(re.compile(".*"))(lambda ack: ack())
serve(SlackRequestHandler(app), host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
"""


@contextmanager
def process(command: list[str], env: dict[str, str], health: str) -> Iterator[None]:
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(health)
        yield
    finally:
        child.terminate()
        child.wait(timeout=10)


class Client:
    """One simulated member's connection: signs and posts like Slack does."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.signer = SignatureVerifier(SECRET)

    def post(self, body: str, content_type: str) -> float:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": str(self.signer.generate_signature(timestamp=timestamp, body=body)),
        }
        started = time.perf_counter()
        self.connection.request("POST", "/slack/events", body=body.encode("utf-8"), headers=headers)
        response = self.connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        return elapsed


def command_body(user: str) -> str:
    return urlencode(
        {
            "team_id": TEAM,
            "user_id": user,
            "command": "/coach",
            "text": "",
            "channel_id": "C1",
            "response_url": "http://127.0.0.1:9/none",
            "trigger_id": "1.1.x",
            "api_app_id": "A1",
        }
    )


def run_clicks(port: int, work: list[list[str]], concurrency: int) -> tuple[list[float], float]:
    """Each worker posts its bodies one after another; returns every latency and the wall time."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(bodies: list[str]) -> None:
        client = Client(port)
        mine = [client.post(body, "application/x-www-form-urlencoded") for body in bodies]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(work[i],)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="10,50,200")
    parser.add_argument("--members", type=int, default=200, help="members per concurrency level")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    with tempfile.TemporaryDirectory() as folder, fake_slack_process() as api_url:
        db = f"{folder}/coach.db"
        coach_port, bare_port = free_port(), free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url,
            "COACH_DB": db,
            "COACH_TICK_SECONDS": "3600",
        }
        env.pop("SLACK_APP_TOKEN", None)
        coach = [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(coach_port)]
        bare = [sys.executable, "-c", BARE_APP, str(bare_port), SECRET, api_url]
        with (
            process(coach, env, f"http://127.0.0.1:{coach_port}/healthz"),
            process(bare, env, f"http://127.0.0.1:{bare_port}/"),
        ):
            print(f"{'members at once':>15} {'app':>6} {'clicks':>7} {'p50 ms':>8} {'p99 ms':>8} {'clicks/s':>9}")
            for level in levels:
                users = [f"U{level:03d}{n:05d}" for n in range(args.members)]
                setup = Client(coach_port)
                for user in users:
                    setup.post(command_body(user), "application/x-www-form-urlencoded")
                ids = dict(
                    sqlite3.connect(db)
                    .execute("select user_id, id from assessments where user_id like ?", [f"U{level:03d}%"])
                    .fetchall()
                )
                # Worker i clicks through the assessments of members i, i+level, i+2*level, ...
                work = [
                    [
                        answer_click_body(TEAM, u, ids[u], q, RATINGS[(k + j) % 3])
                        for k, u in enumerate(users[i::level])
                        for j, q in enumerate(QUESTION_IDS)
                    ]
                    for i in range(level)
                ]
                results = {}
                for name, port in (("coach", coach_port), ("bare", bare_port)):
                    latencies, wall = run_clicks(port, work, level)
                    results[name] = len(latencies) / wall
                    print(
                        f"{level:>15} {name:>6} {len(latencies):>7} {percentile(latencies, 0.5):>8.1f} "
                        f"{percentile(latencies, 0.99):>8.1f} {results[name]:>9.0f}",
                        flush=True,
                    )
                print(
                    f"{'':>15} throughput ratio coach/bare: {results['coach'] / results['bare']:.2f} (target >= 0.7)",
                    flush=True,
                )
                time.sleep(2)  # let the coach's lazy replies to the fake drain between levels
            answered = sqlite3.connect(db).execute("select count(*) from answers").fetchone()[0]
            print(f"answers stored: {answered} (expected {len(levels) * args.members * len(QUESTION_IDS)})")


if __name__ == "__main__":
    main()
