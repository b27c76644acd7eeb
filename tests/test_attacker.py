"""The attacker: issue 10's probes replayed against a real ``coach run --http`` process on loopback.

Each probe is what an outsider (or a leaked request) could send; the server must refuse it cleanly,
keep answering members, and never print a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bot.store import Store
from flows.values import MemberKey
from tests.blocks import find_button
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver
from tests.test_e2e_restart import coach_process
from tests.test_hardening_requests import status_of_announced_body

USER = "U0MALLORY"
FORM = "application/x-www-form-urlencoded"


def probe_oversized_and_unsigned(driver: SlackDriver) -> None:
    assert status_of_announced_body(driver.base_url, 100 * 1024 * 1024) == 413
    assert driver.post("{not json", "application/json", signature="v0=" + "0" * 64).status == 401
    assert driver.post("{}", "application/json", headers={"X-Slack-Request-Timestamp": "²"}).status == 401
    assert driver.command(USER, "help").status == 200  # members are still served


def probe_replay(driver: SlackDriver, store: Store) -> None:
    assert driver.command(USER, "stage").status == 200
    (cards,) = driver.messages_with(USER, "Where are you on the social media journey?")
    button, block_id = find_button(cards.args["blocks"], "stage_pick", "stage:4")
    body = driver.action_body(USER, cards, "stage_pick", button["value"], block_id)
    timestamp = int(time.time())
    signature = driver.signer.generate_signature(timestamp=str(timestamp), body=body)
    replies = [driver.post(body, FORM, timestamp=timestamp, signature=signature).status for _ in range(3)]
    assert replies == [200, 401, 401]
    assert len(store.stage_changes(MemberKey("T0001", USER))) == 1


def probe_malformed(driver: SlackDriver) -> None:
    def click(value: str, **changes: object) -> int:
        payload = {
            "type": "block_actions",
            "user": {"id": USER, "team_id": "T0001"},
            "team": {"id": "T0001"},
            "trigger_id": "1.1.x",
            "actions": [{"action_id": "stage_pick", "block_id": "stage:placement:x", "value": value}],
            **changes,
        }
        body = {key: value for key, value in payload.items() if value is not None}
        return driver.post(urlencode({"payload": json.dumps(body)}), FORM).status

    assert click("stage:²") == 200
    assert click("stage:2", user=None) == 200
    assert driver.post(urlencode({"command": "/coach", "team_id": "T0001"}), FORM).status == 200
    event = json.loads(driver.event_body(USER, "yes"))
    del event["event"]["channel"]
    assert driver.post(json.dumps(event), "application/json").status == 200


def probe_echo(driver: SlackDriver) -> None:
    reply = driver.command_reply(USER, "`<!channel>`" + "&" * 40_000)
    assert reply["text"].split("\n")[0].count("`") == 2 and "<!channel>" not in reply["text"]
    assert len(reply["text"]) < 3000


def test_the_attacker_probes_a_real_server(fake_slack: FakeSlack, db_path: Path) -> None:
    stopped = Store(db_path)
    stopped.stop_workspace("T0001", "token_revoked", datetime.now(UTC))  # the server process runs on the wall clock
    with coach_process(fake_slack, db_path) as (process, driver):
        store = Store(db_path)
        assert driver.get("/healthz").status == 200
        assert store.workspace_active("T0001")  # auth.test at start-up: the token works, so it reopened
        probe_oversized_and_unsigned(driver)
        probe_replay(driver, store)
        probe_malformed(driver)
        probe_echo(driver)
        os.unlink(db_path)  # the database deleted under the running server
        assert driver.get("/healthz").status == 503
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.stderr is not None
        log = process.stderr.read().decode("utf-8", "replace")
    assert "Traceback" not in log
    assert "refused a replayed request" in log and "health check failed" in log
