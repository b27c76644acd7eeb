"""One contract for both stores: the same assertions on SQLite and on PostgreSQL (``open_store``)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import SetAnswer, send_key
from bot.store.factory import STORE_ERRORS, AnyStore, open_store
from bot.store.postgres import PostgresStore
from bot.store.snapshots import StaleSnapshot
from bot.store.transfer import TABLES
from flows.values import MemberKey
from tests.processes import wait_for

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEMBER = MemberKey("T1", "U1")
WALL = 1_000_000.0


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'coach.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def opener(database_url: str) -> Iterator[Callable[[], AnyStore]]:
    """Opens a store on the test's database, as another thread, process or host would; closes them all."""
    opened: list[AnyStore] = []

    def open_one() -> AnyStore:
        opened.append(open_store(database_url))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(opener: Callable[[], AnyStore]) -> AnyStore:
    return opener()


def race(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(i)`` for each i on threads released together; their results in i order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_opening_twice_migrates_once_and_keeps_every_table(opener: Callable[[], AnyStore]) -> None:
    first = opener()
    first.ensure_member(MEMBER, NOW)
    second = opener()
    assert second.member(MEMBER) is not None
    assert {"members", "assessments", "answers", "outbox", "sends", "senders"} <= set(second.table_names())


def test_stores_opened_at_the_same_moment_migrate_once(opener: Callable[[], AnyStore]) -> None:
    stores = race(4, lambda _: opener())
    stores[0].ensure_member(MEMBER, NOW)
    assert all(store.member(MEMBER) is not None for store in stores)


def test_only_one_open_assessment_per_member_even_when_racing(opener: Callable[[], AnyStore]) -> None:
    stores = [opener() for _ in range(6)]
    created = race(6, lambda i: stores[i].create_assessment(MEMBER, "intro", NOW).id)
    assert len(set(created)) == 1
    assert stores[0].create_assessment(MEMBER, "intro", NOW).id == created[0]


def test_guarded_update_lets_exactly_one_of_many_racing_writers_win(opener: Callable[[], AnyStore]) -> None:
    store = opener()
    row = store.create_assessment(MEMBER, "reason", NOW)
    racers = [opener() for _ in range(8)]
    ratings = ["ready", "partly", "not_yet", "ready"] * 2
    results = race(8, lambda i: racers[i].advance(row, "networks", NOW, SetAnswer("reason", ratings[i])))  # type: ignore[arg-type]
    assert sorted(results) == [False] * 7 + [True]
    fresh = store.assessment(row.id)
    assert fresh is not None and fresh.version == 1 and fresh.state == "networks"
    assert len(store.answers(row.id)) == 1


def test_a_failed_unit_of_work_leaves_nothing_behind(store: AnyStore) -> None:
    row = store.create_assessment(MEMBER, "reason", NOW)
    hooks: list[str] = []
    with pytest.raises(RuntimeError):
        with store.unit_of_work():
            store.advance(row, "networks", NOW, SetAnswer("reason", "ready"))
            store.add_to_outbox(MEMBER, b"reply", NOW)
            store.after_commit(lambda: hooks.append("ran"))
            raise RuntimeError("killed half-way")
    fresh = store.assessment(row.id)
    assert fresh is not None and fresh.state == "reason" and store.answers(row.id) == {}
    assert store.outbox_size() == 0 and hooks == []


def test_a_write_that_fails_half_way_inside_a_unit_of_work_keeps_none_of_it(store: AnyStore) -> None:
    """Inside a unit, a multi-statement write takes no savepoint: the unit rolls back as one."""
    row = store.create_assessment(MEMBER, "reason", NOW)
    unbindable: Any = object()  # the answer's insert fails, after the assessment's update ran
    with pytest.raises(STORE_ERRORS):
        with store.unit_of_work():
            store.add_to_outbox(MEMBER, b"reply", NOW)
            store.advance(row, "networks", NOW, SetAnswer("reason", "ready", text=unbindable))
    fresh = store.assessment(row.id)
    assert fresh is not None and fresh.state == "reason" and fresh.version == row.version
    assert store.answers(row.id) == {} and store.outbox_size() == 0


def test_a_unit_of_work_commits_its_writes_together_then_runs_its_hooks(store: AnyStore) -> None:
    row = store.create_assessment(MEMBER, "reason", NOW)
    hooks: list[int] = []
    with store.unit_of_work():
        assert store.advance(row, "networks", NOW, SetAnswer("reason", "ready"))
        store.add_to_outbox(MEMBER, b"reply", NOW)
        store.after_commit(lambda: hooks.append(store.outbox_size()))
        assert hooks == []
    assert hooks == [1] and store.answers(row.id) == {"reason": "ready"}


def test_an_event_is_recorded_once_and_only_in_a_request_that_commits(store: AnyStore) -> None:
    assert not store.event_seen("Ev1")
    with pytest.raises(RuntimeError):
        with store.unit_of_work(snapshot=True):
            store.begin_snapshot()
            assert store.record_event("Ev1", NOW)
            raise RuntimeError("the listener failed")
    assert not store.event_seen("Ev1")  # so Slack's retry is handled
    assert store.record_event("Ev1", NOW) is True
    assert store.event_seen("Ev1") and store.record_event("Ev1", NOW) is False  # a copy handled meanwhile


def test_racing_copies_of_one_event_are_recorded_once(opener: Callable[[], AnyStore]) -> None:
    stores = [opener() for _ in range(6)]
    assert sorted(race(6, lambda i: stores[i].record_event("Ev9", NOW))) == [False] * 5 + [True]


def test_a_unit_whose_reads_went_stale_is_refused_and_its_rerun_lands(opener: Callable[[], AnyStore]) -> None:
    """Two requests read the same member; the first to write wins, the other runs again rather than
    write what it decided on data that changed."""
    store, other = opener(), opener()
    store.ensure_member(MEMBER, NOW)
    with pytest.raises(StaleSnapshot):
        with store.unit_of_work(snapshot=True):
            store.begin_snapshot()
            assert store.member(MEMBER) is not None  # the snapshot is taken here
            other.update_member(MEMBER, tz="Europe/Rome")  # another writer commits meanwhile
            store.update_member(MEMBER, tz="Europe/Helsinki")
    member = store.member(MEMBER)
    assert member is not None and member.tz == "Europe/Rome"
    with store.unit_of_work(snapshot=True, exclusive=True):  # run again: it sees the other write
        assert store.member(MEMBER) is not None
        store.update_member(MEMBER, tz="Europe/Helsinki")
    member = store.member(MEMBER)
    assert member is not None and member.tz == "Europe/Helsinki"


def test_a_commit_about_something_else_leaves_a_units_decision_standing(opener: Callable[[], AnyStore]) -> None:
    """Another member's change, committed while a unit reads, is nothing the unit read: it writes at
    once, with no second run (on SQLite any commit ages the snapshot, so its reads are checked again)."""
    store, other = opener(), opener()
    neighbour = MemberKey("T1", "U2")
    store.ensure_member(MEMBER, NOW)
    store.ensure_member(neighbour, NOW)
    with store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        assert store.member(MEMBER) is not None and store.outbox_waiting(MEMBER, "dm") == 0
        other.update_member(neighbour, tz="Europe/Rome")
        other.add_to_outbox(neighbour, b"reply", NOW)
        store.update_member(MEMBER, tz="Europe/Helsinki")
    member, next_door = store.member(MEMBER), store.member(neighbour)
    assert member is not None and member.tz == "Europe/Helsinki"
    assert next_door is not None and next_door.tz == "Europe/Rome"


def test_a_snapshots_writes_wait_for_its_end_holding_no_lock_and_land_together(
    opener: Callable[[], AnyStore],
) -> None:
    """A click's writes (the answer, the reply, the open prompt) wait for the end of the request, so
    another writer is not kept waiting while it renders and encodes; they land with its commit."""
    store, other = opener(), opener()
    store.ensure_member(MEMBER, NOW)
    row = store.create_assessment(MEMBER, "reason", NOW)
    with store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        read = store.latest_assessment(MEMBER)
        assert read is not None
        assert store.advance(read, "networks", NOW, SetAnswer("reason", "ready"))
        assert store.add_to_outbox_unread(MEMBER, b"reply", NOW, "dm") is None
        store.set_open_prompt(MEMBER, "assessment:1", NOW)
        other.ensure_member(MemberKey("T1", "U2"), NOW)  # another writer is not kept waiting meanwhile
        assert other.answers(row.id) == {}  # nothing of it has landed yet
    assert store.answers(row.id) == {"reason": "ready"}
    moved = store.latest_assessment(MEMBER)
    assert moved is not None and moved.state == "networks" and moved.version == row.version + 1
    assert store.open_prompt(MEMBER)[0] == "assessment:1"
    assert [claimed.payload for claimed in store.claim_outbox_rows("owner", NOW, WALL, 10)] == [b"reply"]


def test_a_snapshot_whose_assessment_moved_meanwhile_keeps_none_of_its_waiting_writes(
    opener: Callable[[], AnyStore],
) -> None:
    """Two clicks on one question: the one that commits second read a version that is gone, so none of
    its writes land (it is run again, and then finds the question answered)."""
    store, other = opener(), opener()
    store.ensure_member(MEMBER, NOW)
    row = store.create_assessment(MEMBER, "reason", NOW)
    with pytest.raises(StaleSnapshot), store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        read = store.latest_assessment(MEMBER)
        assert read is not None
        assert store.advance(read, "networks", NOW, SetAnswer("reason", "ready"))
        assert store.add_to_outbox_unread(MEMBER, b"second", NOW, "dm") is None
        assert other.advance(row, "networks", NOW, SetAnswer("reason", "partly"))  # the other click lands first
    assert store.answers(row.id) == {"reason": "partly"}
    assert store.claim_outbox_rows("owner", NOW, WALL, 10) == []
    with store.unit_of_work(snapshot=True, exclusive=True):  # the run again: the compare fails, plainly
        read = store.latest_assessment(MEMBER)
        assert read is not None and not store.advance(row, "networks", NOW, SetAnswer("reason", "ready"))


def test_a_read_after_a_waiting_write_sees_it(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    row = store.create_assessment(MEMBER, "reason", NOW)
    with store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        read = store.latest_assessment(MEMBER)
        assert read is not None and store.advance(read, "networks", NOW, SetAnswer("reason", "ready"))
        assert store.answers(row.id) == {"reason": "ready"}  # the last answer's verdict reads them all


def test_a_waiting_compare_and_set_that_changes_nothing_fails_the_unit_before_its_commit(store: AnyStore) -> None:
    """Two moves from the same row in one unit: the second's compare fails. Nothing of the unit lands,
    and nothing runs after a commit (a review found PostgreSQL had checked it after the commit)."""
    store.ensure_member(MEMBER, NOW)
    store.create_assessment(MEMBER, "reason", NOW)
    hooks: list[str] = []
    with pytest.raises(StaleSnapshot), store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        read = store.latest_assessment(MEMBER)
        assert read is not None
        store.after_commit(lambda: hooks.append("ran"))
        assert store.advance(read, "networks", NOW, SetAnswer("reason", "ready"))
        assert store.advance(read, "networks", NOW, SetAnswer("reason", "partly"))  # from the same old row
        store.add_to_outbox_unread(MEMBER, b"reply", NOW, "dm")
    row = store.latest_assessment(MEMBER)
    assert row is not None and (row.version, store.answers(row.id), hooks) == (0, {}, [])
    assert store.claim_outbox_rows("owner", NOW, WALL, 10) == []


def test_a_write_in_a_savepoint_that_rolls_back_does_not_wait_past_it(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    with store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        assert store.member(MEMBER) is not None
        store.ensure_member(MemberKey("T1", "U2"), NOW)
        with pytest.raises(RuntimeError), store.write():
            store.set_open_prompt(MEMBER, "inside a savepoint rolled back", NOW)
            raise RuntimeError("the savepoint's block fails")
        store.set_open_prompt(MemberKey("T1", "U2"), "kept", NOW)
    assert store.open_prompt(MEMBER)[0] is None
    assert store.open_prompt(MemberKey("T1", "U2"))[0] == "kept"


def test_a_unit_whose_waiting_write_failed_commits_nothing_even_if_the_error_was_caught(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    with pytest.raises(STORE_ERRORS), store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        assert store.member(MEMBER) is not None
        store.set_open_prompt(MEMBER, "waiting", NOW)
        store._write_unread("insert into members (team_id, user_id) values (?, ?)", ["T1", "U1"])  # a duplicate
        with contextlib.suppress(*STORE_ERRORS):
            store.outbox_waiting(MEMBER, "dm")  # the next statement meets the failure, and a caller swallows it
    assert store.open_prompt(MEMBER)[0] is None


def test_a_requests_own_record_after_end_reading_never_goes_stale(opener: Callable[[], AnyStore]) -> None:
    store, other = opener(), opener()
    store.ensure_member(MEMBER, NOW)
    with store.unit_of_work(snapshot=True):
        store.begin_snapshot()
        assert store.member(MEMBER) is not None
        other.update_member(MEMBER, tz="Europe/Rome")
        store.end_reading()  # it wrote nothing: its snapshot is let go
        assert store.record_event("Ev1", NOW) and store.first_sight_of_signature("v0=own", WALL)
    assert store.event_seen("Ev1") and store.signature_seen("v0=own")


def test_a_signature_is_seen_once_and_forgotten_after_the_replay_window(store: AnyStore) -> None:
    assert store.first_sight_of_signature("v0=abc", WALL) is True
    assert store.first_sight_of_signature("v0=abc", WALL + 1) is False
    assert store.expire_operational_rows(NOW, WALL + 301)["seen_signatures"] == 1
    assert store.first_sight_of_signature("v0=abc", WALL + 302) is True


def test_a_send_key_is_claimed_once_and_only_for_an_existing_member_when_asked(
    opener: Callable[[], AnyStore],
) -> None:
    stores = [opener() for _ in range(6)]
    key = send_key(MEMBER, "checkin", "2026-W48")
    won = race(6, lambda i: stores[i].claim_send(key, MEMBER, "checkin", "2026-W48", NOW))
    assert sorted(won) == [False] * 5 + [True]
    store = stores[0]
    assert store.send_status(key) == "pending" and store.latest_sent_period(MEMBER, "checkin") == "2026-W48"
    store.mark_sent(key, "D1", "1.0", NOW)
    assert store.send_status(key) == "sent" and store.was_sent(MEMBER, "checkin")
    gone = MemberKey("T1", "U404")
    assert not store.claim_send(send_key(gone, "nudge", "1"), gone, "nudge", "1", NOW, require_member=True)


def test_a_members_outbox_rows_go_one_at_a_time_in_order(store: AnyStore) -> None:
    other = MemberKey("T1", "U2")
    first, second = store.add_to_outbox(MEMBER, b"1", NOW), store.add_to_outbox(MEMBER, b"2", NOW)
    elsewhere = store.add_to_outbox(other, b"3", NOW)
    claimed = store.claim_outbox_rows("owner-a", NOW, WALL, limit=10)
    assert [row.id for row in claimed] == [first, elsewhere]
    assert claimed[0].payload == b"1" and claimed[0].attempts == 1 and claimed[0].owner == "owner-a"
    assert store.claim_outbox_rows("owner-a", NOW, WALL, limit=10) == []
    store.finish_outbox_row(first)
    assert [row.id for row in store.claim_outbox_rows("owner-a", NOW, WALL, limit=10)] == [second]
    store.retry_outbox_row(second, done=1, not_before=WALL + 60)
    assert store.claim_outbox_rows("owner-a", NOW, WALL + 59, limit=10) == []
    again = store.claim_outbox_rows("owner-a", NOW, WALL + 60, limit=10)
    assert [(row.id, row.done, row.attempts) for row in again] == [(second, 1, 2)]


def test_finishing_a_row_tells_whether_another_of_its_members_waits_behind_it(store: AnyStore) -> None:
    """The sender looks for more at once only then: a row of the same member and lane queued behind."""
    other = MemberKey("T1", "U2")
    first, second = store.add_to_outbox(MEMBER, b"1", NOW), store.add_to_outbox(MEMBER, b"2", NOW)
    private = store.add_to_outbox(MEMBER, b"3", NOW, lane="private")
    alone = store.add_to_outbox(other, b"4", NOW)
    assert store.finish_outbox_row(first) is True  # the second waits behind it
    assert store.finish_outbox_row(second) is False  # the private answer is in a lane of its own
    assert store.finish_outbox_row(private) is False
    assert store.finish_outbox_row(alone) is False and store.outbox_size() == 0


def test_racing_senders_claim_each_row_once_and_each_member_in_order(opener: Callable[[], AnyStore]) -> None:
    store = opener()
    members = [MemberKey("T1", f"U{n}") for n in range(10)]
    for position in range(3):
        for member in members:
            store.add_to_outbox(member, f"{member.user_id}:{position}".encode(), NOW)
    senders = [opener() for _ in range(4)]
    sent: list[bytes] = []  # in the order they were sent, whichever sender sent them

    def send_all(i: int) -> None:
        while True:
            rows = senders[i].claim_outbox_rows(f"owner-{i}", NOW, WALL, limit=3)
            if not rows and senders[i].outbox_size() == 0:
                return
            for row in rows:
                sent.append(row.payload)
                senders[i].finish_outbox_row(row.id)

    race(4, send_all)
    assert sorted(sent) == sorted(f"{m.user_id}:{p}".encode() for m in members for p in range(3))
    for member in members:
        own = [payload for payload in sent if payload.startswith(f"{member.user_id}:".encode())]
        assert own == [f"{member.user_id}:{p}".encode() for p in range(3)]
    assert store.outbox_size() == 0


def test_a_dead_senders_claims_are_taken_over_once(opener: Callable[[], AnyStore]) -> None:
    store = opener()
    row_id = store.add_to_outbox(MEMBER, b"1", NOW)
    store.claim_outbox_rows("dead", NOW, WALL, limit=1)
    store.beat("alive", WALL)
    assert store.live_senders(WALL - 60) == {"alive"}
    takers = [opener() for _ in range(4)]
    results = race(4, lambda i: takers[i].take_over_outbox_row(row_id, "dead", f"alive-{i}"))
    assert sorted(results) == [False] * 3 + [True]
    assert [row.owner for row in store.claimed_outbox_rows()] == [f"alive-{results.index(True)}"]


def test_a_check_in_is_recorded_once_per_period(opener: Callable[[], AnyStore]) -> None:
    stores = [opener() for _ in range(4)]
    stores[0].ensure_member(MEMBER, NOW)
    answered = race(4, lambda i: stores[i].record_checkin(MEMBER, "2026-W48", 2, "same", NOW))
    assert sorted(answered) == [False] * 3 + [True] and stores[0].has_checkin(MEMBER, "2026-W48")


def test_a_stage_change_is_compared_and_set(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    row = store.member(MEMBER)
    assert row is not None
    assert store.set_stage(row, 3, "assessment", NOW) is True
    assert store.set_stage(row, 4, "assessment", NOW) is False  # read before the first change
    assert [(c["from_stage"], c["to_stage"]) for c in store.stage_changes(MEMBER)] == [(None, 3)]


def test_due_members_are_paged_by_their_next_check_in(store: AnyStore) -> None:
    members = [MemberKey("T1", f"U{n}") for n in range(5)]
    for member in members:
        store.ensure_member(member, NOW)
    store.set_next_checkins([(member, NOW - timedelta(minutes=n)) for n, member in enumerate(members)])
    store.update_member(members[0], paused=True)
    first = store.due_members_after(NOW, limit=2, after=None)
    last = first[-1]
    assert last.next_checkin_at is not None
    rest = store.due_members_after(NOW, limit=10, after=(last.next_checkin_at.isoformat(), last.team_id, last.user_id))
    assert [row.user_id for row in first + rest] == ["U4", "U3", "U2", "U1"]


def test_a_forgotten_member_leaves_no_row_and_an_export_shows_everything(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    row = store.create_assessment(MEMBER, "reason", NOW)
    store.advance(row, "networks", NOW, SetAnswer("reason", "ready"))
    store.plans.save_section(MEMBER, "goals", {"goal": "more customers"}, NOW)
    store.add_to_outbox(MEMBER, b"reply", NOW)
    other = MemberKey("T1", "U2")
    made = store.actions.create(MEMBER, "U2", "step:pipeline", "Name who answers complaints", date(2027, 1, 15), NOW)
    store.actions.create(other, "U1", "plan:resources", "Post twice a week", date(2027, 1, 15), NOW)
    store.actions.save_list(MEMBER, "F0LIST", {"title": "Col1"}, refused=False)
    store.actions.set_item("T1", made, "Rec1")
    exported = store.export_member(MEMBER)
    assert exported["member"]["user_id"] == "U1" and exported["assessments"][0]["answers"][0]["rating"] == "ready"
    assert len(exported["plan_answers"]) == 1 and exported["outbox"][0]["payload"] == b"reply"
    assert [a["item_id"] for a in exported["actions"]] == ["Rec1"] and len(exported["actions_owned"]) == 1
    assert store.actions.list_items(MEMBER) == ("F0LIST", ("Rec1",))
    store.forget_member(MEMBER)
    assert store.export_member(MEMBER) == {
        "member": None,
        "assessments": [],
        **{table: [] for table in store.MEMBER_TABLES},
        "digests": [],
        "outbox": [],
        "actions_owned": [],
    }
    assert store.export_member(other)["actions"] == [] and store.actions.action_list(MEMBER) is None


def test_a_stopped_workspace_is_purged_after_the_retention_time(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    store.stop_workspace("T1", "uninstalled", NOW + timedelta(hours=1))
    assert not store.workspace_active("T1")
    assert store.purge_stopped_workspaces(NOW) == []
    assert store.purge_stopped_workspaces(NOW + timedelta(days=31)) == ["T1"]
    assert store.member(MEMBER) is None and store.workspace_active("T1")


def test_the_health_check_writes(store: AnyStore) -> None:
    assert store.health_problem(NOW) is None


def test_a_committed_outbox_row_wakes_the_senders_of_every_host(postgres_url: str) -> None:
    from bot.sending.outbox import Doorbell
    from bot.store.postgres import PostgresStore

    sender_host, serving_host = PostgresStore(postgres_url), PostgresStore(postgres_url)
    doorbell = Doorbell()
    try:
        sender_host.wake_on_notify(doorbell.ring)
        assert doorbell.wait(10)  # the ring it gives once listening, for rows added before
        with serving_host.unit_of_work():
            serving_host.add_to_outbox(MEMBER, b"reply", NOW)
            assert not doorbell.wait(0.2)  # not before the row is committed
        assert doorbell.wait(10)
    finally:
        sender_host.close()
        serving_host.close()


def test_both_stores_have_the_same_tables_and_columns(tmp_path: Path, postgres_url: str) -> None:
    """A migration added to one store's schema and not to the other's fails here."""
    stores = [open_store(f"sqlite:///{tmp_path / 'coach.db'}"), open_store(postgres_url)]
    try:
        sqlite, postgres = ({table: set(columns_of(store, table)) for table in TABLES} for store in stores)
        assert sqlite == postgres
    finally:
        for store in stores:
            store.close()


def columns_of(store: AnyStore, table: str) -> list[str]:
    if isinstance(store, PostgresStore):
        rows = store.db.execute(
            "select column_name from information_schema.columns where table_name = ? order by 1", [table]
        ).fetchall()
        return [row[0] for row in rows]
    return [column.name for column in store.db.table(table).columns]


def test_actions_and_pauses_until_a_date_read_the_same_on_both(store: AnyStore) -> None:
    store.ensure_member(MEMBER, NOW)
    store.update_member(MEMBER, paused=1, paused_until="2027-01-15")
    assert [m.paused_until for m in store.members_paused_until_by(date(2027, 1, 15))] == [date(2027, 1, 15)]
    assert store.members_paused_until_by(date(2027, 1, 14)) == []
    late = store.actions.create(MEMBER, "U1", "step:policy", "Write the house rules", date(2026, 11, 1), NOW)
    store.actions.create(MEMBER, "U2", "step:reason", "Name the goal", date(2027, 1, 15), NOW)
    assert store.actions.set_status(MEMBER, late, "done", NOW) is not None
    assert store.actions.team_counts("T1", date(2026, 12, 1)) == {"open": 1, "done": 1, "dropped": 0, "overdue": 0}
    assert [a.title for a in store.actions.due_for_owner(MemberKey("T1", "U2"), date(2027, 1, 17))] == ["Name the goal"]
    assert store.actions.team_counts("T1", date(2027, 2, 1))["overdue"] == 1


def test_on_postgresql_a_members_rows_are_numbered_in_the_order_their_transactions_commit(
    postgres_url: str,
) -> None:
    """A row added while an earlier transaction's row for the same member is not committed yet waits
    for it (the member's advisory lock, taken in the same statement as the insert), so no sender can
    see the later row as the head of the member's queue. (SQLite has one writer at a time.)"""
    first, second, watcher = (open_store(postgres_url) for _ in range(3))
    try:
        added: list[int] = []
        late = threading.Thread(target=lambda: added.append(second.add_to_outbox(MEMBER, b"2", NOW)))
        with first.unit_of_work():
            added.append(first.add_to_outbox(MEMBER, b"1", NOW))
            late.start()
            waiting = "select 1 from pg_locks where locktype = 'advisory' and not granted"
            wait_for(lambda: watcher.db.execute(waiting).fetchall(), "the later row waiting for the member's lock")
            assert watcher.claim_outbox_rows("owner", NOW, WALL, limit=10) == []  # the later row waits
        late.join(timeout=10)
        assert [row.id for row in watcher.claim_outbox_rows("owner", NOW, WALL, limit=10)] == [added[0]]
        assert added[0] < added[1]
    finally:
        for store in (first, second, watcher):
            store.close()


def test_reopening_a_workspace_says_whether_it_was_stopped(store: AnyStore) -> None:
    reopened: list[str] = []
    store.reopen_workspace("T1", lambda: reopened.append("T1"))
    assert reopened == []  # never stopped: nothing to reopen
    store.stop_workspace("T1", "tokens_revoked", NOW)
    assert not store.workspace_active("T1")
    store.reopen_workspace("T1", lambda: reopened.append("T1"))
    assert reopened == ["T1"] and store.workspace_active("T1")
    store.reopen_workspace("T1", lambda: reopened.append("T1"))
    assert reopened == ["T1"]


def test_a_workspace_reopened_in_a_unit_of_work_says_so_once_it_is_committed_with_it(store: AnyStore) -> None:
    """On PostgreSQL the reopening goes out with the unit's next statement; it is said all the same."""
    store.stop_workspace("T1", "tokens_revoked", NOW)
    reopened: list[str] = []
    with store.unit_of_work(snapshot=True):
        store.reopen_workspace("T1", lambda: reopened.append("T1"))
        store.add_digest("T1", "C1", "U1", None, NOW)
    assert reopened == ["T1"] and store.workspace_active("T1")
    assert [digest["channel_id"] for digest in store.digests()] == ["C1"]


def test_a_reopening_is_logged_only_once_it_is_committed(
    store: AnyStore, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.usecases.workspaces import Workspaces

    workspaces = Workspaces(store, None, lambda: NOW)
    store.stop_workspace("T1", "tokens_revoked", NOW)
    with caplog.at_level(logging.INFO, logger="bot.usecases.workspaces"):
        with pytest.raises(RuntimeError), store.unit_of_work(snapshot=True):
            workspaces.back("T1", "an authorized request came from it")
            assert store.member(MEMBER) is None
            raise RuntimeError("the request fails: nothing of it is kept")
        assert "reopened" not in caplog.text and not store.workspace_active("T1")
        with store.unit_of_work(snapshot=True):
            workspaces.back("T1", "an authorized request came from it")
            assert store.member(MEMBER) is None
        assert "workspace T1 reopened" in caplog.text and store.workspace_active("T1")
