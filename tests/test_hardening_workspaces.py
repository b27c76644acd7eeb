"""Workspaces across uninstall, reinstall, token rotation and Enterprise Grid; what export and forget
leave of the server and the installer."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from slack_sdk.oauth.installation_store import Installation

from bot.schedule.ticker import Scheduler
from bot.sending.outbox import Outbox
from bot.settings import Settings
from bot.slack.installations import clients_by_team, installation_store
from bot.store import Store
from bot.usecases.privacy import Privacy
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import serving
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver

USER = "U0ALICE"
MEMBER = MemberKey("T0001", USER)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


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
    report = Scheduler(store, load_bundle(), Outbox(store, lambda: NOW)).tick(NOW + timedelta(days=40))
    assert report.purged_workspaces == [] and store.member(MEMBER) is not None
    other = MemberKey("T0002", "U0GONE")
    placed_member(store, other)
    store.stop_workspace("T0002", "app_uninstalled", NOW)
    report = Scheduler(store, load_bundle(), Outbox(store, lambda: NOW)).tick(NOW + timedelta(days=40))
    assert report.purged_workspaces == ["T0002"] and store.member(other) is None


# Item 3: Slack's retry is handled when the first attempt failed


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


def test_the_export_names_no_server_and_forget_removes_the_installer(oauth_settings: Settings, db_path: Path) -> None:
    store = Store(db_path)
    member = MemberKey("T0GRID", "U0INSTALLER")
    placed_member(store, member)
    store.claim_send("k1", member, "checkin", "2026-W48", NOW)
    store.beat("sender-4242", time.time())
    content = Privacy(store).export(member, NOW)[0].content  # type: ignore[union-attr]
    assert "sender-4242" not in content and "owner" not in content
    grid_install(oauth_settings, store)
    store.forget_member(member)
    rows = store.db.execute("select user_id, user_token from slack_installations").fetchall()
    assert rows == [("", None)]


# Item 9: a capped body, verified on its raw bytes before it is parsed
