"""Interaction load: members going through the assessment at once, the coach against a bare Bolt app.

Processes on loopback: the fake Slack Web API, every call of which takes ``--slack-ms`` (Slack's take
100-300 ms); ``coach run --http`` (waitress, with its sending process); and a bare Bolt app doing the
same user-visible work (``benchmarks/bare_app.py``: ack, post the next question, update the clicked
message) with the coach's own Web API client and enough listener threads not to be the
bottleneck. The members' requests reach both apps over kept-alive HTTP/1.1 connections, and every
listen backlog holds the load.

N members at once (``--concurrency``) each type ``/coach``, wait until their first question is on
the fake, read it for ``--think-ms``, click an answer (signed then, with that message's ``ts`` and
block id), wait for the next question, and so on; after the result a member starts again as a new
member, until the pass has at least ``--turns`` clicks. Both apps get the same passes, one app at a
time, the order alternating; an untimed warm-up of five members first (imports, message templates).

Per pass and app: ack and **click → next question on screen** (from the click's send to the moment
the fake took the next question's ``chat.postMessage``; ``time.monotonic`` is one clock for every
process on Linux) at p50, p90 and p99; throughput (clicks per second until the last next question);
CPU per click (utime + stime of every process of the app from ``/proc``, the coach's sending process
included, over the pass until the fake has had no call for a while, the ``/coach`` of each assessment
included, divided by the clicks); and the checks: acknowledged clicks with no next message, acknowledged
answers not in the coach's database, messages a member received twice, questions out of order.

Run: .venv/bin/python benchmarks/interaction_load.py --slack-ms 150 --think-ms 1000 --concurrency 10,50,200
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    cpu_seconds,
    database_urls,
    fake_calls,
    fake_slack_process,
    free_port,
    wait_until_drained,
    wait_until_up,
)
from benchmarks.figures import HEADER, PassFigures, integrity, ratios, row  # noqa: E402
from benchmarks.members import Arrivals, Connections, Load, run_members  # noqa: E402
from flows.content import QUESTION_IDS  # noqa: E402

SECRET = "benchmark-signing-secret"
WARM_UP_MEMBERS = 5
IDLE_SECONDS = 3.0


@dataclass(frozen=True)
class Served:
    """An app under load: its name, port, process id and, for the coach, its database."""

    name: str
    port: int
    pid: int
    db: str | None


@contextmanager
def process(command: list[str], env: dict[str, str], health: str, cwd: Path = ROOT) -> Iterator[int]:
    child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(health)
        yield child.pid
    finally:
        child.terminate()
        child.wait(timeout=30)


def coach_env(api_url: str, database_url: str, checkout: Path = ROOT) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),  # the coach's code from that checkout (another one: before/after)
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "COACH_DATABASE_URL": database_url,
        "COACH_DB": database_url.removeprefix("sqlite:///"),  # releases before COACH_DATABASE_URL read this
        "COACH_TICK_SECONDS": "3600",
    }
    env.pop("SLACK_APP_TOKEN", None)
    return env


APP_NAMES = {"sqlite": "coach", "postgresql": "pg"}  # the coach on each database, as the rows name it


@contextmanager
def apps(api_url: str, databases: dict[str, str], workers: int, checkout: Path = ROOT) -> Iterator[list[Served]]:
    """The coach (from ``checkout``) on each database, and the bare app, all up."""
    with ExitStack() as running:
        served = []
        for kind, url in databases.items():
            port = free_port()
            coach = [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(port)]
            coach += ["--workers", str(workers)] if workers > 1 else []
            health = f"http://127.0.0.1:{port}/healthz"
            pid = running.enter_context(process(coach, coach_env(api_url, url, checkout), health, checkout))
            served.append(Served(APP_NAMES[kind], port, pid, url))
        bare_port = free_port()
        bare = [sys.executable, "-m", "benchmarks.bare_app", str(bare_port), SECRET, api_url]
        bare_pid = running.enter_context(process(bare, os.environ.copy(), f"http://127.0.0.1:{bare_port}/"))
        yield [*served, Served("bare", bare_port, bare_pid, None)]


def measure(app: Served, load: Load, members: list[list[str]], connections: int, quiet: float) -> PassFigures:
    """One pass: the members go through their assessments; then, once the fake has had no call for
    ``quiet`` seconds, the CPU the app spent and the checks."""
    since = wait_until_drained(load.api_url, quiet)
    cpu_before = cpu_seconds(app.pid)
    pool = Connections(app.port, min(connections, len(members)))
    try:
        with Arrivals(load.api_url, since) as arrivals:
            turns = run_members(load, arrivals, pool, members)
    finally:
        pool.close()
    wait_until_drained(load.api_url, quiet)
    cpu = cpu_seconds(app.pid) - cpu_before
    calls = fake_calls(load.api_url, since)["calls"]
    checks = integrity(turns, calls, app.db)
    return PassFigures(app.name, len(members), turns, cpu, checks, Counter(call["method"] for call in calls))


def idle_cpu_ms(app: Served, seconds: float = IDLE_SECONDS) -> str:
    """Milliseconds of CPU per second the app spends with nothing to do (part of every pass's CPU)."""
    before = cpu_seconds(app.pid)
    time.sleep(seconds)
    return f"{(cpu_seconds(app.pid) - before) * 1000 / seconds:.0f}"


def members_for(tag: str, level: int, turns: int) -> list[list[str]]:
    """``level`` members at once, each going through enough assessments (as new members) for ``turns``."""
    rounds = -(-turns // (level * len(QUESTION_IDS)))
    return [[f"U{tag}{slot:03d}{k:03d}" for k in range(rounds)] for slot in range(level)]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slack-ms", type=float, default=0.0, help="how long every Slack Web API call takes")
    parser.add_argument("--think-ms", type=float, default=0.0, help="how long a member reads before clicking")
    parser.add_argument("--concurrency", default="10,50", help="members at once, per level (comma-separated)")
    parser.add_argument("--turns", type=int, default=1000, help="at least this many clicks per pass and app")
    parser.add_argument("--repeat", type=int, default=1, help="passes per level")
    parser.add_argument("--workers", type=int, default=1, help="coach run --http --workers N")
    parser.add_argument("--connections", type=int, default=64, help="kept-alive connections to each app")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a member waits for a message")
    parser.add_argument(
        "--coach-from", type=Path, default=ROOT, help="run the coach from this checkout (a before/after comparison)"
    )
    parser.add_argument(
        "--databases", default="sqlite", help="the coach on each: sqlite, postgresql (a throwaway server), or both"
    )
    return parser.parse_args()


def compare(order: list[Served], load: Load, level: int, tag: str, args: argparse.Namespace) -> None:
    """Every app at one level, one after the other in ``order``; their rows and the ratios."""
    results = {}
    for app in order:
        members = members_for(f"{tag}{app.name[0]}", level, args.turns)
        results[app.name] = measure(app, load, members, args.connections, quiet_after(args))
    coaches = [name for name in APP_NAMES.values() if name in results]
    print(*(row(results[name]) for name in [*coaches, "bare"]), sep="\n")
    print(*(ratios(results[name], results["bare"]) for name in coaches), sep="\n")
    print(*(results[name].calls_per_click() for name in [*coaches, "bare"]), sep="\n")
    print(*(results[name].slowest_by_question() for name in [*coaches, "bare"]), sep="\n")
    if len(coaches) == 2:
        print(ratios(results["pg"], results["coach"]), flush=True)


def quiet_after(args: argparse.Namespace) -> float:
    """No call for this long: the app has sent everything."""
    return max(0.3, 3 * args.slack_ms / 1000)


def main() -> None:
    args = parse()
    levels = [int(level) for level in args.concurrency.split(",")]
    print(f"Slack {args.slack_ms:g} ms per call; think time {args.think_ms:g} ms; at least {args.turns} clicks a pass")
    with (
        tempfile.TemporaryDirectory() as folder,
        fake_slack_process(latency_ms=args.slack_ms) as api_url,
        database_urls(args.databases.split(","), folder) as databases,
    ):
        load = Load(SECRET, api_url, args.think_ms / 1000, args.timeout, len(QUESTION_IDS))
        with apps(api_url, databases, args.workers, args.coach_from.resolve()) as served:
            for app in served:  # first-use costs (imports, templates): untimed
                warm_up = members_for(f"W{app.name[0]}", WARM_UP_MEMBERS, 1)
                measure(app, load, warm_up, args.connections, quiet_after(args))
            print("CPU while idle, per second:", ", ".join(f"{app.name} {idle_cpu_ms(app)} ms" for app in served))
            print(HEADER, flush=True)
            for run in range(args.repeat):
                for index, level in enumerate(levels):  # who goes first rotates, by level and by run
                    turn = (run + index) % len(served)
                    compare(served[turn:] + served[:turn], load, level, f"{run:02d}{index:02d}", args)


if __name__ == "__main__":
    main()
