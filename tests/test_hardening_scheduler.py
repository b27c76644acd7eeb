"""The scheduler's hardening (issue 10): passing failures retried with a backoff, forget during a
tick, digests with totals only for a still-admin creator, time-based leases, one Slack error reading."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.schedule.ticker import Scheduler
from bot.sending.policy import CLAIM_LEASE_SECONDS, MAX_ATTEMPTS, retry_backoff
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.errors import SlackFault, classify
from bot.store import Store, send_key
from bot.views.report import report_message
from flows.content import load_bundle
from flows.outcomes import Report
from flows.report import SharedMember, TeamReport
from flows.values import MemberKey
from tests.fake_slack import FakeSlack
from tests.test_scheduler_faults import MONDAY, checkins_per_member, populate

FIRST, SECOND = MemberKey("T0000", "U00000"), MemberKey("T0000", "U00001")


def make_scheduler(
    db_path: Path, settings: Settings, client_for: Callable[[str], WebClient | None] | None = None, **options: object
) -> Scheduler:
    client = make_web_client(settings)
    return Scheduler(
        Store(db_path),
        load_bundle(),
        client_for or (lambda _team: client),
        pace_seconds=0,
        **options,  # type: ignore[arg-type]
    )


def slot_of(db_path: Path, member: MemberKey):
    row = Store(db_path).member(member)
    assert row is not None
    return row.next_checkin_at


def test_a_checkin_that_failed_for_a_passing_reason_is_retried_after_a_backoff_the_same_week(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    fake_slack.fail("chat.postMessage", error="internal_error")
    report = make_scheduler(db_path, settings).tick(MONDAY)
    assert report.sent == 0 and len(report.failed) == 1
    assert slot_of(db_path, FIRST) <= MONDAY  # still due: not moved on to next week

    make_scheduler(db_path, settings).tick(MONDAY + timedelta(minutes=1))  # inside the backoff: no attempt
    assert sum(checkins_per_member(fake_slack).values()) == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1

    report = make_scheduler(db_path, settings).tick(MONDAY + timedelta(minutes=3))
    assert report.sent == 1 and checkins_per_member(fake_slack) == {"DU00000": 1}
    assert slot_of(db_path, FIRST) > MONDAY + timedelta(days=6)  # landed: moved on to next week


def test_a_checkin_whose_send_timed_out_and_never_arrived_is_sent_after_the_backoff(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    quick = settings.model_copy(update={"slack_timeout": 1})
    client = make_web_client(quick)
    fake_slack.fail("chat.postMessage", error="internal_error", delay=1.5)  # never posted, and answered late
    first = make_scheduler(db_path, quick, client_for=lambda _team: client).tick(MONDAY)
    assert first.sent == 0 and slot_of(db_path, FIRST) <= MONDAY
    make_scheduler(db_path, quick, client_for=lambda _team: client).tick(MONDAY + timedelta(minutes=3))
    assert checkins_per_member(fake_slack) == {"DU00000": 1}


def test_sends_without_a_token_yet_wait_and_go_out_once_there_is_one(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    make_scheduler(db_path, settings, client_for=lambda _team: None).tick(MONDAY)
    assert slot_of(db_path, FIRST) <= MONDAY
    report = make_scheduler(db_path, settings).tick(MONDAY + timedelta(minutes=3))
    assert report.sent == 1 and checkins_per_member(fake_slack) == {"DU00000": 1}


def test_an_unfinished_assessment_reminder_that_failed_is_retried(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    store = Store(db_path)
    store.ensure_member(FIRST, MONDAY - timedelta(days=2))
    store.create_assessment(FIRST, "reason", MONDAY - timedelta(days=2))
    fake_slack.fail("chat.postMessage", error="service_unavailable")
    make_scheduler(db_path, settings).tick(MONDAY)
    report = make_scheduler(db_path, settings).tick(MONDAY + timedelta(minutes=3))
    delivered = [c for c in fake_slack.calls_to("chat.postMessage") if c.response.get("ok")]
    assert report.sent == 1 and len(delivered) == 1


def test_backoff_doubles_from_two_minutes_up_to_an_hour() -> None:
    assert [retry_backoff(n) for n in (1, 2, 3, 6, 7, 20)] == [
        timedelta(minutes=m) for m in (2, 4, 8, 60, 60, 60)
    ]


def test_a_reminder_that_keeps_failing_is_given_up_after_twelve_attempts(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    store = Store(db_path)
    store.ensure_member(FIRST, MONDAY - timedelta(days=2))
    assessment = store.create_assessment(FIRST, "reason", MONDAY - timedelta(days=2))
    fake_slack.fail("chat.postMessage", error="internal_error", times=100)
    for hour in range(MAX_ATTEMPTS):
        make_scheduler(db_path, settings).tick(MONDAY + timedelta(hours=hour))
    assert len(fake_slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS
    row = store.db.execute("select nudges_sent from assessments where id = ?", [assessment.id]).fetchone()
    assert row[0] == 1  # the first reminder is given up: no further attempts at it
    make_scheduler(db_path, settings).tick(MONDAY + timedelta(hours=MAX_ATTEMPTS))
    assert len(fake_slack.calls_to("chat.postMessage")) == MAX_ATTEMPTS


def test_a_send_refused_for_good_moves_the_member_on(fake_slack: FakeSlack, db_path: Path, settings: Settings) -> None:
    populate(db_path, 1)
    fake_slack.fail("chat.postMessage", error="invalid_blocks")
    make_scheduler(db_path, settings).tick(MONDAY)
    assert slot_of(db_path, FIRST) > MONDAY + timedelta(days=6)


def test_a_member_forgotten_before_their_claim_gets_no_checkin_and_no_row(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 2)
    store = Store(db_path)
    # The pacer's wait, just before the second member's claim, is where their /coach forget lands.
    scheduler = make_scheduler(db_path, settings, sleep=lambda _seconds: store.forget_member(SECOND))
    scheduler.pace_seconds = 5
    scheduler.tick(MONDAY)
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


def test_a_claim_from_a_reused_pid_is_recovered_once_its_lease_runs_out(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    """In a restarted container the new process is pid 1 again: a dead claim must not look alive."""
    populate(db_path, 1)
    store = Store(db_path)
    key = send_key(FIRST, "checkin", "2026-W48")
    store.claim_send(
        key, FIRST, "checkin", "2026-W48", f"{socket.gethostname()}:1:deadbeef", MONDAY - timedelta(hours=1)
    )
    report = make_scheduler(db_path, settings).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {"DU00000": 1}
    assert report.sent == 1


def test_a_fresh_lease_is_respected_and_an_expired_one_recovered(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    store = Store(db_path)
    key = send_key(FIRST, "checkin", "2026-W48")
    wall = 1_800_000_000.0  # the schedulers' injected wall clock, in epoch seconds
    store.claim_send_leased(key, FIRST, "checkin", "2026-W48", "other:7:x", MONDAY, wall + 60, True)
    make_scheduler(db_path, settings, wall_clock=lambda: wall).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {}  # someone else holds it
    later = make_scheduler(db_path, settings, wall_clock=lambda: wall + CLAIM_LEASE_SECONDS)
    later.tick(MONDAY + timedelta(minutes=3))
    assert checkins_per_member(fake_slack) == {"DU00000": 1}


def test_one_dm_history_that_times_out_does_not_stop_the_tick(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 2)
    store = Store(db_path)
    store.update_member(FIRST, dm_channel="DU00000")
    key = send_key(FIRST, "checkin", "2026-W48")
    store.claim_send(key, FIRST, "checkin", "2026-W48", "uncertain", MONDAY)
    quick = settings.model_copy(update={"slack_timeout": 1})
    client = make_web_client(quick)
    fake_slack.fail("conversations.history", delay=1.5, times=5)
    report = Scheduler(store, load_bundle(), lambda _team: client, pace_seconds=0).tick(MONDAY)
    assert checkins_per_member(fake_slack) == {"DU00001": 1}  # the other member still got theirs
    assert report.sent == 1
    assert store.send_status(key) == "pending"  # looked at again by the next tick


def test_a_claim_whose_dm_history_is_refused_for_good_is_given_up_not_resent(
    fake_slack: FakeSlack, db_path: Path, settings: Settings
) -> None:
    populate(db_path, 1)
    store = Store(db_path)
    store.update_member(FIRST, dm_channel="DU00000")
    key = send_key(FIRST, "checkin", "2026-W48")
    store.claim_send(key, FIRST, "checkin", "2026-W48", "uncertain", MONDAY)
    fake_slack.fail("conversations.history", error="missing_scope")
    make_scheduler(db_path, settings).tick(MONDAY)
    assert store.send_status(key) == "failed" and fake_slack.calls_to("chat.postMessage") == []
    assert slot_of(db_path, FIRST) > MONDAY + timedelta(days=6)


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
