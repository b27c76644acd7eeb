"""A request's unit of work through the real Bolt app: its middlewares, then its listener's reads in a
snapshot that a competing commit makes stale, so the request is run again before it writes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from slack_bolt import Ack, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.settings import Settings
from bot.store import Store
from flows.values import MemberKey
from tests.conftest import SIGNING_SECRET, FrozenClock

MEMBER = MemberKey("T0001", "U0001")


def signed_command(command: str) -> BoltRequest:
    body = urlencode({"team_id": MEMBER.team_id, "user_id": MEMBER.user_id, "command": command, "text": ""})
    stamp = str(int(time.time()))
    signature = str(SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body))
    headers: dict[str, str | Sequence[str]] = {"x-slack-request-timestamp": stamp, "x-slack-signature": signature}
    return BoltRequest(body=body, headers=headers)


def test_a_listener_whose_reads_changed_before_it_wrote_is_run_again(settings: Settings) -> None:
    store, other = Store(settings.coach_db), Store(settings.coach_db)
    clock = FrozenClock()
    store.ensure_member(MEMBER, clock())
    app = create_app(settings, store, clock)
    seen_tz: list[str | None] = []

    def probe(ack: Ack, **_: Any) -> None:
        member = store.member(MEMBER)  # what the listener decides on
        assert member is not None
        seen_tz.append(member.tz)
        if len(seen_tz) == 1:
            other.update_member(MEMBER, tz="Europe/Rome")  # another request commits meanwhile
        store.update_member(MEMBER, language="fi" if member.tz == "Europe/Rome" else "it")
        ack()

    app.command("/probe")(probe)
    response = app.dispatch(signed_command("/probe"))

    assert response.status == 200
    assert seen_tz == [None, "Europe/Rome"]  # run again, on what is committed now
    member = store.member(MEMBER)
    assert member is not None and member.language == "fi" and member.tz == "Europe/Rome"
