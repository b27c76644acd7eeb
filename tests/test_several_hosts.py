"""Several hosts sharing nothing but PostgreSQL: ``coach run --http`` twice, each in a directory of its
own, one killed (with its sending process) mid-traffic and started again; and two ticks at once."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.store.postgres import PostgresStore
from flows.assessment import SUMMARY
from flows.content import QUESTION_IDS
from flows.values import MemberKey
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, child_env, wait_for_empty_outbox
from tests.fake_slack import Call, FakeSlack
from tests.slack_driver import Reply, SlackDriver, questions_to
from tests.test_e2e_restart import free_port, wait_until_serving
from tests.test_scheduler_faults import MONDAY, checkins_per_member, populate_store

MEMBERS = 50
SENDER_SILENCE_SECONDS = 3  # COACH_SENDER_SILENCE_SECONDS here: a dead host's claims go after 3 s, not 30
SENDER_TAKEOVER_SECONDS = 60.0  # how long the test waits for that, at most


@dataclass
class Host:
    """One ``coach run --http`` in a directory of its own, in a process group of its own (its sending
    process included), so a SIGKILL of the group is a host dying."""

    folder: Path
    database_url: str
    fake: FakeSlack
    process: subprocess.Popen[bytes] | None = None
    driver: SlackDriver | None = None

    def start(self) -> Host:
        self.folder.mkdir(exist_ok=True)
        port = free_port()
        env = child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=self.fake.url,
            COACH_DATABASE_URL=self.database_url,
            COACH_SENDER_SILENCE_SECONDS=str(SENDER_SILENCE_SECONDS),
        )
        with (self.folder / "coach.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                cwd=self.folder,
                stderr=log,
                start_new_session=True,
            )
        self.driver = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, self.fake)
        wait_until_serving(self.driver, self.process)
        return self

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.driver = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@dataclass
class Balancer:
    """A load balancer: each request to the next live host, tried on another when a host is down.
    A request tried again is signed anew, as Slack signs each delivery."""

    hosts: list[Host]
    turns: Iterator[int] = field(default_factory=itertools.count)
    acknowledged: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    busy: threading.Event = field(default_factory=threading.Event)  # set at a third of the traffic
    busy_at: int = MEMBERS * 3

    def post(self, body: str, content_type: str = "application/x-www-form-urlencoded") -> Reply:
        for attempt in range(20):
            host = self.hosts[next(self.turns) % len(self.hosts)]
            driver = host.driver
            if driver is None:
                continue
            try:
                reply = driver.post(body, content_type, timestamp=int(time.time()) + attempt)
            except OSError:
                continue  # the host died under this request: not acknowledged, so tried elsewhere
            if reply.status == 200:
                with self.lock:
                    self.acknowledged += 1
                    if self.acknowledged >= self.busy_at:
                        self.busy.set()
                return reply
        raise AssertionError("no host acknowledged the request")


def asked_question(call: Call) -> str:
    """The question a posted question message asks (its answer buttons' block names it)."""
    block_ids = [str(block.get("block_id", "")) for block in call.args.get("blocks") or []]
    return next(block_id.split(":")[2] for block_id in block_ids if block_id.startswith("answer:"))


@pytest.fixture
def hosts(tmp_path: Path, postgres_url: str, fake_slack: FakeSlack) -> Iterator[list[Host]]:
    started = [Host(tmp_path / f"host-{n}", postgres_url, fake_slack).start() for n in (1, 2)]
    yield started
    for host in started:
        host.stop()


def test_a_host_killed_mid_traffic_loses_and_repeats_nothing(
    hosts: list[Host], postgres_url: str, fake_slack: FakeSlack
) -> None:
    balancer = Balancer(hosts)
    store = PostgresStore(postgres_url)
    users = [f"U0HOST{n:02d}" for n in range(MEMBERS)]
    killed = threading.Event()
    first = hosts[0].driver
    assert first is not None

    def member(user: str) -> None:
        balancer.post(first.command_body(user))
        assessment = store.latest_assessment(MemberKey("T0001", user))  # stored before it was acknowledged
        assert assessment is not None
        for question_id in QUESTION_IDS:
            balancer.post(first.answer_click_body(user, assessment.id, question_id, "ready"))

    def killer() -> None:
        balancer.busy.wait(timeout=120)
        hosts[0].kill()
        killed.set()
        hosts[0].start()

    try:
        threads = [threading.Thread(target=killer)] + [threading.Thread(target=member, args=(u,)) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert killed.is_set() and balancer.acknowledged == MEMBERS * (1 + len(QUESTION_IDS))
        wait_for_empty_outbox(store, timeout=SENDER_TAKEOVER_SECONDS)
        for user in users:
            row = store.latest_assessment(MemberKey("T0001", user))
            assert row is not None and row.state == SUMMARY and len(store.answers(row.id)) == len(QUESTION_IDS)
            asked = [asked_question(call) for call in questions_to(fake_slack.calls, user)]
            assert asked == list(QUESTION_IDS), f"{user} was asked {asked}"  # each once, in order
    finally:
        store.close()


def test_two_hosts_ticking_at_once_send_each_check_in_once(
    tmp_path: Path, postgres_url: str, fake_slack: FakeSlack
) -> None:
    store = PostgresStore(postgres_url)
    try:
        members = populate_store(store, 40, teams=2)
    finally:
        store.close()
    env = child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        COACH_DATABASE_URL=postgres_url,
    )
    ticks = []
    for host in ("host-1", "host-2"):  # a directory each: nothing shared but the database
        (tmp_path / host).mkdir()
        command = [sys.executable, "-m", "bot.cli", "tick", "--now", MONDAY.isoformat()]
        ticks.append(subprocess.Popen(command, env=env, cwd=tmp_path / host, stdout=subprocess.DEVNULL))
    assert [tick.wait(timeout=120) for tick in ticks] == [0, 0]
    counts = checkins_per_member(fake_slack)
    assert len(counts) == len(members) and set(counts.values()) == {1}
