"""Interaction load: members clicking through assessments at once, the coach against a bare Bolt app.

Three kinds of process on loopback: the fake Slack Web API; ``coach run --http`` (waitress); and a
bare Bolt app doing the same user-visible work on the same server with the same Bolt settings
(``process_before_response=True``, 8 waitress threads): it acks, then updates the clicked message
and posts the next question to the member's DM (two Web API calls, from a lazy listener). N members
at a time click their six answers, each click as soon as the previous ack came back, with request
bodies signed before the timed loop. The coach's members start with a signed ``/coach`` first (not
timed; its ``response_url`` is live on the fake). Both apps first get an untimed warm-up of five
members, so first-use costs (imports, message templates) are not counted.

Per level and app it prints what a member feels: ack p50/p99, and **click → next question on
screen** p50/p99, timed from the click's send to the moment the fake Slack *receives* the
``chat.postMessage`` of the next question (``time.monotonic`` is one clock for all processes on
Linux); throughput (clicks per second until the last next question arrived); and the server's CPU
(utime + stime from ``/proc``, its sending and worker processes included) per click, replies included. Each run
waits until the fake has received every reply before the next starts, and the order of the two apps
alternates from level to level.

Run (a few seconds per level): .venv/bin/python benchmarks/interaction_load.py
Full run: .venv/bin/python benchmarks/interaction_load.py --concurrency 10,50 --rounds 4 --repeat 2
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    Click,
    RunFigures,
    cpu_seconds,
    fake_slack_process,
    free_port,
    next_question_times,
    run_clicks,
    signed,
    wait_until_drained,
    wait_until_up,
)
from flows.content import QUESTION_IDS  # noqa: E402
from tests.slack_driver import answer_click_body  # noqa: E402

SECRET = "benchmark-signing-secret"
TEAM = "T0001"
RATINGS = ("ready", "partly", "not_yet")
THREADS = 8
WARM_UP_MEMBERS = 5
# The floor: Bolt with the coach's settings, acking and then making the same two Web API calls.
BARE_APP = """
import json, re, sys
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import serve
QUESTIONS = %r
app = App(signing_secret=sys.argv[2], client=WebClient(token="xoxb-bench", base_url=sys.argv[3]),
          process_before_response=True)
