"""Hardening of the HTTP side (issue 10), end to end through the real Bolt app over real HTTP."""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.coach import Coach
from bot.installations import clients_by_team, installation_store
from bot.privacy import Privacy
from bot.request_guard import MAX_BODY_BYTES
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.store import Store
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import SIGNING_SECRET, serving
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

USER = "U0ALICE"
MEMBER = MemberKey("T0001", USER)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"


def begin(driver: SlackDriver) -> None:
    assert driver.command(USER).status == 200
    driver.wait_question(USER, 1)


def signed(driver: SlackDriver, body: str) -> tuple[str, str]:
    timestamp = str(int(time.time()))
    return timestamp, str(driver.signer.generate_signature(timestamp=timestamp, body=body))


# Item 1: a workspace whose token works again is reopened, and never purged once used again


def placed_member(store: Store, member: MemberKey, stage: int = 2) -> None:
    store.ensure_member(member, NOW - timedelta(days=7))
    store.update_member(member, tz="Europe/Helsinki")
    row = store.member(member)
    assert row is not None and store.set_stage(row, stage, "placement", NOW - timedelta(days=7))


def test_a_tick_with_a_working_token_reopens_a_stopped_workspace(fake_slack: FakeSlack, db_path: Path, tick) -> None:
    store = Store(db_path)
    placed_member(store, MEMBER)
    store.stop_workspace("T0001", "invalid_auth", NOW - timedelta(days=1))  # the old token, rotated away
    tick(NOW)
    assert store.workspace_active("T0001")
    assert [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")] == [f"D{USER}"]


def test_an_authorized_request_reopens_a_stopped_workspace(coach_server: SlackDriver, settings: Settings) -> None:
    store = Store(settings.coach_db)
    store.stop_workspace("T0001", "app_uninstalled", NOW)
    assert coach_server.command(USER, "status").status == 200
    assert store.workspace_active("T0001")


def test_a_workspace_used_after_it_stopped_is_never_purged(db_path: Path) -> None:
    store = Store(db_path)
    placed_member(store, MEMBER)
    store.stop_workspace("T0001", "token_revoked", NOW)
    store.create_assessment(MEMBER, "reason", NOW + timedelta(days=1))  # members kept using the coach
    report = Scheduler(store, load_bundle(), lambda _team: None, pace_seconds=0).tick(NOW + timedelta(days=40))
    assert report.purged_workspaces == [] and store.member(MEMBER) is not None
    other = MemberKey("T0002", "U0GONE")
    placed_member(store, other)
    store.stop_workspace("T0002", "app_uninstalled", NOW)
    report = Scheduler(store, load_bundle(), lambda _team: None, pace_seconds=0).tick(NOW + timedelta(days=40))
    assert report.purged_workspaces == ["T0002"] and store.member(other) is None


# Item 3: Slack's retry is handled when the first attempt failed


def test_a_retry_after_a_failed_listener_is_handled(
    coach_server: SlackDriver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    begin(coach_server)
    original, failures = Coach.handle_text, []  # type: ignore[var-annotated]

    def fail_once(self: Coach, member: MemberKey, text: str):
        if not failures:
            failures.append(text)
            raise RuntimeError("the disk hiccupped")
        return original(self, member, text)

    monkeypatch.setattr(Coach, "handle_text", fail_once)
    assert coach_server.dm(USER, "yes", event_id="Ev0RETRY").status == 500
    retry = coach_server.dm(USER, "yes", event_id="Ev0RETRY", headers={"X-Slack-Retry-Num": "1"})
    assert retry.status == 200
    coach_server.wait_question(USER, 2)
    latest = Store(settings.coach_db).latest_assessment(MEMBER)
    assert latest is not None and Store(settings.coach_db).answers(latest.id) == {"reason": "ready"}


def test_a_claim_left_by_a_dead_process_is_taken_over_by_the_retry(
    coach_server: SlackDriver, settings: Settings
) -> None:
    begin(coach_server)
    store = Store(settings.coach_db)
    store.db.execute(
        "insert into processed_events (event_id, received_at, status) values (?, ?, 'pending')",
        ["Ev0DEAD", (datetime.now(UTC) - timedelta(minutes=1)).isoformat()],
    )
    assert coach_server.dm(USER, "yes", event_id="Ev0DEAD", headers={"X-Slack-Retry-Num": "1"}).status == 200
    coach_server.wait_question(USER, 2)
    assert coach_server.dm(USER, "no", event_id="Ev0DEAD", headers={"X-Slack-Retry-Num": "2"}).status == 200
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {"reason": "ready"}  # finished: not handled twice


# Item 6: Enterprise Grid installs


@pytest.fixture
def oauth_settings(fake_slack: FakeSlack, db_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        slack_client_id="111.222",
        slack_client_secret="oauth-client-secret",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.url,
        coach_db=str(db_path),
    )


def grid_install(settings: Settings, store: Store) -> None:
    installations = installation_store(settings, store)
    assert installations is not None
    installations.save(
        Installation(
            app_id="A0COACH",
            enterprise_id="E0GRID",
            team_id="T0GRID",
            bot_token="xoxb-T0GRID",
            bot_id="B0GRID",
            bot_user_id="UBOT",
            bot_scopes="chat:write",
            user_id="U0INSTALLER",
        )
    )


def test_a_grid_workspace_gets_a_client_and_its_uninstall_deletes_its_tokens(
    oauth_settings: Settings, fake_slack: FakeSlack
) -> None:
    store = Store(oauth_settings.coach_db)
    grid_install(oauth_settings, store)
    installations = installation_store(oauth_settings, store)
    assert clients_by_team(oauth_settings, installations)("T0GRID") is not None
    fake_slack.token_teams["xoxb-T0GRID"] = "T0GRID"
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0GRID",
            "enterprise_id": "E0GRID",
            "api_app_id": "A0COACH",
            "event": {"type": "app_uninstalled", "event_ts": "1.1"},
            "event_id": "Ev0GRIDBYE",
            "event_time": 1,
            "authorizations": [{"enterprise_id": "E0GRID", "team_id": "T0GRID", "user_id": "UBOT", "is_bot": True}],
        }
    )
    with serving(oauth_settings, store, fake_slack) as driver:
        assert driver.post(body, "application/json").status == 200
    assert not store.workspace_active("T0GRID")
    assert clients_by_team(oauth_settings, installations)("T0GRID") is None


