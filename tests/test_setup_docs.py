"""The README's "Setting it up in Slack" and ``.env.sample``, read as a new user reads them: few steps,
each named where it is in Slack's settings, the same places the configuration checks name."""

from __future__ import annotations

import re

import pytest

from bot.checks.config import APP_TOKEN_PLACE, BOT_TOKEN_PLACE, SECRET_PLACE, ConfigurationCheck
from bot.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_SAMPLE = ROOT / ".env.sample"


def steps(heading: str) -> list[str]:
    """The numbered steps under ``### heading``, up to the next heading."""
    section = README.split(f"### {heading}\n", 1)[1].split("\n#", 1)[0]
    found: list[str] = []
    for line in section.splitlines():
        if re.match(r"\d+\. ", line):
            found.append(line.split(". ", 1)[1])
        elif found and line.startswith("   "):  # the step goes on
            found[-1] += " " + line.strip()
    return found


def test_the_slack_cli_path_takes_at_most_four_steps() -> None:
    cli = steps("With the Slack CLI")
    assert 1 <= len(cli) <= 4
    assert any("`slack run`" in step for step in cli) and "`/coach`" in cli[-1]


def test_the_manual_socket_mode_path_takes_at_most_eight_steps_each_in_its_place() -> None:
    manual = steps("By hand, in Socket Mode (no public URL needed)")
    assert 1 <= len(manual) <= 8
    assert "`cp .env.sample .env`" in manual
    assert any("**Basic Information → App-Level Tokens → Generate Token and Scopes**" in step for step in manual)
    assert any("`connections:write`" in step for step in manual)
    assert not any("Signing Secret" in step for step in manual)


@pytest.mark.parametrize("place", [BOT_TOKEN_PLACE, APP_TOKEN_PLACE, SECRET_PLACE])
def test_readme_and_env_sample_name_the_places_the_checks_name(place: str) -> None:
    names = place.split(",")[0].split(" → ")
    assert all(name in README for name in names), names
    assert " -> ".join(names) in ENV_SAMPLE.read_text(encoding="utf-8")


def test_env_sample_as_copied_is_caught_as_placeholders() -> None:
    copied = Settings(_env_file=ENV_SAMPLE)
    problems = ConfigurationCheck(copied, http=False).problems()
    assert [problem.split(" is ")[0] for problem in problems] == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]
    assert all(" is a placeholder " in problem for problem in problems)


def test_env_sample_lists_every_configuration_variable_of_the_readme() -> None:
    table = README.split("### Configuration\n", 1)[1].strip().split("\n\n", 1)[0]
    variables = set(re.findall(r"`([A-Z_]+)`", table))
    assert variables and all(f"{name}=" in ENV_SAMPLE.read_text(encoding="utf-8") for name in variables)
