"""The coach as a Slack CLI project: each hook run the way the CLI runs it (through a shell, the
project's ``.venv`` first on the path, ``--protocol=message-boundaries --boundary=X`` appended) and
its answer read the way the CLI reads it (the JSON between the two boundaries); ``coach manifest``."""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jsonschema
import pytest
import yaml

from bot.cli import main
from tests.conftest import ROOT, child_env, shared_file
from tests.fake_slack import FakeSlack
from tests.fake_socket_mode import FakeSocketMode, slash_command_envelope
from tests.slack_driver import SlackDriver

BOUNDARY = "a1b2c3d4e5f6"
CLI_APP_TOKEN, CLI_BOT_TOKEN = "xapp-1-ADEV-1-cli", "xoxb-cli-dev-app"


def hook_env(**settings: str) -> dict[str, str]:
    """What the CLI gives a hook: its environment with the project's ``.venv`` activated."""
    env = {k: v for k, v in child_env().items() if not k.startswith(("SLACK_", "COACH_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(settings)
    return env


def run_hook(command: str, boundaries: bool = True, cwd: Path = ROOT, **settings: str) -> str:
    script = f"{command} --protocol=message-boundaries --boundary={BOUNDARY}" if boundaries else command
    done = subprocess.run(
        ["sh", "-c", script], cwd=cwd, env=hook_env(**settings), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    if not boundaries:
        return done.stdout
    _, payload, _ = done.stdout.split(BOUNDARY)  # exactly one answer, between two boundaries
    return payload


def hooks() -> dict[str, Any]:
    project = json.loads((ROOT / ".slack" / "hooks.json").read_text(encoding="utf-8"))
    return json.loads(run_hook(project["hooks"]["get-hooks"]))


def manifest_yml() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def test_get_hooks_gives_every_hook_and_lets_start_manage_the_connection() -> None:
    answer = hooks()
    assert set(answer["hooks"]) == {"get-manifest", "start", "doctor", "check-update"}
    assert answer["config"]["sdk-managed-connection-enabled"] is True
    assert answer["config"]["protocol-version"][0] == "message-boundaries"
    assert answer["runtime"] == "python"
    watched = answer["config"]["watch"]
    assert watched["manifest"]["paths"] == ["manifest.yml"]
    assert all((ROOT / path).is_dir() for path in watched["app"]["paths"])


@pytest.mark.parametrize("boundaries", [True, False], ids=["message-boundaries", "default"])
def test_get_manifest_serves_manifest_yml_as_json(boundaries: bool) -> None:
    served = json.loads(run_hook(hooks()["hooks"]["get-manifest"], boundaries))
    assert served == manifest_yml()


def test_the_served_manifest_is_valid_for_slack() -> None:
    schema = json.loads(shared_file("slack-specs/manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(run_hook(hooks()["hooks"]["get-manifest"])), schema)


def test_doctor_hook_reports_the_python_runtime() -> None:
    versions = json.loads(run_hook(hooks()["hooks"]["doctor"]))["versions"]
    assert versions[0] == {"name": "python", "current": ".".join(map(str, sys.version_info[:3]))}


class FakePyPI:
    """``urlopen`` for PyPI's JSON API, offering version 99.0.0 of everything."""

    status = 200
    url = "https://pypi.org/pypi/x/json"

    def __init__(self) -> None:
        self.headers = self
        self.asked: list[str] = []

    def get_content_charset(self) -> str:
        return "utf-8"

    def read(self) -> bytes:
        return json.dumps({"info": {"version": "99.0.0"}}).encode()

    def __call__(self, request: Any) -> FakePyPI:
        self.asked.append(request.full_url)
        return self


def test_check_update_hook_lists_the_slack_packages(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """Run in this process (PyPI is faked), as ``python -m MODULE`` from the hook's command."""
    words = shlex.split(hooks()["hooks"]["check-update"])
    module = words[words.index("-m") + 1]
    pypi = FakePyPI()
    monkeypatch.setattr("urllib.request.urlopen", pypi)
    monkeypatch.setattr(sys, "argv", [module, "--protocol=message-boundaries", f"--boundary={BOUNDARY}"])
    monkeypatch.delitem(sys.modules, module, raising=False)
    runpy.run_module(module, run_name="__main__")
    answer = json.loads(capsys.readouterr().out.split(BOUNDARY)[1])
    releases = {release["name"]: release for release in answer["releases"]}
    assert {"slack_bolt", "slack_sdk", "slack_cli_hooks"} <= set(releases)
    assert all(release["latest"] == "99.0.0" and release["update"] for release in releases.values())
    assert "error" not in answer and len(pypi.asked) == len(releases)


def test_start_runs_coach_in_socket_mode_with_the_tokens_the_cli_hands_over(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """The CLI's development app's tokens win over a copied ``.env.sample``'s placeholders, and no
    signing secret is asked for. (Slack refuses the app token here so that the run ends: the one line
    it ends with shows which token was used.)"""
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-...\nSLACK_APP_TOKEN=xapp-...\n", encoding="utf-8")
    fake_slack.fail("apps.connections.open", error="invalid_auth")
    done = subprocess.run(
        ["sh", "-c", hooks()["hooks"]["start"]],
        cwd=tmp_path,
        env=hook_env(
            SLACK_CLI_XAPP=CLI_APP_TOKEN,
            SLACK_CLI_XOXB=CLI_BOT_TOKEN,
            SLACK_API_URL=fake_slack.url,
            COACH_DB=str(tmp_path / "coach.db"),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "coach: Slack refused SLACK_APP_TOKEN (invalid_auth): copy it again from Basic Information → App-Level"
        " Tokens → Generate Token and Scopes, with connections:write, or reinstall the app"
    ]
    assert [call.token for call in fake_slack.calls_to("auth.test")] == [CLI_BOT_TOKEN]
    assert [call.token for call in fake_slack.calls_to("apps.connections.open")] == [CLI_APP_TOKEN]


def test_slack_run_serves_the_coach_over_socket_mode(tmp_path: Path, fake_slack: FakeSlack) -> None:
    """``slack run``'s whole path: the start hook connects with the development app's tokens and
    answers ``/coach`` as Socket Mode delivers it, and the coach writes to the member's DM."""
    socket_mode = FakeSocketMode().start()
    fake_slack.socket_mode_url = socket_mode.url
    env = hook_env(
        SLACK_CLI_XAPP=CLI_APP_TOKEN,
        SLACK_CLI_XOXB=CLI_BOT_TOKEN,
        SLACK_API_URL=fake_slack.url,
        COACH_DB=str(tmp_path / "coach.db"),
    )
    start = hooks()["hooks"]["start"]
    process = subprocess.Popen(
        ["sh", "-c", start],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        form = dict(parse_qsl(SlackDriver("http://unused", "unused", fake_slack).command_body("U0SOCKET")))
        ack = socket_mode.send(slash_command_envelope(form))
        assert set(ack) <= {"envelope_id", "payload"}
        assert "direct message" in fake_slack.wait_for("response_url")[-1].args["text"]
        first_question = fake_slack.wait_for("chat.postMessage", channel="DU0SOCKET")[0]
        assert first_question.token == CLI_BOT_TOKEN
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as the CLI stops it (the coach's sending process too)
        _, errors = process.communicate(timeout=30)
        socket_mode.stop()
    assert process.returncode in (0, -signal.SIGINT), errors  # the coach, or a shell that did not exec it
    assert "Traceback" not in errors


def coach_manifest(*args: str) -> subprocess.CompletedProcess[str]:
    """``coach manifest ARGS``, run in this process (the command is pure: it reads manifest.yml and
    prints), as the process would end: its exit status, what it printed and what it complained of."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(["manifest", *args])
        except SystemExit as leaving:  # argparse's refusals
            status = leaving.code if isinstance(leaving.code, int) else 1
    return subprocess.CompletedProcess(["coach", "manifest", *args], status, out.getvalue(), err.getvalue())


def test_manifest_for_a_host_points_every_request_url_there() -> None:
    done = coach_manifest("--url", "https://coach.example.org/")
    assert done.returncode == 0, done.stderr
    printed = yaml.safe_load(done.stdout)
    events = "https://coach.example.org/slack/events"
    assert printed["features"]["slash_commands"][0]["url"] == events
    assert printed["settings"]["event_subscriptions"]["request_url"] == events
    assert printed["settings"]["interactivity"]["request_url"] == events
    assert printed["oauth_config"]["redirect_urls"] == ["https://coach.example.org/slack/oauth_redirect"]
    assert printed["settings"]["socket_mode_enabled"] is False
    unchanged = manifest_yml()
    for part in ("display_information", "oauth_config"):
        assert {k: v for k, v in printed[part].items() if k != "redirect_urls"} == {
            k: v for k, v in unchanged[part].items() if k != "redirect_urls"
        }
    assert (
        printed["settings"]["event_subscriptions"]["bot_events"]
        == unchanged["settings"]["event_subscriptions"]["bot_events"]
    )


def test_manifest_for_a_host_is_valid_for_slack() -> None:
    schema = json.loads(shared_file("slack-specs/manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    done = coach_manifest("--url", "https://coach.example.org", "--json")
    jsonschema.validate(json.loads(done.stdout), schema)


def test_manifest_without_url_is_manifest_yml() -> None:
    assert yaml.safe_load(coach_manifest().stdout) == manifest_yml()
    as_a_process = subprocess.run(
        [sys.executable, "-m", "bot.cli", "manifest"], cwd=ROOT, env=hook_env(), capture_output=True, text=True
    )
    assert as_a_process.returncode == 0 and as_a_process.stdout == coach_manifest().stdout


@pytest.mark.parametrize("url", ["http://coach.example.org", "coach.example.org", "https://", "https://a.org/?x=1"])
def test_manifest_refuses_an_address_slack_cannot_send_to(url: str) -> None:
    done = coach_manifest("--url", url)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith("coach: --url must be")
