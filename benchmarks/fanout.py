"""Fan-out: every member of many workspaces due for a check-in at the same instant.

The fake Slack Web API on loopback enforces a per-workspace message rate (a token bucket on
chat.postMessage per bot token) and answers 429 with Retry-After beyond it. The scheduler runs the
workspaces in parallel, each paced at that rate. The lower bound on the total time is what the rate
allows: members per workspace / rate. Prints the time against that bound, duplicates, misses and
how often Slack pushed back.

Run: .venv/bin/python benchmarks/fanout.py [--members 10000] [--workspaces 20] [--rate 10]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import database_urls, fake_slack_process, fake_stats  # noqa: E402
from bot.schedule.ticker import Scheduler  # noqa: E402
from bot.sending.outbox import Outbox  # noqa: E402
from bot.sending.sender import Sender  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.slack.client import make_web_client  # noqa: E402
from bot.store.factory import AnyStore, open_store  # noqa: E402
from bot.usecases.services import Services  # noqa: E402
from flows.content import load_bundle  # noqa: E402
from flows.values import MemberKey  # noqa: E402

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki


def populate(store: AnyStore, members: int, workspaces: int) -> list[MemberKey]:
    keys = [MemberKey(f"T{n % workspaces:03d}", f"U{n:06d}") for n in range(members)]
    since = (MONDAY - timedelta(days=7)).isoformat()
    with store.write() as db:
        store.executemany(
            db,
            "insert into members (team_id, user_id, tz, created_at, stage, placed_at) values (?, ?, ?, ?, ?, ?)",
            [(k.team_id, k.user_id, "Europe/Helsinki", since, 2, since) for k in keys],
        )
    return keys


def fan_out(database_url: str, args: argparse.Namespace) -> None:
    """One fan-out on one database, with a fake Slack of its own; prints its figures."""
    with fake_slack_process(rate=args.rate) as api_url:
        settings = Settings(_env_file=None, slack_api_url=api_url, coach_database_url=database_url)
        store = open_store(database_url)
        keys = populate(store, args.members, args.workspaces)
        clients = {f"T{w:03d}": make_web_client(settings, token=f"xoxb-T{w:03d}") for w in range(args.workspaces)}
        services = Services(store=store, bundle=load_bundle(), clock=lambda: MONDAY)
        scheduler = Scheduler(store, load_bundle(), Outbox(store, lambda: MONDAY))
        started = time.perf_counter()
        report = scheduler.tick(MONDAY)  # queues every check-in in the outbox
        threads = {"workers": args.workers} if args.workers else {}
        sender = Sender(services, clients.get, **threads).start()  # the one sending path sends them
        while store.outbox_size():
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        sender.stop()
        store.close()
        stats = fake_stats(api_url)

    delivered = Counter(stats["delivered"])
    refused = stats["refused"]
    expected = {f"D{k.user_id}" for k in keys}
    duplicates = sum(count - 1 for count in delivered.values() if count > 1)
    misses = len(expected - set(delivered))
    bound = (args.members / args.workspaces) / args.rate
    kind = database_url.split(":", 1)[0]
    print(f"{kind}: members {args.members}, workspaces {args.workspaces}, rate {args.rate:g} msg/s per workspace")
    print(
        f"total time {elapsed:.1f} s; bound set by the rate limit {bound:.1f} s; ratio {elapsed / bound:.3f}"
        " (target <= 1.15)"
    )
    print(f"duplicates {duplicates} (target 0); misses {misses} (target 0); 429s answered {refused}")
    print(f"tick report: {report.summary()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second per workspace")
    parser.add_argument("--workers", type=int, default=None, help="the sender's threads (default: as coach run's)")
    parser.add_argument("--databases", default="sqlite", help="sqlite, postgresql (a throwaway server), or both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, database_urls(args.databases.split(","), folder) as databases:
        for url in databases.values():
            fan_out(url, args)


if __name__ == "__main__":
    main()
