"""A first ``coach run`` explains itself: each configuration mistake ends in one plain line that names
the setting and where in Slack's settings the right value is, never in a stack trace; ``coach doctor``
prints the same checks. Two runs here are real ``coach`` processes against the fake Slack; the others
call the same entry point in this process (``cli.main``, its standard streams and log lines caught as
a process's would be), since starting the interpreter and the coach's imports took half a second each."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot import cli
from bot.checks.config import is_placeholder
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, child_env
from tests.fake_slack import FakeSlack

APP_TOKEN = "xapp-1-A0COACH-1-abc"


def configured(tmp_path: Path, settings: dict[str, str]) -> dict[str, str]:
    """The environment of ``coach`` with only ``settings`` configured."""
    env = {k: v for k, v in child_env().items() if not k.startswith(("SLACK_", "COACH_"))}
    return {**env, "COACH_DB": str(tmp_path / "coach.db"), "SLACK_TIMEOUT": "5", **settings}


def coach_process(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """``coach ARGS`` as a process of its own in an empty directory (no ``.env``)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=tmp_path,
        env=configured(tmp_path, settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def coach(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """``coach ARGS`` through ``cli.main`` in this process, as ``coach_process`` would run it: the same
    environment and directory, and what it prints or logs (at INFO, as ``coach`` logs) caught."""
    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    root = logging.getLogger()
    level = root.level
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            patch.delenv(name)
        for name, value in configured(tmp_path, settings).items():
            patch.setenv(name, value)
        patch.chdir(tmp_path)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = cli.main(list(args))
        finally:
            root.removeHandler(handler)
            root.setLevel(level)
    return subprocess.CompletedProcess(["coach", *args], code, out.getvalue(), err.getvalue())


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def one_line_refusal(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout == ""
    return lines[0]


def test_no_bot_token_says_where_to_find_it(tmp_path: Path) -> None:
    line = one_line_refusal(coach_process(tmp_path, "run", "--http", SLACK_SIGNING_SECRET=SIGNING_SECRET))
    assert line.startswith("coach: SLACK_BOT_TOKEN is not set")
    assert "cp .env.sample .env" in line and "OAuth & Permissions" in line and "Bot User OAuth Token" in line


def test_the_samples_placeholder_is_named_as_one(tmp_path: Path) -> None:
    line = one_line_refusal(coach(tmp_path, "run", SLACK_BOT_TOKEN="xoxb-...", SLACK_APP_TOKEN=APP_TOKEN))
    assert line.startswith("coach: SLACK_BOT_TOKEN is a placeholder (xoxb-...)")


def test_socket_mode_without_an_app_token_says_where_it_is_made(tmp_path: Path) -> None:
    line = one_line_refusal(coach(tmp_path, "run", SLACK_BOT_TOKEN=BOT_TOKEN))
    assert line.startswith("coach: SLACK_APP_TOKEN is not set")
    assert "Basic Information → App-Level Tokens" in line and "connections:write" in line


def test_a_bot_token_in_the_app_tokens_place_is_caught(tmp_path: Path) -> None:
    line = one_line_refusal(coach(tmp_path, "run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=BOT_TOKEN))
    assert "SLACK_APP_TOKEN must start with xapp- (this one starts with xoxb-)" in line
    assert BOT_TOKEN not in line  # a token is never printed


def test_http_without_a_signing_secret_is_refused(tmp_path: Path) -> None:
    line = one_line_refusal(coach(tmp_path, "run", "--http", SLACK_BOT_TOKEN=BOT_TOKEN))
    assert line.startswith("coach: SLACK_SIGNING_SECRET is not set: HTTP mode needs it")
    assert "Basic Information → App Credentials → Signing Secret" in line


def test_oauth_settings_in_socket_mode_point_to_http(tmp_path: Path) -> None:
    oauth = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_APP_TOKEN": APP_TOKEN}
    line = one_line_refusal(coach(tmp_path, "run", **oauth))
    assert line.startswith("coach: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth mode) need HTTP")
    assert "`coach run --http`" in line


def test_a_bot_token_slack_refuses(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.fail("auth.test", error="invalid_auth")
    done = coach(tmp_path, "run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.url)
    line = one_line_refusal(done)
    assert line.startswith("coach: Slack refused SLACK_BOT_TOKEN (invalid_auth): copy it again from OAuth &")
    assert fake_slack.calls_to("apps.connections.open") == []


def test_an_app_token_slack_refuses(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.fail("apps.connections.open", error="invalid_auth")
    done = coach(tmp_path, "run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.url)
    assert one_line_refusal(done).startswith("coach: Slack refused SLACK_APP_TOKEN (invalid_auth)")
    assert [call.token for call in fake_slack.calls_to("apps.connections.open")] == [APP_TOKEN]


def test_slack_out_of_reach(tmp_path: Path) -> None:
    done = coach(tmp_path, "run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=closed_port_url())
    line = one_line_refusal(done)
    assert line.startswith("coach: Slack is not reachable at http://127.0.0.1:")
    assert "Connection refused" in line and "check the network connection" in line


@pytest.mark.parametrize(
    ("status", "error", "says"),
    [
        (404, "not_found", "does not answer like Slack's Web API (HTTP 404): check SLACK_API_URL"),
        (503, "service_unavailable", "Slack answered service_unavailable when checking SLACK_BOT_TOKEN: try again"),
    ],
)
def test_an_answer_that_is_no_verdict_on_the_token(
    tmp_path: Path, fake_slack: FakeSlack, status: int, error: str, says: str
) -> None:
    fake_slack.fail("auth.test", error=error, status=status)
    done = coach(tmp_path, "run", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.url)
    assert says in one_line_refusal(done)


def test_doctor_prints_every_check_and_needs_no_signing_secret_in_socket_mode(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    done = coach(tmp_path, "doctor", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake_slack.url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "ok: SLACK_BOT_TOKEN is set (xoxb-…)",
        "ok: SLACK_APP_TOKEN is set (xapp-…)",
        "ok: Slack accepts SLACK_BOT_TOKEN: workspace Test (T0001)",
        "ok: Slack accepts SLACK_APP_TOKEN: Socket Mode can connect",
        "ready: `coach run` will serve Socket Mode",
    ]
    assert [call.token for call in fake_slack.calls_to("auth.test")] == [BOT_TOKEN]


def test_doctor_names_the_same_problems_as_run(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.fail("auth.test", error="invalid_auth", times=2)
    settings = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake_slack.url, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    doctor = coach_process(tmp_path, "doctor", "--http", **settings)
    run = one_line_refusal(coach_process(tmp_path, "run", "--http", **settings))
    assert doctor.returncode == 1 and "Traceback" not in doctor.stdout + doctor.stderr
    assert doctor.stdout.splitlines()[:2] == ["ok: SLACK_BOT_TOKEN is set (xoxb-…)", "ok: SLACK_SIGNING_SECRET is set"]
    assert doctor.stdout.splitlines()[2:] == [run.replace("coach: ", "problem: ", 1)]


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("xoxb-...", True),
        ("xapp-…", True),
        ("<your bot token>", True),
        ("your-signing-secret", True),
        ("xoxb-12-34-AbCdEf", False),
        ("8f14e45fceea167a5a36dedd4bea2543", False),
    ],
)
def test_placeholders_are_told_from_real_values(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder
