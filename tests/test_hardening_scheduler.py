"""Scheduled messages through the one sending path: queued with their claim, retried, recovered and
dropped by the outbox's own policy; forget during a tick, digests with totals only for a still-admin
creator, claims of a silent sender taken over, one Slack error reading."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.schedule.due import Job
from bot.sending.outbox import MAX_ATTEMPTS, Reply, encode
from bot.sending.recovery import OWNER_SILENT_SECONDS
from bot.settings import Settings
from bot.slack.errors import SlackFault, classify
from bot.store import Store, send_key
from bot.views.report import report_message
from flows.content import load_bundle
from flows.outcomes import CheckinAsk, Report
from flows.report import SharedMember, TeamReport
from flows.values import MemberKey
from tests.fake_slack import FakeSlack
from tests.test_scheduler_faults import MONDAY, checkins_per_member, populate
from tests.test_scheduler_faults import scheduler as make_ticker

FIRST, SECOND = MemberKey("T0000", "U00000"), MemberKey("T0000", "U00001")
WALL = 1_800_000_000.0  # the senders' injected wall clock, in epoch seconds


def make_scheduler(db_path: Path, settings: Settings, wall: float = WALL, now=MONDAY, send: bool = True):
    return make_ticker(None, db_path, settings, now=now, wall_clock=lambda: wall, send=send)


def slot_of(db_path: Path, member: MemberKey):
    row = Store(db_path).member(member)
    assert row is not None
    return row.next_checkin_at


def test_a_checkin_that_failed_for_a_passing_reason_is_retried_by_the_outbox_and_the_member_moved_on(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    fake_slack.fail("chat.postMessage", error="internal_error")
    report = make_scheduler(db_path, settings).tick(MONDAY)
    assert report.queued == 1 and checkins_per_member(fake_slack) == {}
    assert slot_of(db_path, FIRST) > MONDAY + timedelta(days=6)  # queued: the outbox owns it now
    assert Store(db_path).send_status(send_key(FIRST, "checkin", "2026-W48")) == "pending"

    make_scheduler(db_path, settings, wall=WALL + 0.5).tick(MONDAY + timedelta(minutes=1))  # inside the backoff
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    make_scheduler(db_path, settings, wall=WALL + 2).tick(MONDAY + timedelta(minutes=1))
    assert checkins_per_member(fake_slack) == {"DU00000": 1}
    assert Store(db_path).send_status(send_key(FIRST, "checkin", "2026-W48")) == "sent"


def test_a_checkin_whose_send_timed_out_and_never_arrived_is_sent_once_looked_up(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    quick = settings.model_copy(update={"slack_timeout": 1})
    fake_slack.fail("chat.postMessage", error="internal_error", delay=1.5)  # never posted, and answered late
    make_scheduler(db_path, quick).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {}
    make_scheduler(db_path, quick, wall=WALL + 5).tick(MONDAY + timedelta(minutes=3))
    assert fake_slack.calls_to("conversations.history")  # looked in the DM before sending again
    assert checkins_per_member(fake_slack) == {"DU00000": 1}


def test_a_scheduled_message_without_a_token_yet_waits_and_goes_out_once_there_is_one(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    tokenless = make_scheduler(db_path, settings)
    assert tokenless.sender is not None
    tokenless.sender.client_for = lambda _team: None  # an OAuth workspace whose install is not there yet
    tokenless.tick(MONDAY)
    assert Store(db_path).outbox_size() == 1 and fake_slack.calls_to("chat.postMessage") == []
    make_scheduler(db_path, settings, wall=WALL + 2).tick(MONDAY + timedelta(minutes=3))
    assert checkins_per_member(fake_slack) == {"DU00000": 1}


def test_a_reminder_that_keeps_failing_is_given_up_after_the_outboxs_attempts(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    store = Store(db_path)
    store.ensure_member(FIRST, MONDAY - timedelta(days=2))
    assessment = store.create_assessment(FIRST, "reason", MONDAY - timedelta(days=2))
    fake_slack.fail("chat.postMessage", error="internal_error", times=1000)
    for attempt in range(MAX_ATTEMPTS + 2):
        make_scheduler(db_path, settings, wall=WALL + 400 * attempt).tick(MONDAY + timedelta(minutes=attempt))
    assert len(fake_slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS
    assert store.outbox_size() == 0
    assert store.send_status(send_key(FIRST, "nudge", f"{assessment.id}-1")) == "failed"
    row = store.db.execute("select nudges_sent from assessments where id = ?", [assessment.id]).fetchone()
    assert row[0] == 1  # the first reminder is owed no more


def test_a_send_refused_for_good_is_dropped_and_marked_failed(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    fake_slack.fail("chat.postMessage", error="invalid_blocks")
    make_scheduler(db_path, settings).tick(MONDAY)
    assert slot_of(db_path, FIRST) > MONDAY + timedelta(days=6)
    assert Store(db_path).send_status(send_key(FIRST, "checkin", "2026-W48")) == "failed"
    assert Store(db_path).outbox_size() == 0


def test_a_member_forgotten_before_their_claim_gets_no_row(fake_slack: FakeSlack, db_path: Path, settings) -> None:
    populate(db_path, 1)
    store = Store(db_path)
    store.forget_member(FIRST)
    ticker = make_scheduler(db_path, settings)
    job = Job(FIRST, "checkin", "2026-W48", (CheckinAsk("2026-W48", 2),))
    ticker._queue(job, MONDAY, report := type(ticker.tick(MONDAY))())
    assert report.already_claimed == 1 and store.outbox_size() == 0
    assert store.export_member(FIRST)["sends"] == [] and fake_slack.calls_to("chat.postMessage") == []


def test_a_member_forgotten_after_their_checkin_was_queued_gets_nothing(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 2)
    store = Store(db_path)
    assert make_scheduler(db_path, settings, send=False).tick(MONDAY).queued == 2
    store.forget_member(SECOND)
    make_scheduler(db_path, settings).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {"DU00000": 1}
    assert store.export_member(SECOND)["sends"] == [] and store.member(SECOND) is None


def test_a_member_forgotten_while_their_checkin_is_prepared_gets_nothing(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    store = Store(db_path)

    def forget_then_answer(call):
        store.forget_member(FIRST)
        return {"ok": True, "user": {"id": FIRST.user_id, "tz": "Europe/Helsinki"}}

    fake_slack.responders["users.info"] = forget_then_answer
    make_scheduler(db_path, settings).tick(MONDAY)
    assert fake_slack.calls_to("chat.postMessage") == []
    assert store.export_member(FIRST)["sends"] == []


def test_a_checkin_quotes_the_stage_stored_when_it_is_sent(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)  # at stage 2
    store = Store(db_path)

    def move_then_answer(call):
        row = store.member(FIRST)
        assert row is not None
        store.set_stage(row, 5, "placement", MONDAY)
        return {"ok": True, "user": {"id": FIRST.user_id, "tz": "Europe/Helsinki"}}

    fake_slack.responders["users.info"] = move_then_answer
    make_scheduler(db_path, settings).tick(MONDAY)
    (message,) = fake_slack.calls_to("chat.postMessage")
    assert "stage 5" in message.args["text"] and "stage 2" not in message.args["text"]


def test_a_checkin_a_day_late_in_the_outbox_is_dropped_not_sent(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    make_scheduler(db_path, settings, send=False).tick(MONDAY)
    a_day_later = MONDAY + timedelta(days=1, minutes=1)
    make_scheduler(db_path, settings, wall=WALL + 86_460, now=a_day_later).tick(a_day_later)
    assert fake_slack.calls_to("chat.postMessage") == []
    assert Store(db_path).send_status(send_key(FIRST, "checkin", "2026-W48")) == "failed"


def digest_setup(db_path: Path, fake_slack: FakeSlack, admin: bool) -> Store:
    members = populate(db_path, 3)
    store = Store(db_path)
    for member in members:
        store.update_member(member, share_with_admins=1)
    fake_slack.users["U0BOSS"] = {"id": "U0BOSS", "is_admin": admin, "tz": "Europe/Helsinki"}
    store.add_digest("T0000", "C0TEAM", "U0BOSS", "Europe/Helsinki", MONDAY - timedelta(days=7))
    return store


def test_the_channel_digest_carries_totals_and_no_names(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    digest_setup(db_path, fake_slack, admin=True)
    make_scheduler(db_path, settings).tick(MONDAY)
    (digest,) = fake_slack.messages_to("C0TEAM")
    text = str(digest.args["blocks"])
    assert "U00000" not in text and "<@" not in text


def test_a_report_posted_in_a_channel_on_demand_names_nobody() -> None:
    shared = (SharedMember("U0SHARER", "ready", 3),) * 3
    report = TeamReport(members=3, assessed=3, shared=shared)
    bundle = load_bundle()
    assert "U0SHARER" in json.dumps(report_message(bundle, Report(report)).block_dicts())  # for the admin only
    assert "U0SHARER" not in json.dumps(report_message(bundle, Report(report, digest=True)).block_dicts())


def test_a_digest_whose_creator_is_no_longer_an_admin_is_not_posted(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    store = digest_setup(db_path, fake_slack, admin=False)
    make_scheduler(db_path, settings).tick(MONDAY)
    assert fake_slack.messages_to("C0TEAM") == []
    assert store.digests() == []


def test_a_claim_of_a_silent_sender_is_taken_over_and_a_beating_ones_is_left_alone(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    """Owners are told apart by their heartbeat in the database, never by pid or host name: two
    containers with the same host name and pid numbering cannot take each other's live claims."""
    populate(db_path, 1)
    store = Store(db_path)
    store.update_member(FIRST, dm_channel="DU00000")
    key = send_key(FIRST, "checkin", "2026-W48")
    assert store.claim_send(key, FIRST, "checkin", "2026-W48", MONDAY)
    reply = Reply((CheckinAsk("2026-W48", 2),), send_key=key, kind="checkin")
    store.add_to_outbox(FIRST, encode(reply), MONDAY)
    assert store.claim_outbox_rows("sender-elsewhere", MONDAY, WALL, 1)
    store.beat("sender-elsewhere", WALL)
    make_scheduler(db_path, settings, wall=WALL + 1).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {}  # its owner is alive: not touched
    make_scheduler(db_path, settings, wall=WALL + OWNER_SILENT_SECONDS + 1).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {"DU00000": 1}
    assert store.send_status(key) == "sent" and store.outbox_size() == 0


def api_error(code: str, status: int = 200) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="x",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=status,
    )
    return SlackApiError(code, response)


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (api_error("user_not_found"), SlackFault.GONE_MEMBER),
        (api_error("token_revoked"), SlackFault.REVOKED_WORKSPACE),
        (api_error("invalid_auth"), SlackFault.REVOKED_WORKSPACE),
        (api_error("internal_error"), SlackFault.TRANSIENT),
        (api_error("ratelimited", 429), SlackFault.TRANSIENT),
        (api_error("whatever", 503), SlackFault.TRANSIENT),
        (TimeoutError("timed out"), SlackFault.UNCERTAIN),
        (ConnectionResetError(), SlackFault.UNCERTAIN),
        (api_error("channel_not_found"), SlackFault.REFUSED),
    ],
)
def test_one_classifier_reads_every_slack_failure(error: BaseException, fault: SlackFault) -> None:
    assert classify(error) is fault
