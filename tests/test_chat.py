"""``coach chat``: the assessment in a terminal, with the same flows and store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.chat import plain, run_chat
from bot.coach import Coach
from bot.store import MemberKey, Store
from flows.content import load_bundle

MEMBER = MemberKey("terminal", "tester")


def scripted(lines: list[str]) -> Iterator[str]:
    yield from lines


def chat(db: Path, lines: list[str]) -> str:
    feed = scripted(lines)
    output: list[str] = []

    def read(_prompt: str) -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    run_chat(Coach(Store(db), load_bundle()), MEMBER, read=read, write=output.append)
    return "\n".join(output)


def test_chat_completes_an_assessment_by_typing(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["yes", "partly", "no", "what?", "yes", "1", "2"])
    assert "Question 1 of 6: A clear reason" in out
    assert 'You wrote "what?", and I\'m not sure which answer you mean' in out
    assert "Your social media readiness: Getting there" in out
    assert "Weakest link: Time and people to keep going" in out


def test_second_run_resumes_where_the_first_stopped(tmp_path: Path) -> None:
    first = chat(tmp_path / "c.db", ["yes", "yes"])
    assert "Question 3 of 6" in first and "Your progress is saved" in first
    second = chat(tmp_path / "c.db", ["status", "no", "quit"])
    assert "Welcome back" in second
    assert "Question 3 of 6: Time and people to keep going" in second
    assert "You're on question 3 of 6" in second and "Question 4 of 6" in second
    store = Store(tmp_path / "c.db")
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {
        "reason": "ready",
        "networks": "ready",
        "resources": "not_yet",
    }


def coach_chat(tmp_path: Path, *args: str, typed: str = "") -> subprocess.CompletedProcess[str]:
    """``coach chat`` as a person runs it: its own process, answers on standard input."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input=typed,
        env={**os.environ, "COACH_DB": str(tmp_path / "c.db")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_coach_chat_command_in_a_real_terminal_session(tmp_path: Path) -> None:
    done = coach_chat(tmp_path, typed="yes\nyes\nyes\nyes\nyes\nyes\n")
    assert done.returncode == 0, done.stderr
    assert "Your social media readiness: Ready" in done.stdout
    assert "No weak link" in done.stdout


def test_unknown_language_is_refused_clearly(tmp_path: Path) -> None:
    done = coach_chat(tmp_path, "--lang", "xx")
    assert done.returncode == 2 and "no content for language 'xx'" in done.stderr


def test_plain_strips_slack_markup() -> None:
    assert plain("*Weakest link*: `/coach` :red_circle:") == "Weakest link: /coach [--]"


def test_coach_chat_in_finnish(tmp_path: Path) -> None:
    done = coach_chat(tmp_path, "--lang", "fi", typed="kyllä\nosittain\nei\nkyllä\nkyllä\nkyllä\n")
    assert done.returncode == 0, done.stderr
    assert "Kysymys 1/6: Selkeä syy" in done.stdout
    assert "Somevalmiutesi: Hyvällä matkalla" in done.stdout
    assert "Heikoin lenkki: Aikaa ja tekijöitä pitkäjänteisyyteen" in done.stdout
