"""``coach migrate-db``: a SQLite coach's data moved into PostgreSQL, whole, and never merged."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot import cli
from bot.settings import Settings
from bot.slack.installations import installation_store
from bot.store import SetAnswer, Store
from bot.store.postgres import PostgresStore
from flows.values import MemberKey

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEMBERS = [MemberKey("T1", "U1"), MemberKey("T1", "U2"), MemberKey("T2", "U3")]


def a_used_sqlite_coach(path: Path) -> Store:
    store = Store(path)
    for member in MEMBERS:
        store.ensure_member(member, NOW)
        row = store.create_assessment(member, "reason", NOW)
        store.advance(row, "networks", NOW, SetAnswer("reason", "ready", source="typed", text="yes!"))
        store.plans.save_section(member, "goals", {"goal": "more customers", "networks": ("instagram",)}, NOW)
        store.add_to_outbox(member, b"\x00reply", NOW)
        store.record_checkin(member, "2026-W47", 2, "same", NOW)
    store.stop_workspace("T2", "uninstalled", NOW)
    store.first_sight_of_signature("v0=abc", 1_000_000.0)
    return store


def test_every_members_data_arrives_and_new_rows_take_new_ids(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite = a_used_sqlite_coach(tmp_path / "coach.db")
    assert cli.main(["migrate-db", "--from", f"sqlite:///{tmp_path / 'coach.db'}", "--to", postgres_url]) == 0
    assert "members: 3" in capsys.readouterr().out
    postgres = PostgresStore(postgres_url)
    try:
        for member in MEMBERS:
            assert postgres.export_member(member) == sqlite.export_member(member)
        assert not postgres.workspace_active("T2") and not postgres.first_sight_of_signature("v0=abc", 1_000_001.0)
        fresh = postgres.create_assessment(MemberKey("T1", "U9"), "reason", NOW)
        assert fresh.id > max(row.id for m in MEMBERS for row in sqlite.recent_assessments(m, 5))
        assert postgres.add_to_outbox(MEMBERS[0], b"next", NOW) == 4
    finally:
        postgres.close()


def installation(team_id: str) -> Installation:
    return Installation(
        app_id="A1", team_id=team_id, user_id="U1", bot_token=f"xoxb-{team_id}", bot_id="B1", bot_user_id="UB1"
    )


def test_installations_made_through_oauth_come_along(tmp_path: Path, postgres_url: str) -> None:
    settings = Settings(_env_file=None, slack_client_id="111.222", slack_client_secret="secret")
    sqlite = a_used_sqlite_coach(tmp_path / "coach.db")
    installs = installation_store(settings, sqlite)
    assert installs is not None
    installs.save(installation("T1"))
    assert cli.main(["migrate-db", "--from", f"sqlite:///{tmp_path / 'coach.db'}", "--to", postgres_url]) == 0
    postgres = PostgresStore(postgres_url)
    try:
        moved = installation_store(settings, postgres)
        assert moved is not None
        bot = moved.find_bot(enterprise_id=None, team_id="T1")
        assert bot is not None and bot.bot_token == "xoxb-T1"
        moved.save(installation("T2"))
        assert moved.enterprise_of("T2") is None and moved.find_bot(enterprise_id=None, team_id="T2") is not None
    finally:
        postgres.close()


def test_a_target_that_holds_data_is_refused(tmp_path: Path, postgres_url: str, capsys) -> None:
    a_used_sqlite_coach(tmp_path / "coach.db")
    source = f"sqlite:///{tmp_path / 'coach.db'}"
    assert cli.main(["migrate-db", "--from", source, "--to", postgres_url]) == 0
    assert cli.main(["migrate-db", "--from", source, "--to", postgres_url]) == 2
    assert "already holds data (members" in capsys.readouterr().err


def test_a_missing_source_file_is_named(tmp_path: Path, capsys) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    assert cli.main(["migrate-db", "--from", f"sqlite:///{tmp_path / 'nope.db'}", "--to", target]) == 2
    assert "no database file" in capsys.readouterr().err and not (tmp_path / "target.db").exists()


def test_a_pg_dump_of_the_running_coach_restores_whole(postgres_server, postgres_url: str, tmp_path: Path) -> None:
    """The README's backup: ``pg_dump --format=custom`` while it runs, ``pg_restore`` into a new database."""
    store = PostgresStore(postgres_url)
    restored_url = postgres_server.new_database(migrated=False)
    try:
        store.ensure_member(MEMBERS[0], NOW)
        row = store.create_assessment(MEMBERS[0], "reason", NOW)
        store.advance(row, "networks", NOW, SetAnswer("reason", "ready"))
        dump = tmp_path / "coach.dump"
        tools = postgres_server.bin_dir
        subprocess.run([tools / "pg_dump", "--format=custom", f"--file={dump}", postgres_url], check=True)
        subprocess.run([tools / "pg_restore", f"--dbname={restored_url}", dump], check=True)
        restored = PostgresStore(restored_url)
        try:
            assert restored.export_member(MEMBERS[0]) == store.export_member(MEMBERS[0])
            assert restored.create_assessment(MEMBERS[1], "reason", NOW).id == row.id + 1
        finally:
            restored.close()
    finally:
        store.close()


def test_the_readme_commands_for_more_than_one_machine_are_the_cli_s() -> None:
    section = (Path(__file__).resolve().parents[1] / "README.md").read_text().split("## More than one machine\n")[1]
    commands = re.findall(r"`coach (migrate-db [^`]+)`", section.split("\n## ", 1)[0])
    assert commands
    for command in commands:
        args = cli._parser().parse_args(command.split())
        assert args.source.startswith("sqlite:///") and args.target.startswith("postgresql://")


def test_without_a_server_the_postgresql_tests_say_how_to_run_them(monkeypatch, tmp_path: Path) -> None:
    from tests.postgres import HOW_TO_RUN, server_bin

    monkeypatch.setenv("COACH_TEST_POSTGRES_BIN", str(tmp_path))  # no initdb there
    assert server_bin() is None
    assert "apt-get install postgresql" in HOW_TO_RUN and "COACH_TEST_POSTGRES_BIN" in HOW_TO_RUN
