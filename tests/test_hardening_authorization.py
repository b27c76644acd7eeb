"""Who a request is from, decided without holding anyone up: a single-token server refuses requests
from any workspace but its token's (issue 20, item 17), and OAuth mode asks ``auth.test`` once per
workspace token, never while the writers' lock is held (item 3)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from bot.settings import Settings
from bot.store import Store
from tests.conftest import SIGNING_SECRET
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver
from tests.test_e2e_oauth import install, oauth_server, oauth_store  # noqa: F401  (the fixtures)

FOREIGN = "T0FOREIGN"
MALLORY = "U0MALLORY"


def rows_naming(store: Store, value: str) -> dict[str, int]:
    """How many rows of each table name ``value`` in a ``team_id`` column."""
    found: dict[str, int] = {}
    for table in store.db.tables:
        if "team_id" in table.columns_dict:
            count = table.count_where("team_id = ?", [value])
            if count:
                found[table.name] = count
    return found


# Item 17: single-token mode serves the token's own workspace only


def test_a_request_from_another_workspace_is_refused_and_nothing_is_kept(
    coach_server: SlackDriver, settings: Settings, fake_slack: FakeSlack
) -> None:
    driver = coach_server
    driver.team_id = FOREIGN
    assert driver.command(MALLORY, "").status == 403
    assert driver.post(driver.event_body(MALLORY, "yes"), "application/json").status == 403
    uninstall = json.loads(driver.event_body(MALLORY, ""))
    uninstall["event"] = {"type": "app_uninstalled", "event_ts": "1.2"}
    assert driver.post(json.dumps(uninstall), "application/json").status == 403

    store = Store(settings.coach_db)
    assert rows_naming(store, FOREIGN) == {}
    assert fake_slack.calls_to("conversations.open") == []
    assert fake_slack.calls_to("chat.postMessage") == []
    assert fake_slack.calls_to("response_url") == []

    driver.team_id = "T0001"  # the token's own workspace is served as before
    assert driver.command(MALLORY, "").status == 200
    driver.wait_question(MALLORY, 1)
    assert store.workspace_active("T0001")


# Item 3: OAuth mode asks auth.test once per workspace token, and never under the writers' lock


def in_parallel(count: int, action: Callable[[int], int], timeout: float = 20.0) -> list[int]:
    """Each request's status, or 0 for one still unanswered after ``timeout`` seconds."""
    statuses: list[int] = [0] * count

    def run(index: int) -> None:
        statuses[index] = action(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return statuses


def test_auth_test_is_asked_once_per_workspace_not_per_request(oauth_server: SlackDriver) -> None:  # noqa: F811
    driver = oauth_server
    install(driver, "0002")
    asked_before = len(driver.fake.calls_to("auth.test"))
    driver.team_id = "T0002"
    statuses = in_parallel(6, lambda i: driver.command(f"U0MEMBER{i}", "help").status)
    assert statuses == [200] * 6
    asked = [call.token for call in driver.fake.calls_to("auth.test")[asked_before:]]
    assert asked.count("xoxb-T0002") <= 1


def test_a_slow_auth_test_holds_up_no_other_request(oauth_server: SlackDriver) -> None:  # noqa: F811
    driver = oauth_server
    install(driver, "0002")
    install(driver, "0003")
    driver.team_id = "T0002"
    assert driver.command("U0KNOWN", "help").status == 200  # T0002 is authorized from now on
    gate = driver.fake.hold("auth.test")
    try:
        newcomer = SlackDriver(driver.base_url, SIGNING_SECRET, driver.fake, team_id="T0003")
        held = threading.Thread(target=newcomer.command, args=("U0NEW", "help"), daemon=True)
        held.start()
        driver.fake.wait_until(
            lambda calls: [c for c in calls if c.method == "auth.test" and c.token == "xoxb-T0003"] or None,
            expected="T0003's auth.test",
        )
        # While Slack sits on T0003's auth.test, T0002's members are acknowledged and /healthz is fine.
        statuses = in_parallel(3, lambda i: driver.command(f"U0KNOWN{i}", "help").status, timeout=10)
        assert statuses == [200] * 3
        assert driver.get("/healthz").status == 200
        assert held.is_alive()  # the slow auth.test really was still in progress
    finally:
        gate.set()
    held.join(timeout=15)
