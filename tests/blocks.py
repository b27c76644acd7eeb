"""Reading Block Kit as a member sees it: the buttons of a message and all of its text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def iter_buttons(blocks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Every button with its block id: in actions blocks and as section accessories."""
    found: list[tuple[dict[str, Any], str]] = []
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        found += [(e, block.get("block_id", "")) for e in elements if e.get("type") == "button"]
    return found


def has_action(blocks: list[dict[str, Any]], action_id: str) -> bool:
    return any(button.get("action_id") == action_id for button, _ in iter_buttons(blocks))


def find_button(blocks: list[dict[str, Any]], action_id: str, value: str | None = None) -> tuple[dict[str, Any], str]:
    for button, block_id in iter_buttons(blocks):
        if button.get("action_id") == action_id and (value is None or button.get("value") == value):
            return button, block_id
    raise AssertionError(f"no button {action_id!r} (value {value!r}) in the message")


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a message's blocks, for asserting on what a member reads."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                texts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(texts)


def model_text(blocks: Iterable[Any]) -> str:
    """``all_text`` of Block Kit objects as the views build them (``slack_sdk.models``), read without
    ``to_dict``: for tests that read thousands of messages (its validation is most of its cost)."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif hasattr(node, "__dict__"):
            for key, value in vars(node).items():
                if key == "text" and isinstance(value, str):
                    texts.append(value)
                else:
                    walk(value)

    walk(list(blocks))
    return "\n".join(texts)
