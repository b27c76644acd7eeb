"""Signed payloads that no Slack request looks like, caught before Bolt reads them.

Bolt indexes into a payload's ``event``, ``actions`` and ``view`` before any listener runs, so a
signed body whose ``event`` is a list, or whose ``actions`` holds a string, ended in a 500 (which
Slack would retry). And JSON may carry a lone UTF-16 surrogate (``"\\ud800"``), which no person can
type and no UTF-8 encoder accepts: it is read as U+FFFD, the replacement character.
"""

from __future__ import annotations

import re
from typing import Any

OBJECTS = ("event", "view")  # fields Bolt reads as objects
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a pair is one character once parsed: only lone ones stay


def shape_problem(body: object) -> str | None:
    """What makes ``body`` no Slack payload, or None."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    for field in OBJECTS:
        if field in body and not isinstance(body[field], dict):
            return f"its {field} is not an object"
    actions = body.get("actions")
    if actions is not None and not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)):
        return "its actions are not a list of objects"
    return None


def may_hold_surrogates(raw_body: str) -> bool:
    """Whether a body could hold an escaped surrogate (``\\ud800``, in JSON or URL-encoded JSON): only
    then is the parsed payload walked."""
    lowered = raw_body.lower()
    return "\\ud" in lowered or "%5cud" in lowered


def without_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(key): without_lone_surrogates(item) for key, item in value.items()}
    return value
