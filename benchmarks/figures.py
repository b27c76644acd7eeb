"""What a pass of the interaction benchmark prints: what members felt, what it cost, and whether every
acknowledged answer was kept and every reply sent once and in order."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg

from benchmarks.common import percentile
from benchmarks.members import QUESTION, Turn


@dataclass(frozen=True)
class Integrity:
    """Counted from the fake's record of ``chat.postMessage`` per member and, for the coach, the database."""

    no_reply: int  # acknowledged clicks whose next message never reached the member
    lost: int | None  # acknowledged answers the database does not hold (None: the app keeps no answers)
    twice: int  # messages a member received again (same text in the same DM)
    out_of_order: int  # questions received after a later question of the same assessment
    refused: int  # clicks not acknowledged with HTTP 200


def replies_twice_and_out_of_order(calls: list[dict[str, Any]]) -> tuple[int, int]:
    """From the fake's calls: repeated messages per DM, and questions that came after a later one."""
    seen: dict[str, set[str]] = defaultdict(set)
    highest: dict[str, int] = defaultdict(int)
    twice = out_of_order = 0
    for call in calls:
        if call["method"] != "chat.postMessage" or not call["ok"] or not call["text"]:
            continue
        channel, text = str(call["channel"]), str(call["text"])
        twice += text in seen[channel]
        seen[channel].add(text)
        match = QUESTION.match(text)
        if match:
            number = int(match.group(1))
            out_of_order += number < highest[channel]
            highest[channel] = max(highest[channel], number)
    return twice, out_of_order


def answers_lost(db: str, turns: list[Turn]) -> int:
    """Acknowledged clicks whose answer is not stored (the answers table holds one row per question);
    ``db`` a SQLite file, or a ``postgresql://`` URL."""
    acked = {(t.assessment_id, t.question_id) for t in turns if t.status == 200}
    ids = sorted({assessment for assessment, _ in acked})
    sql = f"select assessment_id, question_id from answers where assessment_id in ({','.join('?' * len(ids))})"
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            stored = {tuple(row) for row in pg.execute(sql.replace("?", "%s").encode(), ids).fetchall()}
    else:
        with sqlite3.connect(f"file:{db.removeprefix('sqlite:///')}?mode=ro", uri=True) as conn:
            stored = {tuple(row) for row in conn.execute(sql, ids).fetchall()}
    return len(acked - stored)


def integrity(turns: list[Turn], calls: list[dict[str, Any]], db: str | None) -> Integrity:
    twice, out_of_order = replies_twice_and_out_of_order(calls)
    return Integrity(
        no_reply=sum(1 for t in turns if t.status == 200 and t.shown_at is None),
        lost=answers_lost(db, turns) if db is not None else None,
        twice=twice,
        out_of_order=out_of_order,
        refused=sum(1 for t in turns if t.status != 200),
    )


@dataclass(frozen=True)
class PassFigures:
    app: str
    members: int
    turns: list[Turn]
    cpu: float  # seconds, every process of the app, over the pass and until its last call
    checks: Integrity
    calls: Counter[str] = field(default_factory=Counter)  # Web API calls the app made, by method

    def slowest_by_question(self) -> str:
        """Which question the slowest 1 % of clicks answered (where the tail comes from)."""
        timed = sorted((t.shown_at - t.sent_at, t.number) for t in self.turns if t.shown_at is not None)
        slowest = Counter(number for _, number in timed[-max(1, len(timed) // 100) :])
        each = ", ".join(f"answer {number}: {count}" for number, count in sorted(slowest.items()))
        return f"{'':>7} {self.app} slowest 1 % of next questions, by the answer clicked: {each}"

    def calls_per_click(self) -> str:
        """Slack calls per click, most frequent first (what a click costs in round trips)."""
        clicks = max(1, len(self.turns))
        each = ", ".join(f"{method} {count / clicks:.2f}" for method, count in self.calls.most_common())
        return f"{'':>7} {self.app} Slack calls per click: {sum(self.calls.values()) / clicks:.2f} ({each})"

    @property
    def acks(self) -> list[float]:
        return [t.acked_at - t.sent_at for t in self.turns]

    @property
    def shown(self) -> list[float]:
        """Click → next question on screen (the fake took its ``chat.postMessage``), seconds."""
        return [t.shown_at - t.sent_at for t in self.turns if t.shown_at is not None]

    @property
    def throughput(self) -> float:
        """Clicks per second, from the first click sent to the last next question shown."""
        ends = [t.shown_at for t in self.turns if t.shown_at is not None] or [t.acked_at for t in self.turns]
        return len(self.turns) / (max(ends) - min(t.sent_at for t in self.turns))

    @property
    def cpu_ms_per_click(self) -> float:
        return self.cpu * 1000 / len(self.turns)


HEADER = (
    f"{'members':>7} {'app':>5} {'clicks':>6} {'ack p50':>7} {'p90':>6} {'p99':>6} {'next p50':>8} {'p90':>7} "
    f"{'p99':>7} {'clicks/s':>8} {'CPU ms/click':>12} {'no reply':>8} {'lost':>4} {'twice':>5} {'order':>5}"
)


def row(figures: PassFigures) -> str:
    acks, shown, checks = figures.acks, figures.shown, figures.checks
    lost = "-" if checks.lost is None else str(checks.lost)
    return (
        f"{figures.members:>7} {figures.app:>5} {len(figures.turns):>6} {percentile(acks, 0.5):>7.1f} "
        f"{percentile(acks, 0.9):>6.1f} {percentile(acks, 0.99):>6.1f} {percentile(shown, 0.5):>8.1f} "
        f"{percentile(shown, 0.9):>7.1f} {percentile(shown, 0.99):>7.1f} {figures.throughput:>8.1f} "
        f"{figures.cpu_ms_per_click:>12.2f} {checks.no_reply:>8} {lost:>4} {checks.twice:>5} {checks.out_of_order:>5}"
        + (f"  ({checks.refused} clicks refused)" if checks.refused else "")
    )


def ratios(coach: PassFigures, bare: PassFigures) -> str:
    shown = percentile(coach.shown, 0.99) / percentile(bare.shown, 0.99)
    ack = percentile(coach.acks, 0.99) / percentile(bare.acks, 0.99)
    return (
        f"{'':>7} {coach.app}/{bare.app}: next question p99 {shown:.2f}x, ack p99 {ack:.2f}x, "
        f"throughput {coach.throughput / bare.throughput:.2f}x, CPU per click {coach.cpu_ms_per_click:.2f} "
        f"vs {bare.cpu_ms_per_click:.2f} ms"
    )