# Item 7: the workspace is the one Bolt authorized


def test_a_slack_connect_modal_is_saved_for_the_workspace_bolt_authorized(
    coach_server: SlackDriver, settings: Settings
) -> None:
    values = {
        "weekday": {"weekday": {"type": "static_select", "selected_option": {"value": "2"}}},
        "time": {"time": {"type": "static_select", "selected_option": {"value": "14:30"}}},
        "paused": {"paused": {"type": "checkboxes", "selected_options": []}},
    }
    payload = json.loads(parse_qs(coach_server.view_submission_body(USER, "checkin_settings", values))["payload"][0])
    payload["team"] = {"id": "T0CONNECT", "domain": "partner"}
    payload["user"]["team_id"] = "T0CONNECT"
    payload["view"]["app_installed_team_id"] = "T0001"
    body = urlencode({"payload": json.dumps(payload)})
    assert coach_server.post(body, "application/x-www-form-urlencoded").status == 200
    store = Store(settings.coach_db)
    row = store.member(MEMBER)
    assert row is not None and (row.checkin_weekday, row.checkin_time) == (2, "14:30")
    assert store.member(MemberKey("T0CONNECT", USER)) is None


# Item 8: no server details in an export; no installer id after forget


def test_the_export_names_no_server_and_forget_removes_the_installer(
    oauth_settings: Settings, db_path: Path
) -> None:
    store = Store(db_path)
    member = MemberKey("T0GRID", "U0INSTALLER")
    placed_member(store, member)
    store.claim_send("k1", member, "checkin", "2026-W48", "coach-host-7:4242:abcd", NOW)
    content = Privacy(store).export(member, NOW)[0].content  # type: ignore[union-attr]
    assert "coach-host-7" not in content and "4242" not in content and "owner" not in content
    grid_install(oauth_settings, store)
    store.forget_member(member)
    rows = store.db.execute("select user_id, user_token from slack_installations").fetchall()
    assert rows == [("", None)]


# Item 9: a capped body, verified on its raw bytes before it is parsed


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
    from bot.request_guard import guard_events

    calls: list[object] = []
    def app(environ, start):
        calls.append(environ)
        return []

    guarded = guard_events(app, SIGNING_SECRET, Store(db_path), "/e")
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


def test_a_replayed_stage_pick_is_refused(coach_server: SlackDriver, settings: Settings) -> None:
    assert coach_server.command(USER, "stage").status == 200
    (cards,) = coach_server.messages_with(USER, "Where are you on the social media journey?")
    from tests.slack_driver import find_button

    button, block_id = find_button(cards.args["blocks"], "stage_pick", "stage:3")
    body = coach_server.action_body(USER, cards, "stage_pick", button["value"], block_id)
    timestamp, signature = signed(coach_server, body)
    first = coach_server.post(body, "application/x-www-form-urlencoded", timestamp=int(timestamp), signature=signature)
    again = coach_server.post(body, "application/x-www-form-urlencoded", timestamp=int(timestamp), signature=signature)
    assert (first.status, again.status) == (200, 401)
    assert len(Store(settings.coach_db).stage_changes(MEMBER)) == 1


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


# Item 14: the health check looks at what a request needs


@pytest.fixture
def served(settings: Settings, fake_slack: FakeSlack) -> Iterator[tuple[SlackDriver, Store]]:
    store = Store(settings.coach_db)
    with serving(settings, store, fake_slack) as driver:
        yield driver, store


def test_health_is_ok_on_a_usable_database(served: tuple[SlackDriver, Store]) -> None:
    driver, _store = served
    reply = driver.get("/healthz")
    assert (reply.status, reply.body) == (200, "ok\n")


def test_health_fails_when_the_database_file_is_deleted_under_the_server(
    served: tuple[SlackDriver, Store], db_path: Path
) -> None:
    driver, _store = served
    os.unlink(db_path)
    reply = driver.get("/healthz")
    assert (reply.status, reply.body) == (503, "unavailable\n")


def test_health_fails_when_the_database_file_is_replaced(served: tuple[SlackDriver, Store], db_path: Path) -> None:
    driver, _store = served
    os.replace(db_path, db_path.with_suffix(".old"))
    Store(db_path).close()  # a fresh, empty database where the old one was
    assert driver.get("/healthz").status == 503


def test_health_fails_when_a_write_cannot_commit(served: tuple[SlackDriver, Store]) -> None:
    driver, store = served
    blocker = Store(store.path)
    blocker.db.execute("PRAGMA busy_timeout = 0")
    blocker.db.conn.execute("BEGIN EXCLUSIVE")  # another process holds the database: nothing can be written
    try:
        store.db.execute("PRAGMA busy_timeout = 0")
        assert store.health_problem(NOW) is not None
    finally:
        blocker.db.conn.execute("ROLLBACK")
    assert store.health_problem(NOW) is None
