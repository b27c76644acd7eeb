"""Multi-workspace OAuth mode: install through /slack/install and /slack/oauth_redirect against the
fake's oauth.v2.access, then use the coach from each workspace, kept apart; uninstall stops jobs and,
after the retention period, deletes the workspace's data."""

from __future__ import annotations

import logging
import re
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.cli import SDK_LOGGERS
from bot.schedule.ticker import Scheduler
from bot.settings import Settings
from bot.slack.installations import BOT_SCOPES, installation_store
from bot.store.factory import AnyStore, open_store
from flows.values import MemberKey
from tests.conftest import TEST_NOW, serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver
from tests.test_scheduler_faults import scheduler as make_ticker


@pytest.fixture(params=["sqlite", "postgresql"])
def oauth_settings(request: pytest.FixtureRequest, oauth_settings: Settings) -> Settings:
    """Each test on the SQLite file and on PostgreSQL: installations and OAuth states in the coach's database."""
    if request.param == "sqlite":
        return oauth_settings
    return oauth_settings.model_copy(update={"coach_database_url": request.getfixturevalue("postgres_url")})


@pytest.fixture
def oauth_store(oauth_settings: Settings) -> Iterator[AnyStore]:
    store = open_store(oauth_settings.database_url)
    yield store
    store.close()


@pytest.fixture
def oauth_server(oauth_settings: Settings, oauth_store: AnyStore, fake_slack: FakeSlack) -> Iterator[SlackDriver]:
    with serving(oauth_settings, oauth_store, fake_slack) as driver:
        yield driver


def install(driver: SlackDriver, code: str, finishing: SlackDriver | None = None) -> str:
    """Install through the OAuth flow: begun on ``driver``'s host, finished on ``finishing``'s (the same
    host by default), as a browser behind a load balancer would."""
    with urllib.request.urlopen(driver.base_url + "/slack/install", timeout=10) as response:
        page = response.read().decode("utf-8")
        cookie = response.headers["Set-Cookie"].split(";")[0]
    state = re.search(r"state=([\w-]+)", page)
    assert state is not None and "oauth/v2/authorize" in page
    scopes = re.search(r"scope=([^&\"]+)", page)
    assert scopes is not None and set(scopes.group(1).replace("%3A", ":").replace("%2C", ",").split(",")) == set(
        BOT_SCOPES
    )
    request = urllib.request.Request(
        f"{(finishing or driver).base_url}/slack/oauth_redirect?code={code}&state={state.group(1)}",
        headers={"Cookie": cookie},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return response.read().decode("utf-8")


def test_install_then_coach_from_that_workspace(oauth_server: SlackDriver, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in SDK_LOGGERS:  # their own level, if a command set one, must not hide their lines here
        caplog.set_level(logging.DEBUG, logger=name)
    driver = oauth_server
    install(driver, "0002")
    access = driver.fake.wait_for("oauth.v2.access")[0]
    assert access.args.get("code") == "0002"
    driver.team_id = "T0002"
    assert "direct message" in driver.command_reply("U0FIONA")["text"]
    opened = driver.fake.wait_for("conversations.open")[0]
    assert opened.token == "xoxb-T0002"
    driver.wait_question("U0FIONA", 1)
    assert "xoxb-T0002" not in caplog.text  # tokens never reach the logs
    assert any(r.name in SDK_LOGGERS for r in caplog.records)  # slack_sdk's own lines were looked at


@pytest.mark.parametrize("oauth_settings", ["postgresql"], indirect=True)  # hosts share a server, not a file
def test_an_install_begun_on_one_host_finishes_on_another(
    oauth_settings: Settings, oauth_store: AnyStore, fake_slack: FakeSlack
) -> None:
    other_host = open_store(oauth_settings.database_url)
    try:
        with serving(oauth_settings, oauth_store, fake_slack) as first, serving(
            oauth_settings, other_host, fake_slack
        ) as second:
            install(first, "0002", finishing=second)
            first.team_id = "T0002"
            assert "direct message" in first.command_reply("U0FIONA")["text"]  # the first host knows the token
            assert fake_slack.wait_for("conversations.open")[0].token == "xoxb-T0002"
    finally:
        other_host.close()


def test_bad_state_is_refused(oauth_server: SlackDriver) -> None:
    try:
        urllib.request.urlopen(f"{oauth_server.base_url}/slack/oauth_redirect?code=0002&state=forged", timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 400
    else:
        raise AssertionError("a forged state was accepted")
    assert oauth_server.fake.calls_to("oauth.v2.access") == []


def test_workspaces_apart_and_uninstall_stops_then_purges(
    oauth_server: SlackDriver, oauth_settings: Settings, oauth_store: AnyStore, fake_slack: FakeSlack
) -> None:
    driver = oauth_server
    install(driver, "0002")
    install(driver, "0003")
    for team in ("T0002", "T0003"):
        driver.team_id = team
        for user in (f"U{team}A", f"U{team}B", f"U{team}C"):
            driver.command(user)
            driver.wait_question(user, 1)
            driver.command(user, "pause")  # keep check-ins out of the way; the nudge is what is due
    store = oauth_store
    assert {m.user_id for m in store.team_members("T0002")} == {"UT0002A", "UT0002B", "UT0002C"}

    driver.team_id = "T0002"
    body = driver.event_body("UT0002A", "")
    uninstall = body.replace('"type": "message"', '"type": "app_uninstalled"', 1)
    assert driver.post(uninstall, "application/json").status == 200
    installs = installation_store(oauth_settings, store)
    assert installs is not None
    assert installs.find_bot(enterprise_id=None, team_id="T0002") is None
    assert installs.find_bot(enterprise_id=None, team_id="T0003") is not None
    assert store.workspace_active("T0002") is False

    def scheduler(now: datetime) -> Scheduler:
        return make_ticker(None, store, oauth_settings, now=now)

    fake_slack.reset()
    later = TEST_NOW + timedelta(hours=25)
    report = scheduler(later).tick(later)
    wait_for_empty_outbox(store)  # the server's own sender may have sent some of what the tick queued
    nudged = {c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")}
    assert nudged == {"DUT0003A", "DUT0003B", "DUT0003C"}  # only the installed workspace
    assert {c.token for c in fake_slack.calls_to("chat.postMessage")} == {"xoxb-T0003"}
    assert report.purged_workspaces == []

    report = scheduler(TEST_NOW + timedelta(days=31)).tick(TEST_NOW + timedelta(days=31))
    assert report.purged_workspaces == ["T0002"]
    for table in ("members", "assessments", "sends"):
        assert not list(store.rows(f"select * from {table} where team_id = ?", ["T0002"]))
    assert len(store.team_members("T0003")) == 3
    assert MemberKey("T0003", "UT0003A") in {m.key for m in store.team_members("T0003")}
