"""Scale: how the store behaves with 1 thousand, 100 thousand and 1 million members.

Each member has a realistic history: a completed assessment (six answers), ten weeks of check-ins
(ten check-in answers and ten sent check-ins), ten tips shown and two stage changes. The database is
generated inside SQLite (recursive CTEs), then a fresh process measures, so its peak memory is the
coach's, not the generator's:

- the due-job query (one batch of due members, through the index on next_checkin_at),
- one member's state read (their open assessment and its answers) and write (a guarded advance),
- database size per member, and the measuring process's peak memory.

Run: .venv/bin/python benchmarks/scale.py [--sizes 1000,100000,1000000] [--dir /tmp]
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store import Store  # noqa: E402
from flows.assessment import SUMMARY  # noqa: E402
from flows.values import MemberKey  # noqa: E402

BASE = datetime(2026, 9, 7, 0, 0, tzinfo=UTC)  # a Monday; ten weeks of history lead up to NOW
NOW = BASE + timedelta(weeks=10, hours=7)
ZONES = ["Europe/Helsinki", "Europe/Rome", "America/Los_Angeles", "Europe/London", "Asia/Tokyo"]


def build(path: Path, members: int) -> float:
    """Create the schema with the app's own migrations, then fill it in bulk. Returns seconds taken."""
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    zones = json.dumps(ZONES)
    base = BASE.isoformat()
    conn.executescript(
        f"""
        BEGIN;
        CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
        WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < {members})
        INSERT INTO n SELECT i FROM c;
        CREATE TEMP TABLE w(k INTEGER PRIMARY KEY);
        INSERT INTO w VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
        CREATE TEMP TABLE z(k INTEGER PRIMARY KEY, name TEXT);
        INSERT INTO z SELECT key, value FROM json_each('{zones}');

        INSERT INTO members (team_id, user_id, locale, tz, created_at, stage, journey_version,
            checkin_weekday, checkin_time, paused, active, placed_at, share_with_admins, next_checkin_at)
        SELECT 'T' || (i % 20), 'U' || i, 'en-US', (SELECT name FROM z WHERE k = i % {len(ZONES)}), '{base}',
            1 + i % 6, 2, i % 7, printf('%02d:%02d', 6 + (i % 32) / 2, (i % 2) * 30), 0, 1, '{base}', i % 10 = 0,
            strftime('%Y-%m-%dT%H:%M:%S+00:00', '{NOW.isoformat()}', '+' || (i % 20160) || ' minutes')
        FROM n;

        INSERT INTO assessments (id, team_id, user_id, state, version, started_at, updated_at, completed_at)
        SELECT i + 1, 'T' || (i % 20), 'U' || i, '{SUMMARY}', 6, '{base}', '{base}', '{base}' FROM n;

        INSERT INTO answers (assessment_id, question_id, rating, source, answered_at)
        SELECT i + 1, q.value, CASE (i + q.key) % 3 WHEN 0 THEN 'ready' WHEN 1 THEN 'partly' ELSE 'not_yet' END,
            'button', '{base}'
        FROM n, json_each('["reason","networks","resources","pipeline","policy","measurement"]') q;

        INSERT INTO checkins (team_id, user_id, period, stage_before, outcome, at)
        SELECT 'T' || (i % 20), 'U' || i, '2026-W' || printf('%02d', 37 + k), 1 + i % 6, 'same', '{base}'
        FROM n, w;

        INSERT INTO sends (key, team_id, user_id, kind, period, status, owner, claimed_at, sent_at)
        SELECT 'T' || (i % 20) || ':U' || i || ':checkin:2026-W' || printf('%02d', 37 + k), 'T' || (i % 20),
            'U' || i, 'checkin', '2026-W' || printf('%02d', 37 + k), 'sent', 'bench', '{base}', '{base}'
        FROM n, w;

        INSERT INTO tips_shown (team_id, user_id, stage, tip_index, at)
        SELECT 'T' || (i % 20), 'U' || i, 1 + i % 6, k % 5, '{base}' FROM n, w;

        INSERT INTO stage_changes (team_id, user_id, from_stage, to_stage, source, at)
        SELECT 'T' || (i % 20), 'U' || i, CASE WHEN k = 0 THEN NULL ELSE i % 6 END, 1 + i % 6,
            CASE WHEN k = 0 THEN 'placement' ELSE 'checkin' END, '{base}'
        FROM n, (SELECT k FROM w WHERE k < 2);
        COMMIT;
        """
    )
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(path: Path, members: int) -> dict[str, float]:
    """Runs in a fresh process: the figures an operator would see on a database of this size."""
    store = Store(path)
    rng = random.Random(7)
    due_times = []
    for offset in range(30):
        instant = NOW + timedelta(minutes=rng.randrange(0, 20160))
        started = time.perf_counter()
        store.due_members_after(instant, 500, None)
        due_times.append(time.perf_counter() - started)
        if offset == 0:
            due_times.clear()  # the first query warms the page cache
    reads, writes = [], []
    for _ in range(200):
        member = MemberKey(f"T{rng.randrange(members) % 20}", f"U{rng.randrange(members)}")
        member = MemberKey(f"T{int(member.user_id[1:]) % 20}", member.user_id)
        open_row = store.create_assessment(member, "reason", NOW)
        started = time.perf_counter()
        row = store.latest_assessment(member)
        store.answers(row.id if row else 0)
        store.member(member)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.advance(open_row, "networks", NOW)
        writes.append(time.perf_counter() - started)
        store.db.execute("delete from assessments where id = ?", [open_row.id])
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "due_query_ms": median_ms(due_times),
        "read_ms": median_ms(reads),
        "write_ms": median_ms(writes),
        "peak_mb": peak_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure one database, print JSON
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.members)))
        return
    print(
        f"{'members':>10} {'build s':>8} {'due query ms':>13} {'read ms':>8} {'write ms':>9} "
        f"{'bytes/member':>13} {'peak MB':>8}"
    )
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        path = Path(args.dir) / f"coach-scale-{size}.db"
        built = build(path, size)
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--members", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(done.stdout)
        size_bytes = path.stat().st_size + (
            path.with_name(path.name + "-wal").stat().st_size if path.with_name(path.name + "-wal").exists() else 0
        )
        results[size] = figures
        print(
            f"{size:>10} {built:>8.1f} {figures['due_query_ms']:>13.3f} {figures['read_ms']:>8.3f} "
            f"{figures['write_ms']:>9.3f} {size_bytes / size:>13.0f} {figures['peak_mb']:>8.1f}",
            flush=True,
        )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        for name in ("due_query_ms", "read_ms", "write_ms"):
            print(f"{name}: {large[name] / small[name]:.2f}x from {sizes[0]} to {sizes[-1]} members (target <= 2x)")
        print(f"peak memory at {sizes[-1]}: {results[sizes[-1]]['peak_mb']:.1f} MB (target < 150 MB)")


if __name__ == "__main__":
    main()
