"""Faults, bounded in time and count, on loopback only: the server killed mid-load, Slack timing
out, and hostile or malformed requests fuzzed against the HTTP endpoint. (Slack's 500s and 429s are
tested once, in test_e2e_bad_input.py.)"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.listeners.commands import SUBCOMMANDS
from bot.listeners.payloads import parse_subcommand
from bot.store import Store, send_key
from flows.assessment import SUMMARY
from flows.content import QUESTION_IDS, load_bundle
from flows.reading import read_intent
from flows.values import MemberKey
from tests.conftest import wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver, delivered_to
from tests.test_e2e_restart import coach_process
from tests.test_scheduler_faults import scheduler

RATINGS = ("ready", "partly", "not_yet")


class Members:
    """Members clicking through their assessments against whichever server is up, each click retried
    while it is down, as Slack's user would; the answers the server acknowledged are recorded."""

    def __init__(self, users: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.plan = {user: [rng.choice(RATINGS) for _ in QUESTION_IDS] for user in users}
        self.acknowledged: dict[str, list[tuple[str, str]]] = {user: [] for user in users}
        self.driver: SlackDriver | None = None
        self.progress = threading.Condition()

    def count(self) -> int:
        return sum(map(len, self.acknowledged.values()))

    def wait_for(self, more: int) -> None:
        """Until ``more`` further answers were acknowledged (or every answer was)."""
        with self.progress:
            target = min(self.count() + more, len(self.plan) * len(QUESTION_IDS))
            self.progress.wait_for(lambda: self.count() >= target, timeout=60)

    def click_through(self, user: str, assessment_id: int) -> None:
        deadline = time.monotonic() + 60
        for question_id, rating in zip(QUESTION_IDS, self.plan[user], strict=True):
            while time.monotonic() < deadline and not self._clicked(user, assessment_id, question_id, rating):
                time.sleep(0.05)  # the server is down or restarting: try the same click again
            time.sleep(self.rng.uniform(0.02, 0.1))  # a member reads the next question before answering

    def _clicked(self, user: str, assessment_id: int, question_id: str, rating: str) -> bool:
        driver = self.driver
        assert driver is not None
        try:
            body = driver.answer_click_body(user, assessment_id, question_id, rating)
            reply = driver.post(body, "application/x-www-form-urlencoded")
        except OSError:
            return False
        if reply.status != 200:
            return False
        with self.progress:
            self.acknowledged[user].append((question_id, rating))
            self.progress.notify_all()
        return True


def kill_after(process: subprocess.Popen[bytes], members: Members, more: int, db_path: Path) -> int:
    """SIGKILL the server once ``more`` further answers were acknowledged; how many replies it left unsent."""
    members.wait_for(more)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    return Store(db_path).outbox_size()


def assert_answered_and_told(store: Store, fake: FakeSlack, user: str, members: Members) -> None:
    """Every acknowledged answer stored once, and each next question (then the verdict) shown once, in order."""
    row = store.latest_assessment(MemberKey("T0001", user))
    assert row is not None and row.state == SUMMARY, f"{user} did not finish"
    stored = store.answers(row.id)
    assert stored == dict(zip(QUESTION_IDS, members.plan[user], strict=True))  # nothing skipped, nothing lost
    for question_id, rating in members.acknowledged[user]:
        assert stored[question_id] == rating  # every acknowledged answer is stored
    assert row.version == 1 + len(QUESTION_IDS)  # begin + one move per question: none applied twice
    shown = [
        text.split(" of ")[0] if text.startswith("*Question") else "verdict"
        for text in (str(c.args.get("text")) for c in delivered_to(fake.calls, user))
        if text.startswith(("*Question", "Your social media readiness"))
    ]
    assert shown == [f"*Question {n}" for n in range(1, len(QUESTION_IDS) + 1)] + ["verdict"], (user, shown)


def test_server_killed_at_random_moments_loses_no_acknowledged_answer_or_reply(
    fake_slack: FakeSlack, db_path: Path
) -> None:
    rng = random.Random(20261123)
    users = [f"U0KILL{n:02d}" for n in range(12)]
    members = Members(users, rng)
    unsent_at_kills: list[int] = []
    with coach_process(fake_slack, db_path) as (process, driver):
        members.driver = driver
        for user in users:
            assert driver.command(user).status == 200
        store = Store(db_path)
        ids = {user: store.latest_assessment(MemberKey("T0001", user)).id for user in users}  # type: ignore[union-attr]
        threads = [threading.Thread(target=members.click_through, args=(u, ids[u])) for u in users]
        for thread in threads:
            thread.start()
        unsent_at_kills.append(kill_after(process, members, rng.randint(5, 30), db_path))
        acknowledged_before_kill = members.count()
    while any(thread.is_alive() for thread in threads) and len(unsent_at_kills) < 3:
        with coach_process(fake_slack, db_path) as (process, driver):
            members.driver = driver
            unsent_at_kills.append(kill_after(process, members, rng.randint(3, 12), db_path))
    with coach_process(fake_slack, db_path) as (_process, driver):
        members.driver = driver
        for thread in threads:
            thread.join(timeout=60)
        store = Store(db_path)
        wait_for_empty_outbox(store, timeout=30)  # claims of the killed processes recovered and sent
    for user in users:
        assert_answered_and_told(store, fake_slack, user, members)
    assert 0 < acknowledged_before_kill < len(users) * len(QUESTION_IDS)  # the kill landed mid-load
    assert sum(unsent_at_kills) > 0  # some kill left acknowledged replies unsent: they were sent after


def test_a_timed_out_checkin_is_looked_up_not_sent_twice(fake_slack: FakeSlack, db_path: Path, settings) -> None:
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    store = Store(db_path)
    member = MemberKey("T0001", "U0SLOW")
    store.ensure_member(member, monday - timedelta(days=7))
    store.update_member(member, tz="Europe/Helsinki")
    row = store.member(member)
    assert row is not None and store.set_stage(row, 2, "placement", monday - timedelta(days=7))
    quick = settings.model_copy(update={"slack_timeout": 1})
    fake_slack.fail("chat.postMessage", delay=2.0, succeed=True)  # posted, but the answer comes too late
    scheduler(fake_slack, db_path, quick, now=monday).tick(monday)
    assert store.send_status(send_key(member, "checkin", "2026-W48")) == "pending"  # unknown: looked up next
    scheduler(fake_slack, db_path, quick, now=monday).tick(monday + timedelta(minutes=1))
    posted = [c for c in fake_slack.calls_to("chat.postMessage") if "Where are you now?" in c.args.get("text", "")]
    assert len(posted) == 1  # found in the DM's history, so not sent again
    assert store.send_status(send_key(member, "checkin", "2026-W48")) == "sent" and store.outbox_size() == 0


# Hostile and malformed requests, signed (so they get past verification) or not.

member_text = st.text(min_size=0, max_size=4000) | st.sampled_from(
    [
        "<!channel>",
        "<!here> hi",
        "<@U0ADMIN>",
        "<https://evil.example|click>",
        "&lt;",
        "*bold* _x_ `code`",
        "\u202e\u0000",
    ]
)
values = st.text(max_size=60) | st.sampled_from(
    ["networks:ready", "reason:maybe", "stage:7", "stage:0", "stage:-1", "quiz:none:0", "checkin:2000-W01:same", ":"]
)
action_ids = st.sampled_from(
    [
        "answer:ready",
        "answer:bogus",
        "assessment_back",
        "assessment_skip",
        "stage_pick",
        "quiz_answer:9",
        "checkin:forward",
        "forget_nope",
        "unknown",
    ]
) | st.text(max_size=30)
block_ids = st.text(max_size=40) | st.sampled_from(
    ["answer:1:reason", "answer:999:reason", "nav:1:policy", "stage:x:9"]
)


def snapshot(store: Store, member: MemberKey) -> tuple[object, ...]:
    row = store.latest_assessment(member)
    profile = store.member(member)
    return (
        row and (row.id, row.state, row.version),
        row and sorted(store.answers(row.id).items()),
        profile and (profile.stage, profile.paused, profile.language, profile.share_with_admins),
        store.db.table("assessments").count,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["dm", "action", "command", "raw"]),
    text=member_text,
    value=values,
    action_id=action_ids,
    block_id=block_ids,
    raw=st.binary(max_size=500),
)
def test_fuzzed_requests_never_break_or_change_state(
    coach_server: SlackDriver, settings, kind: str, text: str, value: str, action_id: str, block_id: str, raw: bytes
) -> None:
    driver = coach_server
    user = "U0FUZZ"
    member = MemberKey("T0001", user)
    store = Store(settings.coach_db)
    if store.latest_assessment(member) is None:
        driver.command(user)
        driver.wait_question(user, 1)
    before = snapshot(store, member)
    if kind == "dm":
        reply = driver.dm(user, text)
        may_change = read_intent(text, load_bundle()) is not None
    elif kind == "command":
        reply = driver.command(user, text[:200])
        may_change = parse_subcommand(text[:200])[0] in (*SUBCOMMANDS, "")
    elif kind == "raw":
        reply = driver.post(raw.decode("latin-1"), "application/json")
        may_change = False
    else:
        first = driver.question_messages(user)[0]
        reply = driver.post(
            driver.action_body(user, first, action_id, value, block_id), "application/x-www-form-urlencoded"
        )
        may_change = False  # none of these values names the open question's own block and answer
    # A raw body sent twice within a second is the very same signed request: refused as a replay; one
    # that names no workspace, or another than the token's, is refused as well (403).
    assert reply.status in ((200, 400, 401, 403, 404) if kind == "raw" else (200, 400, 404)), reply.body[:200]
    assert "Traceback" not in reply.body
    if not may_change:  # a state change is saved before the acknowledgement: nothing to wait for
        assert snapshot(store, member) == before
    for call in driver.fake.calls_to("chat.postMessage", channel=f"D{user}"):
        rendered = json.dumps(call.args.get("blocks"))
        assert "<!channel>" not in rendered and "<!here>" not in rendered and "<https://evil" not in rendered
