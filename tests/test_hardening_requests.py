"""Hardening of the HTTP side (issue 10), end to end through the real Bolt app over real HTTP."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.http.request_guard import MAX_BODY_BYTES
from bot.settings import Settings
from bot.store import Store
from bot.store.factory import AnyStore, store_for
from bot.usecases.assessment import Coach
from flows.values import MemberKey
from tests.blocks import find_button
from tests.conftest import SIGNING_SECRET, FrozenClock, serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

USER = "U0ALICE"
MEMBER = MemberKey("T0001", USER)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"


def begin(driver: SlackDriver) -> None:
    assert driver.command(USER).status == 200
    driver.wait_question(USER, 1)


def signed(driver: SlackDriver, body: str, at: int | None = None) -> tuple[str, str]:
    timestamp = str(at if at is not None else int(time.time()))
    return timestamp, str(driver.signer.generate_signature(timestamp=timestamp, body=body))


# Item 1: a workspace whose token works again is reopened, and never purged once used again


def placed_member(store: Store, member: MemberKey, stage: int = 2) -> None:
    store.ensure_member(member, NOW - timedelta(days=7))
    store.update_member(member, tz="Europe/Helsinki")
    row = store.member(member)
    assert row is not None and store.set_stage(row, stage, "placement", NOW - timedelta(days=7))


def test_a_retry_after_a_failed_listener_is_handled(
    coach_server: SlackDriver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    begin(coach_server)
    original, failures = Coach.handle_text, []  # type: ignore[var-annotated]

    def fail_once(self: Coach, member: MemberKey, text: str, reading=None):
        if not failures:
            failures.append(text)
            raise RuntimeError("the disk hiccupped")
        return original(self, member, text, reading)

    monkeypatch.setattr(Coach, "handle_text", fail_once)
    assert coach_server.dm(USER, "yes", event_id="Ev0RETRY").status == 500
    retry = coach_server.dm(USER, "yes", event_id="Ev0RETRY", headers={"X-Slack-Retry-Num": "1"})
    assert retry.status == 200
    coach_server.wait_question(USER, 2)
    latest = Store(settings.coach_db).latest_assessment(MEMBER)
    assert latest is not None and Store(settings.coach_db).answers(latest.id) == {"reason": "ready"}


def test_a_claim_left_by_a_dead_process_is_taken_over_by_the_retry(
    coach_server: SlackDriver, settings: Settings, clock: FrozenClock
) -> None:
    begin(coach_server)
    store = Store(settings.coach_db)
    store.db.execute(
        "insert into processed_events (event_id, received_at, status) values (?, ?, 'pending')",
        ["Ev0DEAD", (clock() - timedelta(minutes=1)).isoformat()],  # older than the lease, by the app's clock
    )
    assert coach_server.dm(USER, "yes", event_id="Ev0DEAD", headers={"X-Slack-Retry-Num": "1"}).status == 200
    coach_server.wait_question(USER, 2)
    assert coach_server.dm(USER, "no", event_id="Ev0DEAD", headers={"X-Slack-Retry-Num": "2"}).status == 200
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {"reason": "ready"}  # finished: not handled twice


# Item 6: Enterprise Grid installs


def status_of_announced_body(base_url: str, length: int) -> int:
    """Announce a body of ``length`` bytes, send only its first kilobyte, and read the status line."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\nX-Slack-Request-Timestamp: {int(time.time())}\r\n"
            f"X-Slack-Signature: v0={'0' * 64}\r\n\r\n".encode()
            + b"x" * 1024
        )
        return int(sock.recv(1024).split(b" ")[1])


def test_an_oversized_body_is_refused_before_it_is_read(coach_server: SlackDriver) -> None:
    assert status_of_announced_body(coach_server.base_url, 100 * 1024 * 1024) == 413  # 100 MB announced


def test_a_body_just_over_the_cap_is_refused(settings: Settings, db_path: Path) -> None:
    """Behind waitress's own limit, the guard refuses by itself (a server that allows more)."""
    from bot.http.request_guard import guard_events

    calls: list[object] = []

    def app(environ, start):
        calls.append(environ)
        return []

    guarded = guard_events(app, SIGNING_SECRET, "/e")
    statuses: list[str] = []
    environ = {"PATH_INFO": "/e", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1)}
    guarded(environ, lambda status, headers: statuses.append(status))  # type: ignore[arg-type]
    assert statuses == ["413 Payload Too Large"] and calls == []


