"""Export and forget cover every row about a member (issue 20, item 13): the weekly digests they set
up and the replies still queued for them, scheduled ones with their attempts so far (since the one
sending path, a scheduled send's retries are its outbox row's; ``send_retries`` is gone)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.sending.outbox import Outbox, Reply
from bot.store import Store, send_key
from bot.usecases.privacy import Privacy
from flows.outcomes import ExportFile, Notice
from flows.values import MemberKey
from tests.conftest import FrozenClock

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ANN, BOB = MemberKey("T0001", "U0ANN"), MemberKey("T0001", "U0BOB")


def member_with_everything(store: Store, member: MemberKey) -> None:
    store.ensure_member(member, NOW)
    store.add_digest(member.team_id, f"C{member.user_id}", member.user_id, "Europe/Rome", NOW)
    outbox = Outbox(store, FrozenClock(NOW))
    outbox.enqueue(member, Reply(outcomes=(Notice("help"),), channel=f"D{member.user_id}"))
    key = send_key(member, "checkin", "2026-W48")
    assert store.claim_send(key, member, "checkin", "2026-W48", NOW)
    row_id = outbox.enqueue(member, Reply(outcomes=(Notice("checkin_old"),), send_key=key, kind="checkin"))
    assert row_id is not None
    with store.write() as db:  # tried once (Slack had a bad moment), waiting for its next try
        db.execute("update outbox set attempts = 1, not_before = 1e12 where id = ?", [row_id])


def exported(store: Store, member: MemberKey) -> dict:
    (export,) = Privacy(store).export(member, NOW)
    assert isinstance(export, ExportFile)
    return json.loads(export.content)


def test_the_export_has_their_digests_and_queued_replies(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.db")
    member_with_everything(store, ANN)
    member_with_everything(store, BOB)
    data = exported(store, ANN)
    assert [(d["channel_id"], d["tz"]) for d in data["digests"]] == [("CU0ANN", "Europe/Rome")]
    reply, scheduled = data["outbox"]
    assert reply["reply"]["outcomes"] == [{"type": "Notice", "key": "help", "params": {}}]
    assert "owner" not in reply and "payload" not in reply  # which server would send it is not about them
    assert scheduled["reply"]["send_key"] == "T0001:U0ANN:checkin:2026-W48" and scheduled["attempts"] == 1
    assert "U0BOB" not in json.dumps(data)


def test_forget_leaves_no_row_naming_the_member(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.db")
    member_with_everything(store, ANN)
    member_with_everything(store, BOB)
    Privacy(store).forget(ANN)
    for table in store.db.table_names():
        for row in store.db.table(table).rows:
            assert "U0ANN" not in json.dumps(row, default=str), f"{table} still names the member: {row}"
    assert not store.db.table("send_retries").exists()
    assert store.db.table("outbox").count_where("user_id = ?", ["U0BOB"]) == 2  # nobody else's
