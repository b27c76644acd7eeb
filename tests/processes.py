"""A test's view of the processes a ``coach run`` starts, read from ``/proc`` (Linux)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def children_of(pid: int) -> set[int]:
    return {
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    }


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().rstrip("\0").split("\0")


def is_sending(pid: int) -> bool:
    try:
        return "send" in command_line(pid)
    except FileNotFoundError:  # ended meanwhile
        return False


def sending_children(pid: int) -> set[int]:
    """The server's children that run ``coach send``."""
    return {child for child in children_of(pid) if is_sending(child)}


def serving_children(pid: int) -> set[int]:
    """The server's children that serve requests (``--workers N``)."""
    return {child for child in children_of(pid) if running(child) and not is_sending(child)}


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(condition: Callable[[], T], what: str, timeout: float = 15.0) -> T:
    """Poll ``condition`` (a process has nothing to wait on) until it is truthy; fail with ``what``."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return result