def test_an_unsigned_body_is_refused_before_it_is_parsed(coach_server: SlackDriver) -> None:
    reply = coach_server.post("this is not JSON {", "application/json", signature="v0=" + "0" * 64)
    assert reply.status == 401  # Bolt, which parses first, answered 400 here
    reply = coach_server.post("x", "application/json", headers={"X-Slack-Request-Timestamp": "²"})
    assert reply.status == 401


# Item 11: a replayed signed request runs once


@pytest.fixture(params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, settings: Settings, fake_slack: FakeSlack, clock: FrozenClock
) -> Iterator[tuple[SlackDriver, AnyStore]]:
    """The coach over HTTP on either store: SQLite refuses a copy before its listener runs, PostgreSQL
    when the copy commits (its signature goes out with the commit, a round trip fewer a request)."""
    if request.param == "postgresql":
        settings = settings.model_copy(update={"coach_database_url": request.getfixturevalue("postgres_url")})
    store = store_for(settings)
    with serving(settings, store, fake_slack, clock) as driver:
        yield driver, store
    store.close()


def test_a_replayed_stage_pick_is_refused(served: tuple[SlackDriver, AnyStore]) -> None:
    driver, store = served
    assert driver.command(USER, "stage").status == 200
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")

    button, block_id = find_button(cards.args["blocks"], "stage_pick", "stage:3")
    body = driver.action_body(USER, cards, "stage_pick", button["value"], block_id)
    timestamp, signature = signed(driver, body)
    first = driver.post(body, "application/x-www-form-urlencoded", timestamp=int(timestamp), signature=signature)
    again = driver.post(body, "application/x-www-form-urlencoded", timestamp=int(timestamp), signature=signature)
    assert (first.status, again.status) == (200, 401)
    assert len(store.stage_changes(MEMBER)) == 1
    wait_for_empty_outbox(store)
    assert len(driver.messages_with(USER, "Stage 3")) == 1  # the copy kept no reply either


def test_copies_of_a_request_sent_at_once_are_handled_once(served: tuple[SlackDriver, AnyStore]) -> None:
    """Copies run side by side, but only the first to commit keeps anything: the others are refused when
    they record their signature, last (no second reply, and their lazy profile lookups never start)."""
    driver, store = served
    assert driver.command(USER, "stage").status == 200
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    button, block_id = find_button(cards.args["blocks"], "stage_pick", "stage:3")
    body = driver.action_body(USER, cards, "stage_pick", button["value"], block_id)
    timestamp, signature = signed(driver, body)
    wait_for_empty_outbox(store)
    lookups = len(driver.fake.calls_to("users.info"))
    start = threading.Barrier(4)
    statuses: list[int] = []

    def send() -> None:
        start.wait(10)
        statuses.append(driver.post(body, FORM, timestamp=int(timestamp), signature=signature).status)

    senders = [threading.Thread(target=send) for _ in range(4)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 401, 401, 401]
    wait_for_empty_outbox(store)
    assert len(store.stage_changes(MEMBER)) == 1
    assert len(driver.fake.calls_to("users.info")) - lookups <= 1  # the refused copies looked up nobody
    driver.messages_with(USER, "Stage 3")
    assert len(driver.messages_with(USER, "Stage 3")) == 1


def test_a_request_stamped_ahead_of_the_servers_clock_stays_refused_while_its_stamp_is_valid(
    coach_server: SlackDriver, settings: Settings
) -> None:
    """Slack's clock may be ahead of the server's: a request stamped 2 minutes ahead passes the
    signature check until 7 minutes after it arrived, so its signature is kept that long."""
    body = coach_server.command_body(USER, "help")
    arrived = time.time()
    timestamp, signature = signed(coach_server, body, at=int(arrived) + 120)
    first = coach_server.post(body, FORM, timestamp=int(timestamp), signature=signature)
    store = Store(settings.coach_db)
    store.expire_operational_rows(NOW, wall_now=arrived + 320)  # the tick, 320 s after it arrived
    again = coach_server.post(body, FORM, timestamp=int(timestamp), signature=signature)
    assert (first.status, again.status) == (200, 401)
    store.expire_operational_rows(NOW, wall_now=int(timestamp) + 301)  # its stamp is now too old to pass
    assert store.first_sight_of_signature(signature, time.time())