def next_question(body, client):
    action = body["actions"][0]
    question_id, rating = action["value"].split(":")
    number = QUESTIONS.index(question_id) + 1
    channel = body["channel"]["id"]
    client.chat_update(channel=channel, ts=body["container"]["message_ts"], text=f"Answered {number}: {rating}",
                       blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": f"~{question_id}~ {rating}"}}])
    if number == len(QUESTIONS):
        client.chat_postMessage(channel=channel, text="Your social media readiness: done")
        return
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": r}, "action_id": f"answer:{r}",
                "value": f"{QUESTIONS[number]}:{r}"} for r in ("ready", "partly", "not_yet")]
    text = f"*Question {number + 1} of {len(QUESTIONS)}: next*"
    client.chat_postMessage(channel=channel, text=text, blocks=[
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "actions", "block_id": action["block_id"], "elements": buttons}])
app.action(re.compile(".*"))(ack=lambda ack: ack(), lazy=[next_question])
serve(SlackRequestHandler(app), host="127.0.0.1", port=int(sys.argv[1]), threads=%d, _quiet=True)
""" % (list(QUESTION_IDS), THREADS)


@contextmanager
def process(command: list[str], env: dict[str, str], health: str) -> Iterator[int]:
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(health)
        yield child.pid
    finally:
        child.terminate()
        child.wait(timeout=10)


def command_body(user: str, api_url: str) -> str:
    from urllib.parse import urlencode

    return urlencode(
        {
            "team_id": TEAM,
            "user_id": user,
            "command": "/coach",
            "text": "",
            "channel_id": "C1",
            "response_url": api_url.replace("/api/", f"/respond/{user}"),
            "trigger_id": "1.1.x",
            "api_app_id": "A1",
        }
    )


def start_members(port: int, api_url: str, db: str, users: list[str]) -> dict[str, int]:
    """``/coach`` for each member (untimed), then wait for their first questions; their assessment ids."""
    since = wait_until_drained(api_url)
    run_clicks(port, [[signed(SECRET, command_body(user, api_url), "", 0) for user in users]])
    wait_until_drained(api_url, since, expect_posts=2 * len(users))
    rows = sqlite3.connect(db).execute(
        f"select user_id, id from assessments where user_id in ({','.join('?' * len(users))})", users
    )
    return dict(rows.fetchall())


def click_plan(users: list[str], ids: dict[str, int], level: int) -> list[list[Click]]:
    """Worker i clicks through the assessments of members i, i+level, ...: six signed clicks each."""
    total = len(QUESTION_IDS)
    return [
        [
            signed(
                SECRET,
                answer_click_body(TEAM, user, ids[user], question, RATINGS[(k + j) % 3]),
                f"D{user}",
                j + 1,
                f"*Question {j + 2} of {total}" if j + 1 < total else "",
            )
            for k, user in enumerate(users[i::level])
            for j, question in enumerate(QUESTION_IDS)
        ]
        for i in range(level)
    ]


def measure(name: str, port: int, pid: int, api_url: str, work: list[list[Click]]) -> RunFigures:
    since = wait_until_drained(api_url)
    cpu_before = cpu_seconds(pid)
    sent = run_clicks(port, work)
    clicks = sum(len(w) for w in work)
    wait_until_drained(api_url, since, expect_posts=clicks)
    cpu = cpu_seconds(pid) - cpu_before
    arrivals = next_question_times(api_url, since, sent)
    return RunFigures(name, sent, arrivals, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="10,50", help="members clicking at once, per level")
    parser.add_argument("--rounds", type=int, default=1, help="assessments each concurrent member clicks through")
    parser.add_argument("--repeat", type=int, default=1, help="run every level this many times")
    parser.add_argument("--workers", type=int, default=1, help="coach run --http --workers N")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")] * args.repeat
    with tempfile.TemporaryDirectory() as folder, fake_slack_process() as api_url:
        db = f"{folder}/coach.db"
        coach_port, bare_port = free_port(), free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api_url,
            "COACH_DB": db,
            "COACH_TICK_SECONDS": "3600",
        }
        env.pop("SLACK_APP_TOKEN", None)
        coach = [sys.executable, "-m", "bot.cli", "run", "--http", "--host", "127.0.0.1", "--port", str(coach_port)]
        if args.workers > 1:
            coach += ["--workers", str(args.workers)]
        bare = [sys.executable, "-c", BARE_APP, str(bare_port), SECRET, api_url]
        with (
            process(coach, env, f"http://127.0.0.1:{coach_port}/healthz") as coach_pid,
            process(bare, env, f"http://127.0.0.1:{bare_port}/") as bare_pid,
        ):
            warm_up = [f"UWARM{n:03d}" for n in range(WARM_UP_MEMBERS)]
            warm_up_clicks = click_plan(warm_up, start_members(coach_port, api_url, db, warm_up), WARM_UP_MEMBERS)
            for name, port, pid in (("coach", coach_port, coach_pid), ("bare", bare_port, bare_pid)):
                measure(name, port, pid, api_url, warm_up_clicks)  # first-use costs (imports, templates): untimed
            print(RunFigures.header(), flush=True)
            for run, level in enumerate(levels):
                users = [f"U{run:02d}{level:03d}{n:05d}" for n in range(level * args.rounds)]
                work = click_plan(users, start_members(coach_port, api_url, db, users), level)
                apps = [("coach", coach_port, coach_pid), ("bare", bare_port, bare_pid)]
                order = apps if run % 2 == 0 else apps[::-1]  # who goes first alternates
                results = {name: measure(name, port, pid, api_url, work) for name, port, pid in order}
                for name in ("coach", "bare"):
                    print(results[name].row(level), flush=True)
                print(results["coach"].ratios(results["bare"]), flush=True)
            answered = sqlite3.connect(db).execute("select count(*) from answers").fetchone()[0]
            expected = (sum(levels) * args.rounds + WARM_UP_MEMBERS) * len(QUESTION_IDS)
            print(f"answers stored: {answered} (expected {expected})")


if __name__ == "__main__":
    main()
