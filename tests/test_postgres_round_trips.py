"""What a unit of work costs in round trips to PostgreSQL, read from libpq's own trace of the protocol:
each round trip ends with the server's ``ReadyForQuery``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.settings import Settings
from bot.store import SetAnswer
from bot.store.outbox import DM_LANE
from bot.store.postgres import PostgresStore
from bot.store.requests import CopyHandled
from flows.values import MemberKey
from tests.conftest import serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack

COUNT = "select count(*) from members"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(postgres_url)
    yield opened
    opened.close()


def round_trips(store: PostgresStore, trace: Path, unit: Callable[[], None], snapshot: bool = True) -> list[str]:
    """The statements each round trip of ``unit`` (run as one unit of work) carried, in order."""
    traced = []
    with trace.open("w") as file:
        try:
            with store.unit_of_work(snapshot=snapshot):
                held = store._held()
                assert held is not None
                traced.append(held.conn.pgconn)
                held.conn.pgconn.trace(file.fileno())
                unit()
        finally:
            for pgconn in traced:
                pgconn.untrace()
    return read_trace(trace)


def read_trace(trace: Path) -> list[str]:
    """The statements of each round trip in a libpq trace: each ends with the server's ``ReadyForQuery``."""
    trips, statements = [], []
    for line in trace.read_text().splitlines():
        fields = line.split("\t")
        if fields[1] == "F" and fields[3] in ("Parse", "Query"):
            statements.append(fields[4].strip().split('"')[-2] if fields[3] == "Parse" else fields[4].strip()[1:-1])
        if fields[1] == "B" and fields[3] == "ReadyForQuery":
            trips.append(" | ".join(statements))
            statements = []
    return trips


def short(trip: str) -> str:
    """A round trip's statements, each by its first two words."""
    return " | ".join(" ".join(statement.split()[:2]) for statement in trip.split(" | "))


def test_a_units_begin_goes_out_with_its_first_statement(store: PostgresStore, tmp_path: Path) -> None:
    def two_reads() -> None:
        store.db.execute(COUNT)
        store.db.query(COUNT)

    trips = round_trips(store, tmp_path / "trace", two_reads)
    assert trips == [f"begin isolation level repeatable read | {COUNT}", COUNT, "commit"]


def test_a_unit_that_runs_no_statement_sends_nothing(store: PostgresStore, tmp_path: Path) -> None:
    assert round_trips(store, tmp_path / "trace", lambda: None) == []