# Item 12: malformed signed payloads: a quiet answer, never a 500 or a traceback


def click_body(driver: SlackDriver, action_id: str, value: str, block_id: str, **changes: object) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": USER, "team_id": "T0001"},
        "team": {"id": "T0001"},
        "api_app_id": "A0COACH",
        "trigger_id": "1.1.x",
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button"}],
        **changes,
    }
    return urlencode({"payload": json.dumps({k: v for k, v in payload.items() if v is not None})})


@pytest.mark.parametrize(
    ("action_id", "value", "block_id", "changes"),
    [
        ("stage_pick", "stage:²", "stage:placement:x", {}),
        ("quiz_answer:1", "quiz:q1:²", "quiz:q1", {}),
        ("stage_pick", "stage:2", "stage:placement:x", {"user": None}),
        ("answer:ready", "reason:ready", "answer:²:reason", {}),
        ("answer:ready", "reason:ready", f"answer:{'9' * 5000}:reason", {}),
        ("stage_pick", f"stage:{'9' * 5000}", "stage:placement:x", {}),
        ("stage_pick", "stage:2", "stage:placement:x", {"channel": "D0", "container": "x"}),
    ],
)
def test_malformed_clicks_get_a_quiet_answer(
    coach_server: SlackDriver, caplog: pytest.LogCaptureFixture, action_id: str, value: str, block_id: str, changes
) -> None:
    body = click_body(coach_server, action_id, value, block_id, **changes)
    with caplog.at_level(logging.INFO):
        reply = coach_server.post(body, "application/x-www-form-urlencoded")
    assert reply.status == 200 and "Traceback" not in reply.body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_malformed_settings_and_events_get_a_quiet_answer(
    coach_server: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    values = {"weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "²"}}}}
    no_channel = json.loads(coach_server.event_body(USER, "yes"))
    del no_channel["event"]["channel"]
    no_user = json.loads(coach_server.event_body(USER, "yes"))
    del no_user["event"]["user"]
    home = json.loads(coach_server.event_body(USER, "", type="app_home_opened", tab="home"))
    del home["event"]["user"]
    with caplog.at_level(logging.INFO):
        replies = [
            coach_server.submit_view(USER, "checkin_settings", values),
            coach_server.post(json.dumps(no_channel), "application/json"),
            coach_server.post(json.dumps(no_user), "application/json"),
            coach_server.post(json.dumps(home), "application/json"),
            coach_server.post(urlencode({"command": "/coach", "team_id": "T0001"}), FORM),
        ]
    assert [r.status for r in replies] == [200] * 5
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# Item 13: echoes stay inert and within Slack's limits


def test_an_echoed_command_cannot_break_out_of_its_code_span(coach_server: SlackDriver) -> None:
    reply = coach_server.command_reply(USER, "x`*bold* <!channel>`")
    first_line = reply["text"].split("\n")[0]
    assert first_line.count("`") == 2 and "<!channel>" not in reply["text"]


def test_a_huge_echo_is_cut_before_it_is_escaped(coach_server: SlackDriver) -> None:
    reply = coach_server.command_reply(USER, "&" * 40_000)
    assert len(reply["text"]) < 3000
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply["blocks"])


# Issue 9's classifier: a users.info timeout no longer escapes learn_language


def test_a_member_is_answered_even_when_users_info_times_out(fake_slack: FakeSlack, settings: Settings) -> None:
    quick = settings.model_copy(update={"slack_timeout": 1})
    fake_slack.fail("users.info", delay=1.5, times=5)
    store = Store(quick.coach_db)
    with serving(quick, store, fake_slack) as driver:
        reply = driver.command_reply(USER, "help")
    assert "Here's what I can do" in reply["text"]  # answered, in English
