"""Replies queued during an upgrade are sent by the new release (issue 20, item 19): outbox rows hold
plain, versioned JSON, read back against the classes as they are now; a row an earlier release
pickled is read once more if it still unpickles, and dropped with a log line if it does not."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.sending.payload import Reply, decode, encode
from bot.settings import Settings
from bot.store import Store
from flows.outcomes import Notice, StageCoaching
from flows.plan_outcomes import PlanTip
from flows.values import MemberKey
from tests.conftest import TEST_NOW, serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack

DATA = Path(__file__).parent / "data"
MEMBER = MemberKey("T0001", "U0UPGRADE")
# What both fixtures hold: a finished assessment's status (a moment among its parameters), the stage's
# coaching and the plan's next part; the JSON row also answers privately through a response URL.
QUEUED = (
    Notice("status_completed", {"date": datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "verdict": "ready"}),
    StageCoaching(stage=2, tip_index=0, changed=True),
    PlanTip("reason"),
)


def test_the_json_row_of_the_previous_release_reads_as_the_same_reply() -> None:
    payload = (DATA / "outbox_row_v2.json").read_bytes()
    assert decode(payload, 1) == Reply(
        outcomes=QUEUED, private=(Notice("language_set"),), response_url="https://hooks.slack.invalid/respond"
    )
    again = json.loads(encode(decode(payload, 1)))  # type: ignore[arg-type]
    assert again.items() >= json.loads(payload).items()  # fields added since (send_key…) take their defaults


def test_a_row_written_by_the_previous_release_is_sent(
    settings: Settings, fake_slack: FakeSlack, db_path: Path
) -> None:
    store = Store(db_path)
    store.ensure_member(MEMBER, TEST_NOW)
    reply = json.loads((DATA / "outbox_row_v2.json").read_text())
    reply["response_url"] = fake_slack.response_url("upgrade")
    store.add_to_outbox(MEMBER, json.dumps(reply).encode(), TEST_NOW)
    pickled = (DATA / "outbox_row_v1_pickled.bin").read_bytes()  # queued by 02aaec5 just before the upgrade
    store.add_to_outbox(MEMBER, pickled, TEST_NOW)
    with serving(settings, store, fake_slack):
        wait_for_empty_outbox(store)
    texts = [str(call.args.get("text")) for call in fake_slack.messages_to(f"D{MEMBER.user_id}")]
    assert len(texts) == 2 * len(QUEUED)  # every outcome of both rows, none dropped
    assert fake_slack.calls_to("response_url")  # the private answer went where the member asked


def test_a_pickled_row_that_no_longer_unpickles_is_dropped_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    pickled = (DATA / "outbox_row_v1_pickled.bin").read_bytes()
    renamed = pickled.replace(b"StageCoaching", b"StageCoachin_")  # a class renamed since the row was written
    with caplog.at_level(logging.WARNING):
        assert decode(renamed, 9) is None
        assert decode(pickled.replace(b"flows.outcomes", b"subprocess.run"), 10) is None  # never ours
    assert "dropped outbox row 9" in caplog.text and "dropped outbox row 10" in caplog.text


def test_every_kind_of_outcome_keeps_its_fields_through_a_row() -> None:
    reply = Reply(outcomes=QUEUED, channel="C0PLANS", clicked=("D0CHAN", "1.2"))
    assert decode(encode(reply), 3) == reply
    with pytest.raises(TypeError):
        encode(Reply(outcomes=(Notice("journey_status", {"stage": object()}),)))
