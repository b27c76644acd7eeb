"""``coach run --http`` as a real process: killed halfway through an assessment, restarted, resumed."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.store import Store
from flows.values import MemberKey
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, child_env
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver
from tests.test_e2e_assessment import wait_for_text

USER = "U0CAROL"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(driver: SlackDriver, process: subprocess.Popen[bytes]) -> None:
    """Until the started server answers its health check (polled: a process has no condition to wait on)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if driver.get("/healthz").status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"coach did not start: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.05)


@contextmanager
def coach_process(
    fake: FakeSlack, db_path: Path, **settings: str
) -> Iterator[tuple[subprocess.Popen[bytes], SlackDriver]]:
    port = free_port()
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.url,
        COACH_DB=str(db_path),
        **settings,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=db_path.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    driver = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, fake)
    try:
        wait_until_serving(driver, process)
        yield process, driver
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def test_killed_halfway_then_resumed_at_the_right_question(fake_slack: FakeSlack, db_path: Path) -> None:
    with coach_process(fake_slack, db_path) as (process, driver):
        driver.command(USER)
        for count, word in enumerate(["yes", "partly", "no"], start=1):
            driver.wait_question(USER, count)
            assert driver.dm(USER, word).status == 200
        driver.wait_question(USER, 4)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    with coach_process(fake_slack, db_path) as (_process, driver):
        assert driver.command(USER).status == 200
        wait_for_text(driver, USER, "pick up where you left off")
        resumed = driver.wait_question(USER, 5)
        assert "Question 4 of 6: A route for customer feedback" in resumed.args["text"]
        driver.click(USER, resumed, "answer:ready")
        driver.wait_question(USER, 6)

    store = Store(db_path)
    latest = store.latest_assessment(MemberKey("T0001", USER))
    assert latest is not None and latest.state == "policy"
    assert store.answers(latest.id) == {
        "reason": "ready",
        "networks": "partly",
        "resources": "not_yet",
        "pipeline": "ready",
    }
