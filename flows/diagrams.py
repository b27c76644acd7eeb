"""Mermaid drawings of the state machines, from the same configs the app runs.

``python -m flows.diagrams`` prints them; ``python -m flows.diagrams README.md`` rewrites the part of
that file between the ``diagrams:start`` and ``diagrams:end`` markers. A test keeps the README in step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flows.assessment import config_for
from flows.content import load_bundle
from flows.journey import journey_config
from flows.machines import mermaid


def diagrams_markdown() -> str:
    assessment = mermaid(config_for(load_bundle().assessment), "Readiness assessment")
    journey = mermaid(journey_config(), "Adoption journey")
    return f"```mermaid\n{assessment.strip()}\n```\n\n```mermaid\n{journey.strip()}\n```\n"


START, END = "<!-- diagrams:start -->\n", "<!-- diagrams:end -->"


def replace_section(document: str) -> str:
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}{diagrams_markdown()}{END}{tail}"


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.write_text(replace_section(target.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(diagrams_markdown(), end="")
