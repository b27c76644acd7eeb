"""Plays Slack's side: signed slash commands, ``block_actions`` and ``message.im`` events, in Slack's
own payload formats, sent over real HTTP to the coach's ``/slack/events``."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from tests.blocks import all_text, find_button, has_action
from tests.fake_slack import Call, FakeSlack

_counter = itertools.count(1)


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    def __init__(self, base_url: str, signing_secret: str, fake: FakeSlack, team_id: str = "T0001") -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = SignatureVerifier(signing_secret)
        self.fake = fake
        self.team_id = team_id

    # Transport

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> Reply:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        all_headers: dict[str, str] = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or str(self.signer.generate_signature(timestamp=ts, body=body)),
            **(headers or {}),
        }
        request = urllib.request.Request(self.base_url + path, data=body.encode("utf-8"), headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return Reply(response.status, response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode("utf-8"))

    def get(self, path: str) -> Reply:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=15) as response:
                return Reply(response.status, response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode("utf-8"))

    # Slack's payloads

    def command_body(self, user: str, text: str = "", command: str = "/coach") -> str:
        return urlencode(
            {
                "token": "verification-token",
                "team_id": self.team_id,
                "team_domain": "example",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "A0COACH",
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(f"command-{user}"),
                "trigger_id": f"{next(_counter)}.1.abc",
            }
        )

    def command(self, user: str, text: str = "", **kwargs: Any) -> Reply:
        return self.post(self.command_body(user, text), "application/x-www-form-urlencoded", **kwargs)

    def command_reply(self, user: str, text: str = "") -> dict[str, Any]:
        """Run a subcommand and return its private answer, which arrives through the response URL."""
        before = len(self.fake.calls_to("response_url"))
        assert self.command(user, text).status == 200
        return self.fake.wait_for("response_url", count=before + 1)[-1].args

    def answer_click_body(self, user: str, assessment_id: int, question_id: str, rating: str) -> str:
        """A minimal but well-formed click on an answer button, for load and fault tests."""
        return answer_click_body(self.team_id, user, assessment_id, question_id, rating)

    def action_body(self, user: str, message: Call, action_id: str, value: str, block_id: str) -> str:
        channel = message.args["channel"]
        ts = message.response.get("ts") or message.args.get("ts")
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0COACH",
            "token": "verification-token",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{next(_counter)}.1.abc",
            "team": {"id": self.team_id, "domain": "example"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage"},
            "message": {
                "type": "message",
                "ts": ts,
                "text": message.args.get("text"),
                "blocks": message.args["blocks"],
            },
            "state": {"values": {}},
            "response_url": self.fake.response_url(f"action-{user}"),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "text": {"type": "plain_text", "text": value, "emoji": True},
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return urlencode({"payload": json.dumps(payload)})

    def click(self, user: str, message: Call, action_id: str, value: str | None = None, **kwargs: Any) -> Reply:
        """Click the button ``action_id`` (and ``value``) exactly as it appears in ``message``'s blocks."""
        button, block_id = find_button(message.args["blocks"], action_id, value)
        body = self.action_body(user, message, action_id, button.get("value", ""), block_id)
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def event_body(self, user: str, text: str, event_id: str | None = None, **event: Any) -> str:
        ts = f"{time.time():.6f}"
        payload = {
            "token": "verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0COACH",
            "event": {
                "type": "message",
                "channel": f"D{user}",
                "user": user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel_type": "im",
                **event,
            },
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_counter):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True}],
            "is_ext_shared_channel": False,
        }
        return json.dumps(payload)

    def view_submission_body(self, user: str, callback_id: str, values: dict[str, Any]) -> str:
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "example"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0COACH",
            "token": "verification-token",
            "trigger_id": f"{next(_counter)}.1.abc",
            "view": {
                "id": "V0SETTINGS",
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "state": {"values": values},
                "hash": "1.abc",
                "private_metadata": "",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        return urlencode({"payload": json.dumps(payload)})

    def submit_view(self, user: str, callback_id: str, values: dict[str, Any]) -> Reply:
        return self.post(self.view_submission_body(user, callback_id, values), "application/x-www-form-urlencoded")

    def messages_with(self, user: str, fragment: str, timeout: float = 10.0, count: int = 1) -> list[Call]:
        """Wait until ``count`` delivered DMs to the member contain ``fragment`` in their text or blocks."""

        def matching(calls: list[Call]) -> list[Call] | None:
            hits = [c for c in delivered_to(calls, user) if fragment in message_text(c)]
            return hits if len(hits) >= count else None

        return self.fake.wait_until(matching, timeout, f"{count} message(s) to {user} with {fragment!r}")

    def open_home(self, user: str) -> None:
        """The member opens the App Home tab (``app_home_opened``): it is published afresh, and from then
        on republished as their steps end."""
        body = json.loads(self.event_body(user, ""))
        event = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home", "event_ts": "1.2"}
        body["event"] = event
        assert self.post(json.dumps(body), "application/json").status == 200

    def home_showing(self, user: str, shows: Callable[[list[dict[str, Any]]], bool], expected: str) -> Call:
        """The member opens App Home; wait until a Home view published for them satisfies ``shows``."""
        self.open_home(user)

        def found(calls: list[Call]) -> Call | None:
            homes = [c for c in calls if c.method == "views.publish" and c.args.get("user_id") == user]
            return next((c for c in reversed(homes) if shows(c.args["view"]["blocks"])), None)

        return self.fake.wait_until(found, expected=f"{user}'s App Home {expected}")

    def settle(self, user: str) -> None:
        """A barrier: the member types ``help`` and its answer arrives. Replies leave the outbox in order
        per member, so whatever an earlier request of theirs sent went out (and was recorded) first."""
        before = len(delivered_to(self.fake.calls_to("chat.postMessage"), user))
        self.dm(user, "help")
        self.fake.wait_until(
            lambda calls: True if len(delivered_to(calls, user)) > before else None, 10, f"the help reply to {user}"
        )

    def dm(self, user: str, text: str, event_id: str | None = None, **kwargs: Any) -> Reply:
        return self.post(self.event_body(user, text, event_id), "application/json", **kwargs)

    # Reading the conversation

    def question_messages(self, user: str) -> list[Call]:
        """Question messages Slack accepted (a refused attempt, such as a 429, never reached the member)."""
        return questions_to(self.fake.calls_to("chat.postMessage"), user)

    def wait_question(self, user: str, count: int, timeout: float = 10.0) -> Call:
        """Wait until ``count`` question messages have reached the member; return the last."""

        def counted(calls: list[Call]) -> Call | None:
            found = questions_to(calls, user)
            return found[count - 1] if len(found) >= count else None

        return self.fake.wait_until(counted, timeout, f"question {count} to reach {user}")


def delivered_to(calls: list[Call], user: str) -> list[Call]:
    """Messages Slack accepted into the member's DM."""
    return [
        c
        for c in calls
        if c.method == "chat.postMessage" and c.args.get("channel") == f"D{user}" and c.response.get("ok")
    ]


def questions_to(calls: list[Call], user: str) -> list[Call]:
    return [c for c in delivered_to(calls, user) if has_action(c.args.get("blocks") or [], "answer:ready")]


def message_text(call: Call) -> str:
    return str(call.args.get("text", "")) + all_text(call.args.get("blocks") or [])


def answer_click_body(
    team_id: str, user: str, assessment_id: int, question_id: str, rating: str, message_ts: str = "1.1"
) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": team_id},
        "team": {"id": team_id},
        "api_app_id": "A0COACH",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": f"D{user}"},
        "channel": {"id": f"D{user}"},
        "trigger_id": "1.1.x",
        "actions": [
            {
                "action_id": f"answer:{rating}",
                "block_id": f"answer:{assessment_id}:{question_id}",
                "value": f"{question_id}:{rating}",
                "type": "button",
                "action_ts": "1.1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


