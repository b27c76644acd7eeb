"""How well typed replies are understood, per language, and how long one reading takes.

Runs the labelled corpus in ``tests/data`` through ``flows.reading`` and prints, per language, the
share read right, asked back, asked back poorly and misread, then the time per reading in µs (the
reader runs on Slack's acknowledgement path). Takes a few seconds.

    .venv/bin/python benchmarks/understanding.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.content import LANGUAGES
from flows.reading import lexicon_for, read_reply
from tests.replies import corpus, score

ROUNDS = 200


def main() -> None:
    print(f"{'language':<9} {'replies':>7} {'right':>7} {'asked':>7} {'missed':>7} {'wrong':>6} {'ok %':>6}")
    for language in LANGUAGES:
        counts, total = score(language), len(corpus(language))
        ok = 100 * (counts["right"] + counts["asked"]) / total
        print(
            f"{language:<9} {total:>7} {counts['right']:>7} {counts['asked']:>7} {counts['missed']:>7}"
            f" {counts['wrong']:>6} {ok:>6.1f}"
        )
    replies = [(r.text, r.language) for language in LANGUAGES for r in corpus(language)]
    for language in LANGUAGES:
        lexicon_for(language)  # built once per process, at the first reading
    timings = []
    for text, language in replies:
        started = time.perf_counter()
        for _ in range(ROUNDS):
            read_reply(text, language)
        timings.append((time.perf_counter() - started) / ROUNDS * 1e6)
    timings.sort()
    mean = sum(timings) / len(timings)
    print(
        f"\nµs per reading over {len(replies)} replies: mean {mean:.1f}, median {timings[len(timings) // 2]:.1f},"
        f" slowest {timings[-1]:.1f}"
    )


if __name__ == "__main__":
    main()