def test_letting_go_of_the_snapshot_costs_no_round_trip_of_its_own(store: PostgresStore, tmp_path: Path) -> None:
    """``end_reading`` before the request's own record: the snapshot's commit and the new begin go out
    with the record's statement (and before any read, only the plain begin)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def read_then_record() -> None:
        store.db.execute(COUNT)
        store.end_reading()
        assert store.record_event("Ev1", now)

    def record_only() -> None:
        store.end_reading()
        assert store.record_event("Ev2", now)

    first, second, last = round_trips(store, tmp_path / "trace", read_then_record)
    assert (first, last) == (f"begin isolation level repeatable read | {COUNT}", "commit")
    assert second.startswith("commit | begin | insert into processed_events")
    begin, commit = round_trips(store, tmp_path / "trace", record_only)
    assert begin.startswith("begin | insert into processed_events") and commit == "commit"


def test_writes_nobody_waits_for_go_out_with_the_next_statement(store: PostgresStore, tmp_path: Path) -> None:
    """A request's bookkeeping (the workspace reopened, the answer, the outbox row, the open prompt)
    costs no round trip of its own: each rides with the statement after it, or with the commit."""
    member = MemberKey("T1", "U1")
    reopened: list[str] = []

    def request() -> None:
        store.reopen_workspace("T1", lambda: reopened.append("T1"))
        store.db.execute(COUNT)
        assert store.add_to_outbox_unread(member, b"{}", NOW, DM_LANE) is None  # its id only at the commit
        store.set_open_prompt(member, "assessment:1", NOW)

    store.stop_workspace("T1", "tokens_revoked", NOW)
    trips = [short(trip) for trip in round_trips(store, tmp_path / "trace", request)]
    assert trips == ["begin isolation | update workspaces | select count(*)", "with locked | update members | commit"]
    assert reopened == ["T1"] and store.workspace_active("T1")  # said once the update had run
    assert [row.member for row in store.claim_outbox_rows("owner", NOW, 1e12, 10)] == [member]


def test_a_write_nobody_waited_for_that_fails_fails_the_whole_unit(store: PostgresStore) -> None:
    member = MemberKey("T1", "U1")
    store.ensure_member(member, NOW)
    with pytest.raises(psycopg.errors.NotNullViolation), store.unit_of_work(snapshot=True):
        assert store.add_to_outbox_unread(member, b"{}", NOW, DM_LANE) is None
        store._write_unread("update members set checkin_time = null where user_id = ?", ["U1"])
    assert store.claim_outbox_rows("owner", NOW, 1e12, 10) == []  # the row before it was rolled back too
    with store.unit_of_work(snapshot=True):  # and the connection went back to the pool clean
        assert store.add_to_outbox_unread(member, b"{}", NOW, DM_LANE) is None
    assert len(store.claim_outbox_rows("owner", NOW, 1e12, 10)) == 1


def test_a_requests_signature_goes_out_with_its_commit_and_a_copys_rolls_it_all_back(
    store: PostgresStore, tmp_path: Path
) -> None:
    member = MemberKey("T1", "U1")

    def request() -> None:
        store.db.execute(COUNT)
        store.set_open_prompt(member, "assessment:1", NOW)
        assert store.first_sight_of_signature("v0=abc", 1e9)  # settled at the commit

    trips = [short(trip) for trip in round_trips(store, tmp_path / "trace", request)]
    assert trips == ["begin isolation | select count(*)", "update members | insert into | commit"]
    with pytest.raises(CopyHandled), store.unit_of_work(snapshot=True):
        assert store.add_to_outbox_unread(member, b"{}", NOW, DM_LANE) is None
        assert store.first_sight_of_signature("v0=abc", 1e9)
    assert store.claim_outbox_rows("owner", NOW, 1e12, 10) == []  # the copy kept nothing
    assert not store.first_sight_of_signature("v0=abc", 1e9)  # outside a unit: answered at once


def test_another_statements_unique_violation_is_not_taken_for_a_copy(store: PostgresStore) -> None:
    """Only the signature's own violation means a copy: the statements after a failed one are skipped
    without a result, so the one that failed is the first without one."""
    member = MemberKey("T1", "U1")
    store.ensure_member(member, NOW)
    with pytest.raises(psycopg.errors.UniqueViolation), store.unit_of_work(snapshot=True):
        store._write_unread("insert into members (team_id, user_id) values (?, ?)", ["T1", "U1"])
        assert store.first_sight_of_signature("v0=new", 1e9)
    assert store.first_sight_of_signature("v0=new", 1e9)  # rolled back with the unit


def test_a_clicks_writes_all_go_out_with_its_commit(store: PostgresStore, tmp_path: Path) -> None:
    """A click reads its assessment, then writes the move (a compare-and-set, ``with moved as (update
    …)``, that fails on the server if it changes no row), the answer, the reply, the open prompt and
    its signature: one round trip for the reads, one for all the writes and the commit."""
    member = MemberKey("T1", "U1")
    store.ensure_member(member, NOW)
    store.create_assessment(member, "reason", NOW)

    def click() -> None:
        read = store.latest_assessment(member)
        assert read is not None and store.advance(read, "networks", NOW, SetAnswer("reason", "ready"))
        assert store.add_to_outbox_unread(member, b"{}", NOW, DM_LANE) is None
        store.set_open_prompt(member, "assessment:1", NOW)
        assert store.first_sight_of_signature("v0=click", 1e9)

    trips = [short(trip) for trip in round_trips(store, tmp_path / "trace", click)]
    assert trips == [
        "begin isolation | select *",
        "with moved | insert into | with locked | update members | insert into | commit",
    ]
    assert store.answers(1) == {"reason": "ready"}


def test_a_failed_pipeline_leaves_its_connection_usable(store: PostgresStore) -> None:
    """The statements after a failed one in a pipeline are dropped by the server, a statement's
    preparing included: nothing is prepared there, or the connection would answer "prepared statement
    does not exist" to every later use of it (psycopg prepares a statement on its fifth use)."""
    member = MemberKey("T1", "U1")
    store.ensure_member(member, NOW)
    for attempt in range(8):
        with pytest.raises(psycopg.errors.UniqueViolation), store.unit_of_work(snapshot=True):
            store._write_unread("insert into members (team_id, user_id) values (?, ?)", ["T1", "U1"])
            store.set_open_prompt(member, f"dropped {attempt}", NOW)  # after the failed one: dropped
            store.db.execute(COUNT)
        with store.unit_of_work(snapshot=True):
            store.set_open_prompt(member, f"kept {attempt}", NOW)
            store.db.execute(COUNT)
        store.set_open_prompt(member, f"alone {attempt}", NOW)
    assert store.open_prompt(member)[0] == "alone 7"


def test_a_click_over_http_makes_three_round_trips(
    postgres_url: str, fake_slack: FakeSlack, settings: Settings, tmp_path: Path
) -> None:
    """The real app over HTTP: the connection a request thread takes from the pool for one click."""
    store = PostgresStore(postgres_url)
    tracing = threading.Event()
    traces: list[Path] = []
    borrow = store.pool.connection

    @contextmanager
    def traced(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with borrow(*args, **kwargs) as conn:
            if not (tracing.is_set() and threading.current_thread().name.startswith("waitress")):
                yield conn
                return
            traces.append(tmp_path / f"trace{len(traces)}")
            with traces[-1].open("w") as file:
                conn.pgconn.trace(file.fileno())
                try:
                    yield conn
                finally:
                    conn.pgconn.untrace()

    store.pool.connection = traced  # type: ignore[method-assign]
    on_postgres = settings.model_copy(update={"coach_database_url": postgres_url})
    with serving(on_postgres, store, fake_slack) as driver:
        driver.command("U0CLICK")
        driver.click("U0CLICK", driver.wait_question("U0CLICK", 1), "answer:ready")
        question = driver.wait_question("U0CLICK", 2)
        wait_for_empty_outbox(store)
        tracing.set()
        assert driver.click("U0CLICK", question, "answer:partly").status == 200
        tracing.clear()
        driver.wait_question("U0CLICK", 3)
    store.close()
    (trace,) = traces  # one connection, one transaction
    assert [short(trip) for trip in read_trace(trace)] == [
        "begin isolation | update workspaces | select *",
        "select question_id,",
        "with moved | insert into | with locked | update members | insert into | commit",
    ]
