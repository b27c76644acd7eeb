"""The state machines' shared parts: a frozen config, one table per config, and the drawing.

Each flow (the assessment, the journey) describes its machine once, as a ``MachineConfig`` built
from content. transitions builds the machine from it once, with no model (``Machine(model=None)``),
and its transitions are read into a table of (state, trigger) → destination. A request then costs
a dict lookup instead of a ``Machine`` per click; the stored state stays the single source of truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from transitions import Machine

ANY_STATE = "any_state"


class InvalidMove(Exception):
    """A trigger that the machine does not allow from the current state."""


@dataclass(frozen=True)
class MachineConfig:
    """Everything ``transitions.Machine`` needs, except the model and its initial state."""

    states: tuple[str, ...]
    transitions: tuple[Mapping[str, Any], ...]

    def kwargs(self) -> dict[str, Any]:
        return {
            "states": list(self.states),
            "transitions": [dict(t) for t in self.transitions],
            "auto_transitions": False,
            "ignore_invalid_triggers": False,
        }

    @cached_property
    def table(self) -> Mapping[tuple[str, str], str]:
        """(state, trigger) → destination, read once from the machine transitions builds."""
        machine = Machine(model=None, initial=self.states[0], **self.kwargs())
        return {
            (transition.source, trigger): transition.dest
            for trigger in machine.events
            for transition in machine.get_transitions(trigger=trigger)
            if transition.dest is not None
        }

    def next_state(self, state: str, trigger: str) -> str:
        """Where ``trigger`` leads from ``state``; raises InvalidMove where the machine has no arrow."""
        try:
            return self.table[(state, trigger)]
        except KeyError:
            raise InvalidMove(f"{trigger!r} is not allowed from {state!r}") from None


class DrawnModel:
    """The plain object transitions decorates when drawing; it only carries ``state``."""

    state: str


def mermaid(config: MachineConfig, title: str) -> str:
    """The machine drawn as a mermaid state diagram, from the same config the app runs.

    transitions draws it; we keep its states and arrows and drop the styling of the "current"
    state, which means nothing in documentation, and write the title as mermaid front matter.
    """
    from transitions.extensions import GraphMachine

    kwargs = config.kwargs()
    if any(t["source"] == "*" for t in kwargs["transitions"]):
        # "from any state" is drawn once, from a pseudo-state, instead of an arrow from every state.
        kwargs["states"] = [*kwargs["states"], ANY_STATE]
        for transition in kwargs["transitions"]:
            if transition["source"] == "*":
                transition["source"] = ANY_STATE
    model = DrawnModel()
    GraphMachine(model=model, initial=config.states[0], graph_engine="mermaid", **kwargs)
    drawing: str = model.get_graph().draw(None)  # type: ignore[attr-defined]
    body = [
        line.rstrip()
        for line in drawing.split("stateDiagram-v2", 1)[1].splitlines()
        if line.strip() and not line.strip().startswith(("classDef", "Class "))
    ]
    return "\n".join(["---", f"title: {title}", "---", "stateDiagram-v2", *body]) + "\n"
