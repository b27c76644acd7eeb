from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.app import create_app
from bot.http.server import make_server
from bot.sending.sender import make_sender
from bot.settings import Settings
from bot.store import Store
from bot.store.factory import AnyStore
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# Every end-to-end test runs at this instant (a Wednesday) unless it moves the clock.
TEST_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class FrozenClock:
    """The app's clock in tests: fixed, and moved only by the test."""

    def __init__(self, now: datetime = TEST_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# Where the processes a test starts keep the checkout's compiled modules when this environment
# forbids writing them beside the source (PYTHONDONTWRITEBYTECODE): otherwise each of the suite's
# hundred-odd processes compiles the whole of bot/ and flows/ again before it can start.
CHILD_BYTECODE = Path(tempfile.gettempdir()) / f"coach-tests-bytecode-{os.getuid()}"


def child_env(**settings: str) -> dict[str, str]:
    """The environment of a coach process a test starts: this checkout's code first on the path (not
    whatever checkout the virtual environment was installed from), no Socket Mode, and ``settings``."""
    env = {name: value for name, value in os.environ.items() if name != "SLACK_APP_TOKEN"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        env.setdefault("PYTHONPYCACHEPREFIX", str(CHILD_BYTECODE))
    env.update(settings)
    return env


def shared_file(relative: str) -> Path:
    """A file from ``../shared`` (present in CI, absent from a user's clone): skip clearly without it."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not here: ../shared sits beside the clone only in CI")
    return path


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database with every migration applied, made once per test process."""
    path = tmp_path_factory.mktemp("template") / "coach.db"
    Store(path).close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, migrated_database: Path) -> Path:
    """The test's own database, already migrated (a copy of ``migrated_database``: applying the
    migrations to each test's new file took 16 ms of every end-to-end test)."""
    path = tmp_path / "coach.db"
    with sqlite3.connect(migrated_database) as template, sqlite3.connect(path) as copy:
        template.backup(copy)
    template.close()
    copy.close()
    return path


@pytest.fixture
def settings(fake_slack: FakeSlack, db_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        coach_db=str(db_path),
    )


@pytest.fixture
def oauth_settings(fake_slack: FakeSlack, db_path: Path) -> Settings:
    """Multi-workspace (OAuth) mode: a client id and secret instead of one bot token."""
    return Settings(
        _env_file=None,
        slack_client_id="111.222",
        slack_client_secret="oauth-client-secret",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        coach_db=str(db_path),
    )


@contextmanager
def serving(
    settings: Settings, store: AnyStore, fake: FakeSlack, clock: Callable[[], datetime] | None = None
) -> Iterator[SlackDriver]:
    """The real Bolt app on waitress, on a free loopback port, for the length of the block."""
    app = create_app(settings, store, clock or FrozenClock())
    sender = make_sender(settings, store, clock or FrozenClock(), poll_seconds=0.05).start()
    server = make_server(app, store, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield SlackDriver(f"http://127.0.0.1:{server.effective_port}", SIGNING_SECRET, fake)  # type: ignore[union-attr]
    finally:
        stop_waitress(server, thread)
        sender.stop()


def stop_waitress(server: Any, thread: threading.Thread) -> None:
    """Close every socket from inside waitress's own loop thread, so its loop ends by itself;
    closing them from here instead races the loop's poll and ends in a bad file descriptor."""

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    try:
        server.trigger.pull_trigger(close_all)
    except OSError:  # the loop closed its trigger already (it is ending): nothing left to wake
        close_all()
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def coach_server(settings: Settings, fake_slack: FakeSlack, clock: FrozenClock) -> Iterator[SlackDriver]:
    store = Store(settings.coach_db)
    with serving(settings, store, fake_slack, clock) as driver:
        yield driver
    store.close()


@pytest.fixture
def open_store(db_path: Path) -> Callable[[], Store]:
    return lambda: Store(db_path)


@pytest.fixture
def tick(fake_slack: FakeSlack, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``coach tick --now <instant>``, through the real command line entry point."""
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "COACH_DB": str(db_path),
    }.items():
        monkeypatch.setenv(name, value)

    def run(now: datetime) -> None:
        assert cli.main(["tick", "--now", now.isoformat()]) == 0
        wait_for_empty_outbox(Store(db_path))  # a running server's sender may have taken some of it

    return run


def wait_for_empty_outbox(store: AnyStore, timeout: float = 10.0) -> None:
    """Wait until the sender has sent (and deleted) every outbox row: nothing is left to go out."""
    deadline = time.monotonic() + timeout
    while store.outbox_size():
        assert time.monotonic() < deadline, f"the outbox still holds {store.outbox_size()} row(s)"
        time.sleep(0.01)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server for this test process; skipped, saying how to run them, without one."""
    from tests.postgres import HOW_TO_RUN, PostgresServer, server_bin

    bin_dir = server_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            raise RuntimeError(HOW_TO_RUN)  # CI must run them: a missing server is a failure there
        pytest.skip(HOW_TO_RUN)
    server = PostgresServer(bin_dir)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: Any) -> str:
    """A fresh, empty database on the throwaway server."""
    return str(postgres_server.new_database())
