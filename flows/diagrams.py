"""Mermaid drawings of the state machines, from the same configs the app runs.

``python -m flows.diagrams`` prints the README's diagram section; a test keeps the README in step.
"""

from __future__ import annotations

from flows.assessment import config_for, mermaid
from flows.content import load_bundle


def diagrams_markdown() -> str:
    assessment = mermaid(config_for(load_bundle().assessment), "Readiness assessment")
    return f"```mermaid\n{assessment.strip()}\n```\n"


if __name__ == "__main__":
    print(diagrams_markdown(), end="")
