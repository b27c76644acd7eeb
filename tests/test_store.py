"""The SQLite store on a real database file: migrations, guarded updates, racing writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import SetAnswer, Store, migrations
from bot.store.snapshots import StaleSnapshot
from flows.values import MemberKey

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEMBER = MemberKey("T1", "U1")


def test_migrations_are_recorded_and_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    Store(tmp_path / "c.db")
    applied = [m.name for m in migrations.applied(store.db)]
    assert applied[0] == "m001_initial" and len(applied) == len(set(applied)) >= 4
    assert migrations.pending(store.db) == []  # a second Store on the same file applied nothing twice
    assert {"members", "assessments", "answers", "processed_events"} <= set(store.db.table_names())


def test_only_one_open_assessment_per_member(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    first = store.create_assessment(MEMBER, "intro", NOW)
    again = store.create_assessment(MEMBER, "intro", NOW)
    assert first.id == again.id


def test_guarded_update_lets_exactly_one_of_many_racing_writers_win(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = Store(path)
    row = store.create_assessment(MEMBER, "reason", NOW)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def racer(rating: str) -> None:
        own = Store(path)  # a separate connection, as another thread or process would have
        barrier.wait()
        results.append(own.advance(row, "networks", NOW, SetAnswer("reason", rating)))  # type: ignore[arg-type]

    threads = [threading.Thread(target=racer, args=(r,)) for r in ["ready", "partly", "not_yet", "ready"] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    fresh = store.assessment(row.id)
    assert fresh is not None and fresh.version == 1 and fresh.state == "networks"
    assert len(store.answers(row.id)) == 1


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    row = store.create_assessment(MEMBER, "reason", NOW)
    try:
        with store.write() as db:
            db.execute("update assessments set state = 'networks' where id = ?", [row.id])
            raise RuntimeError("killed half-way")
    except RuntimeError:
        pass
    fresh = store.assessment(row.id)
    assert fresh is not None and fresh.state == "reason"


def test_an_event_is_recorded_once_and_only_in_a_request_that_commits(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    assert not store.event_seen("Ev1")
    try:
        with store.unit_of_work(snapshot=True):
            store.begin_snapshot()
            assert store.record_event("Ev1", NOW)
            raise RuntimeError("the listener failed")
    except RuntimeError:
        pass
    assert not store.event_seen("Ev1")  # so Slack's retry is handled
    assert store.record_event("Ev1", NOW) is True
    assert store.event_seen("Ev1") and store.record_event("Ev1", NOW) is False  # a copy handled meanwhile


def test_a_unit_whose_reads_went_stale_is_refused_at_its_first_write(tmp_path: Path) -> None:
    """Two requests read the same member; the first to write wins, the other must run again rather
    than write what it decided on data that changed."""
    store = Store(tmp_path / "c.db")
    store.ensure_member(MEMBER, NOW)
    other = threading.Thread(target=lambda: store.update_member(MEMBER, tz="Europe/Rome"))
    try:
        with store.unit_of_work(snapshot=True):
            store.begin_snapshot()
            assert store.member(MEMBER) is not None  # the snapshot is taken here
            other.start()
            other.join()  # another writer commits meanwhile (the unit holds no lock while reading)
            store.update_member(MEMBER, tz="Europe/Helsinki")
    except StaleSnapshot:
        pass
    else:
        raise AssertionError("a stale snapshot was written over")
    member = store.member(MEMBER)
    assert member is not None and member.tz == "Europe/Rome"
    with store.unit_of_work(snapshot=True):  # run again: it sees the other write, and its own lands
        store.begin_snapshot()
        assert store.member(MEMBER) is not None
        store.update_member(MEMBER, tz="Europe/Helsinki")
    member = store.member(MEMBER)
    assert member is not None and member.tz == "Europe/Helsinki"


def test_what_a_unit_read_before_its_snapshot_began_never_makes_it_stale(tmp_path: Path) -> None:
    """A request's middlewares read before its listener (is this signature new? is the workspace
    open?) and settle those again with its own writes: a commit after them is no reason to run again."""
    store, other = Store(tmp_path / "c.db"), Store(tmp_path / "c.db")
    store.ensure_member(MEMBER, NOW)
    with store.unit_of_work(snapshot=True):
        assert not store.signature_seen("v0=abc") and store.member(MEMBER) is not None  # a middleware's reads
        other.update_member(MEMBER, tz="Europe/Rome")  # another writer commits
        store.begin_snapshot()
        member = store.member(MEMBER)  # the listener's read: as now committed
        assert member is not None and member.tz == "Europe/Rome"
        store.update_member(MEMBER, language="fi")
        assert store.first_sight_of_signature("v0=abc", 0.0)
    member = store.member(MEMBER)
    assert member is not None and member.tz == "Europe/Rome" and member.language == "fi"


def test_a_row_added_to_what_a_unit_counted_makes_it_stale(tmp_path: Path) -> None:
    """Not only a changed row: a row that now matches what the unit read (a reply queued meanwhile
    for the member whose waiting replies it counted) means its decision may no longer hold. (PostgreSQL's
    repeatable read settles only rows both wrote; there the member's advisory lock orders the two.)"""
    store, other = Store(tmp_path / "c.db"), Store(tmp_path / "c.db")
    store.ensure_member(MEMBER, NOW)
    with pytest.raises(StaleSnapshot):
        with store.unit_of_work(snapshot=True):
            store.begin_snapshot()
            assert store.outbox_waiting(MEMBER, "dm") == 0
            other.add_to_outbox(MEMBER, b"reply", NOW)
            store.add_to_outbox(MEMBER, b"mine", NOW)
    assert store.outbox_waiting(MEMBER, "dm") == 1


def test_a_unit_that_went_stale_writes_nothing_even_if_the_error_is_caught(tmp_path: Path) -> None:
    """Code that catches ``StaleSnapshot`` and writes again must not land a write decided on old reads."""
    store, other = Store(tmp_path / "c.db"), Store(tmp_path / "c.db")
    store.ensure_member(MEMBER, NOW)
    with pytest.raises(StaleSnapshot):
        with store.unit_of_work(snapshot=True):
            store.begin_snapshot()
            assert store.member(MEMBER) is not None
            other.update_member(MEMBER, tz="Europe/Rome")
            with pytest.raises(StaleSnapshot):
                store.update_member(MEMBER, tz="Europe/Helsinki")
            store.update_member(MEMBER, tz="Europe/Oslo")  # tried again after the error was caught
    member = store.member(MEMBER)
    assert member is not None and member.tz == "Europe/Rome"
