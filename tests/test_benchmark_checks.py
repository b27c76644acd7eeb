"""The interaction benchmark's checks (benchmarks/figures.py) and what it reads from the fake Slack:
a reply sent twice, a question out of order and an acknowledged answer not stored are counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from benchmarks.figures import answers_lost, replies_twice_and_out_of_order
from benchmarks.members import Turn
from bot.store import Store
from flows.assessment import INTRO
from flows.values import MemberKey
from tests.fake_slack import FakeSlack


def posted(channel: str, text: str, ok: bool = True) -> dict[str, Any]:
    return {"method": "chat.postMessage", "channel": channel, "text": text, "ok": ok, "at": 0.0}


def test_a_reply_sent_twice_and_a_question_out_of_order_are_counted_per_member() -> None:
    in_order = [posted("DA", "Intro"), posted("DA", "*Question 1 of 6: a"), posted("DA", "*Question 2 of 6: b")]
    other_member = [posted("DB", "Intro"), posted("DB", "*Question 1 of 6: a")]
    assert replies_twice_and_out_of_order(in_order + other_member) == (0, 0)

    refused_then_sent = [posted("DA", "*Question 3 of 6: c", ok=False), posted("DA", "*Question 3 of 6: c")]
    assert replies_twice_and_out_of_order(in_order + refused_then_sent) == (0, 0)

    assert replies_twice_and_out_of_order(in_order + [posted("DA", "*Question 2 of 6: b")]) == (1, 0)
    assert replies_twice_and_out_of_order(in_order + [posted("DA", "*Question 1 of 6: a")]) == (1, 1)
    swapped = [posted("DA", "*Question 1 of 6: a"), posted("DA", "*Question 3 of 6: c")]
    assert replies_twice_and_out_of_order([*swapped, posted("DA", "*Question 2 of 6: b")]) == (0, 1)


def click(assessment_id: int, question_id: str, status: int = 200) -> Turn:
    return Turn("U1", assessment_id, question_id, 1, 0.0, 0.0, status, None)


def test_an_acknowledged_answer_the_database_does_not_hold_is_counted_lost(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    store = Store(db)
    row = store.create_assessment(MemberKey("T1", "U1"), INTRO, datetime(2026, 12, 7, tzinfo=UTC))
    with store.write() as write:
        write.conn.execute(
            "insert into answers (assessment_id, question_id, rating, source, answered_at) values (?, ?, ?, ?, ?)",
            (row.id, "reason", "ready", "button", "2026-12-07T00:00:00+00:00"),
        )
    store.close()
    stored, not_stored, refused = click(row.id, "reason"), click(row.id, "networks"), click(row.id, "policy", 503)
    assert answers_lost(str(db), [stored, refused]) == 0
    assert answers_lost(str(db), [stored, not_stored, refused]) == 1


def test_the_fake_tells_a_benchmark_each_messages_ts_and_answer_block(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "block_id": "header", "text": {"type": "mrkdwn", "text": "*Question 1 of 6: a*"}},
        {"type": "actions", "block_id": "answer:3:reason", "elements": []},
    ]
    ts = client.chat_postMessage(channel="DU1", text="*Question 1 of 6: a*", blocks=blocks)["ts"]
    arrivals = fake_slack.arrivals_after(0, wait=0)
    assert [(c["channel"], c["ts"], c["actions"]) for c in arrivals["calls"]] == [("DU1", ts, ["answer:3:reason"])]
    assert fake_slack.arrivals_after(arrivals["next"], wait=0) == {"next": 1, "calls": []}
