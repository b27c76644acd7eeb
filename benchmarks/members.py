"""Simulated members for the interaction benchmark: each one types ``/coach``, waits until its question
is on the fake Slack, reads it for a think time, clicks an answer, and so on to the end of the assessment.

What a member sees comes from the fake's record (a long poll on ``/_calls``), so a click is signed and
sent only once the message it answers exists, with that message's ``ts`` and block id, as a person's
would be. Every time is ``time.monotonic()``: on Linux one clock for every process, so a send here
compares with an arrival recorded in the fake's process.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

from tests.slack_driver import answer_click_body

TEAM = "T0001"
RATINGS = ("ready", "partly", "not_yet")
QUESTION = re.compile(r"^\*Question (\d+) of (\d+)")
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Shown:
    """A message Slack accepted into a member's DM, as the fake recorded it."""

    at: float  # when the fake took it (time.monotonic)
    text: str  # its first characters
    ts: str
    actions: tuple[str, ...]  # block ids of its actions blocks

    @property
    def question(self) -> int | None:
        match = QUESTION.match(self.text)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Turn:
    """One click and what came of it."""

    user: str
    assessment_id: int
    question_id: str
    number: int  # which question it answered, from 1
    sent_at: float
    acked_at: float
    status: int
    shown_at: float | None  # the next question (or, after the last, the next message) reached the fake


def shown_from(call: dict[str, Any]) -> Shown:
    return Shown(float(call["at"]), str(call["text"]), str(call["ts"]), tuple(call.get("actions") or ()))


class Arrivals:
    """One thread long-polling the fake for new calls and handing each member the messages of its DM."""

    def __init__(self, api_url: str, since: int) -> None:
        parts = urlsplit(api_url)
        self._connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        self._next = since
        self._inboxes: dict[str, queue.Queue[Shown]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Arrivals:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join()
        self._connection.close()

    def inbox(self, channel: str) -> queue.Queue[Shown]:
        with self._lock:
            return self._inboxes.setdefault(channel, queue.Queue())

    def close(self, channel: str) -> None:
        with self._lock:
            self._inboxes.pop(channel, None)

    def _poll(self) -> None:
        while not self._stopping.is_set():
            self._connection.request("GET", f"/_calls?since={self._next}&wait={POLL_SECONDS}")
            answer = json.loads(self._connection.getresponse().read())
            self._next = answer["next"]
            with self._lock:
                for call in answer["calls"]:
                    inbox = self._inboxes.get(str(call["channel"]))
                    if call["method"] == "chat.postMessage" and call["ok"] and inbox is not None:
                        inbox.put(shown_from(call))


def wait_for(inbox: queue.Queue[Shown], wanted: Callable[[Shown], bool], timeout: float) -> Shown | None:
    """The first message in ``inbox`` that ``wanted`` accepts (others, such as an intro, are passed
    over); None if none came within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            shown = inbox.get(timeout=remaining)
        except queue.Empty:
            return None
        if wanted(shown):
            return shown
    return None


class Connections:
    """Kept-alive HTTP/1.1 connections to the app, shared by the members as Slack shares its own."""

    def __init__(self, port: int, size: int) -> None:
        self._idle: queue.Queue[http.client.HTTPConnection] = queue.Queue()
        for _ in range(size):
            self._idle.put(http.client.HTTPConnection("127.0.0.1", port, timeout=300))

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        """POST to ``/slack/events`` on an idle connection (waiting for one if all are busy); the status."""
        connection = self._idle.get()
        try:
            for attempt in (1, 2):
                try:
                    connection.request("POST", "/slack/events", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    return response.status
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    connection.close()  # the server closed it while idle; the next request opens a new one
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            self._idle.put(connection)

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get().close()


def signed(secret: str, body: str) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int(time.time()))
    signature = str(SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    return body.encode("utf-8"), headers


def command_body(user: str, api_url: str) -> str:
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


@dataclass(frozen=True)
class Load:
    """How the members of a pass behave."""

    secret: str
    api_url: str
    think: float  # seconds a member reads a message before clicking
    timeout: float  # seconds a member waits for its next message before giving up on the assessment
    questions: int


def click(
    load: Load, connections: Connections, inbox: queue.Queue[Shown], user: str, shown: Shown, rating: str
) -> tuple[Turn, Shown | None]:
    """Read ``shown`` for the think time, click ``rating`` on it, and wait for what comes next: the
    next question, or after the last one the next message (the result)."""
    number = shown.question or 0
    block_id = next((b for b in shown.actions if b.startswith("answer:")), f"answer:0:{number}")
    _, assessment, question_id = block_id.split(":")
    pause = shown.at + load.think - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    body = answer_click_body(TEAM, user, int(assessment), question_id, rating, message_ts=shown.ts)
    payload, headers = signed(load.secret, body)
    sent_at = time.monotonic()
    status = connections.post(payload, headers)
    acked_at = time.monotonic()
    following = None
    if status == 200:
        last = number == load.questions
        following = wait_for(inbox, lambda s: s.question == (None if last else number + 1), load.timeout)
    at = following.at if following is not None else None
    return Turn(user, int(assessment), question_id, number, sent_at, acked_at, status, at), following


def assess(load: Load, arrivals: Arrivals, connections: Connections, user: str, seed: int) -> list[Turn]:
    """One member's assessment, from ``/coach`` to the message after its last answer."""
    channel = f"D{user}"
    inbox = arrivals.inbox(channel)
    turns: list[Turn] = []
    try:
        connections.post(*signed(load.secret, command_body(user, load.api_url)))
        shown = wait_for(inbox, lambda s: s.question == 1, load.timeout)
        while shown is not None and shown.question is not None:
            turn, shown = click(load, connections, inbox, user, shown, RATINGS[(seed + len(turns)) % len(RATINGS)])
            turns.append(turn)
        return turns
    finally:
        arrivals.close(channel)


def run_members(load: Load, arrivals: Arrivals, connections: Connections, members: list[list[str]]) -> list[Turn]:
    """One thread per member at once, each going through the assessments of its list of users in turn."""
    turns: list[Turn] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def member(users: list[str]) -> None:
        try:
            mine = [turn for seed, user in enumerate(users) for turn in assess(load, arrivals, connections, user, seed)]
        except BaseException as failure:  # handed to the main thread below
            with lock:
                failures.append(failure)
            return
        with lock:
            turns.extend(mine)

    threads = [threading.Thread(target=member, args=(users,)) for users in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return turns
