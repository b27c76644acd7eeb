"""The state machines' shared parts: a frozen config, one table per config, and the drawing.

Each flow (the assessment, the journey) describes its machine once, as a ``MachineConfig`` built
from content. transitions builds the machine from it once, with no model (``Machine(model=None)``),
and its transitions are read into a table of (state, trigger) → the arrows to try in order, each with
the facts its conditions require. A request then costs a dict lookup instead of a ``Machine`` per
click; the stored state (and the facts the caller derives from stored data) stay the source of truth.
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
class Arrow:
    """One transition: the facts its conditions need (name, wanted value) and where it leads."""

    requires: tuple[tuple[str, bool], ...]
    dest: str


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
    def table(self) -> Mapping[tuple[str, str], tuple[Arrow, ...]]:
        """(state, trigger) → its arrows in the order transitions tries them, read once from the machine."""
        machine = Machine(model=None, initial=self.states[0], **self.kwargs())
        table: dict[tuple[str, str], list[Arrow]] = {}
        for trigger in machine.events:
            for transition in machine.get_transitions(trigger=trigger):
                if transition.dest is None:
                    continue
                requires = tuple((str(c.func), bool(c.target)) for c in transition.conditions)
                table.setdefault((transition.source, trigger), []).append(Arrow(requires, transition.dest))
        return {key: tuple(arrows) for key, arrows in table.items()}

    def next_state(self, state: str, trigger: str, facts: Mapping[str, bool] | None = None) -> str:
        """Where ``trigger`` leads from ``state``: the first arrow whose conditions the ``facts`` meet (a
        fact not given is false), as transitions would choose. InvalidMove where no arrow fits."""
        known = facts or {}
        for arrow in self.table.get((state, trigger), ()):
            if all(known.get(name, False) == wanted for name, wanted in arrow.requires):
                return arrow.dest
        raise InvalidMove(f"{trigger!r} is not allowed from {state!r}")


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
    GraphMachine(model=model, initial=config.states[0], graph_engine="mermaid", show_conditions=True, **kwargs)
    drawing: str = model.get_graph().draw(None)  # type: ignore[attr-defined]
    body = [
        line.rstrip()
        for line in drawing.split("stateDiagram-v2", 1)[1].splitlines()
        if line.strip() and not line.strip().startswith(("classDef", "Class "))
    ]
    return "\n".join(["---", f"title: {title}", "---", "stateDiagram-v2", *body]) + "\n"
