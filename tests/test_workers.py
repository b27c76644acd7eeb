"""``coach run --http --workers N`` as real processes: N serving processes on one port, one ticker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.store.factory import open_store
from flows.assessment import SUMMARY
from flows.content import QUESTION_IDS
from flows.values import MemberKey
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, child_env, wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.processes import running, sending_children, serving_children, wait_for
from tests.slack_driver import SlackDriver, questions_to
from tests.test_e2e_restart import free_port, wait_until_serving

WORKERS = 2


def start_workers(
    fake_slack: FakeSlack, db_path: Path, log_path: Path, database_url: str | None = None
) -> tuple[subprocess.Popen[bytes], SlackDriver]:
    port = free_port()
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        COACH_DATABASE_URL=database_url or f"sqlite:///{db_path}",
    )
    command = ["run", "--http", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *command], env=env, cwd=log_path.parent, stderr=log
        )
    driver = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, fake_slack)
    wait_until_serving(driver, process)
    return process, driver


def test_dead_serving_and_sending_processes_are_replaced_and_all_end_with_a_killed_parent(
    fake_slack: FakeSlack, db_path: Path, tmp_path: Path
) -> None:
    process, driver = start_workers(fake_slack, db_path, tmp_path / "coach.log")
    (sender,) = wait_for(lambda: sending_children(process.pid), "no sending process beside the serving ones")
    first = serving_children(process.pid)  # once the sender runs `coach send`, not a copy of the parent
    assert len(first) == WORKERS
    os.kill(min(first), signal.SIGKILL)  # a serving process dies: the parent starts another
    servers = wait_for(
        lambda: (found := serving_children(process.pid)) != first and len(found) == WORKERS and found,
        "no replacement for a dead serving process",
    )
    os.kill(sender, signal.SIGKILL)  # the sending process dies: another, and no extra serving process
    (new_sender,) = wait_for(lambda: sending_children(process.pid) - {sender}, "no replacement sending process")
    assert serving_children(process.pid) == servers
    assert driver.get("/healthz").status == 200
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    wait_for(
        lambda: not any(running(child) for child in {*servers, new_sender}), "a child process outlived its parent"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, db_path: Path) -> str:
    return f"sqlite:///{db_path}" if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))


def test_several_serving_processes_share_one_port_and_one_ticker(
    fake_slack: FakeSlack, db_path: Path, tmp_path: Path, database_url: str
) -> None:
    log_path = tmp_path / "coach.log"
    process, driver = start_workers(fake_slack, db_path, log_path, database_url)
    try:
        wait_for(lambda: sending_children(process.pid), "no sending process beside the serving ones")
        assert len(serving_children(process.pid)) == WORKERS
        users = [f"U0WORK{n}" for n in range(6)]
        for user in users:
            assert driver.command(user).status == 200
        store = open_store(database_url)
        wait_for_empty_outbox(store)

        def member(user: str) -> None:
            assessment = store.latest_assessment(MemberKey("T0001", user))
            assert assessment is not None
            for question_id in QUESTION_IDS:
                body = driver.answer_click_body(user, assessment.id, question_id, "ready")
                assert driver.post(body, "application/x-www-form-urlencoded").status == 200

        threads = [threading.Thread(target=member, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        wait_for_empty_outbox(store)
        for user in users:
            row = store.latest_assessment(MemberKey("T0001", user))
            assert row is not None and row.state == SUMMARY and len(store.answers(row.id)) == len(QUESTION_IDS)
            assert len(questions_to(fake_slack.calls, user)) == len(QUESTION_IDS)  # each question once
            driver.messages_with(user, "Your social media readiness")
        store.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert log_path.read_text().count("tick at") == 1  # the parent ticks; the serving processes do not
