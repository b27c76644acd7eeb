"""How well typed replies are understood, per language and prompt kind, and how long a reading takes.

Runs the held-out part of the labelled corpus (``tests/data/heldout_<lang>.tsv``, never tuned on)
apart from the tuning part, and prints per language and prompt kind the replies read right, asked
back (sensibly, or poorly: "missed") and misread; then the time per reading, and the time and memory
of reading one 40,000-character reply (Slack's longest message). Takes a few seconds.

    .venv/bin/python benchmarks/understanding.py
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.content import LANGUAGES
from tests.labelled import KINDS, Labelled, Reader, Verdict, current_reader, load, score

ROUNDS = 50
LONG_ROUNDS = 20
LONGEST_REPLY = 40_000
NO_SPACES = "".join(chr(0x4E00 + i % 5000) for i in range(LONGEST_REPLY))  # like Chinese text: one long word


def _row(label: str, counts: Counter[Verdict]) -> str:
    total = sum(counts.values())
    right = 100 * counts["right"] / total if total else 0.0
    asked = 100 * (counts["asked"] + counts["missed"]) / total if total else 0.0
    return (
        f"  {label:<16} {total:>4} {counts['right']:>6} {counts['asked']:>6} {counts['missed']:>7}"
        f" {counts['wrong']:>6} {right:>7.1f} {asked:>7.1f}"
    )


def report(part: str, reader: Reader) -> None:
    print(f"\n{part}: {'':<8}{'n':>4} {'right':>6} {'asked':>6} {'missed':>7} {'wrong':>6} {'right%':>7} {'asked%':>7}")
    overall: Counter[Verdict] = Counter()
    for language in LANGUAGES:
        per_kind = score(load(part, language), reader)  # type: ignore[arg-type]
        language_total: Counter[Verdict] = sum(per_kind.values(), Counter())
        overall += language_total
        print(_row(f"{language} (all)", language_total))
        for kind in KINDS:
            if per_kind[kind]:
                print(_row(f"  {kind}", per_kind[kind]))
    print(_row("all languages", overall))


def timings(reader: Reader) -> None:
    replies = [r for language in LANGUAGES for part in ("heldout", "tuning") for r in load(part, language)]
    each = []
    for reply in replies:
        started = time.perf_counter()
        for _ in range(ROUNDS):
            reader(reply)
        each.append((time.perf_counter() - started) / ROUNDS * 1e6)
    each.sort()
    print(f"\nµs per reading over {len(each)} replies: median {each[len(each) // 2]:.1f}, slowest {each[-1]:.1f}")
    for name, text in (("one word", NO_SPACES), ("words", ("we kind of post " * 3000)[:LONGEST_REPLY])):
        long_reply = Labelled("en", "q:reason", "ask", text)
        times = []
        for _ in range(LONG_ROUNDS):
            started = time.perf_counter()
            reader(long_reply)
            times.append((time.perf_counter() - started) * 1e3)
        tracemalloc.start()
        reader(long_reply)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        times.sort()
        print(
            f"a {LONGEST_REPLY:,}-character reply ({name}): median {times[len(times) // 2]:.2f} ms,"
            f" slowest {times[-1]:.2f} ms of {LONG_ROUNDS}; peak memory {peak:.1f} MB"
        )


def main() -> None:
    reader = current_reader
    report("heldout", reader)
    report("tuning", reader)
    timings(reader)


if __name__ == "__main__":
    main()
