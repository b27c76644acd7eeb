"""What the fake Slack answers when no fault is programmed: one small function per Web API method."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fake_slack import Call, FakeSlack

Answer = Callable[["FakeSlack", "Call"], dict[str, Any]]


def auth_test(fake: FakeSlack, call: Call) -> dict[str, Any]:
    team = fake.token_teams.get(call.token or "", fake.team_id)
    return {"ok": True, "team_id": team, "team": "Test", "user_id": "UBOT", "bot_id": f"B{team}"}


def oauth_access(fake: FakeSlack, call: Call) -> dict[str, Any]:
    team = f"T{call.args.get('code', 'NEW')}"
    token = f"xoxb-{team}"
    fake.token_teams[token] = team
    return {
        "ok": True,
        "app_id": "A0COACH",
        "authed_user": {"id": "U0INSTALLER"},
        "scope": "chat:write,commands",
        "token_type": "bot",
        "access_token": token,
        "bot_user_id": "UBOT",
        "team": {"id": team, "name": "Installed"},
        "enterprise": None,
        "is_enterprise_install": False,
    }


def conversations_open(fake: FakeSlack, call: Call) -> dict[str, Any]:
    user = str(call.args.get("users", "")).split(",")[0]
    return {"ok": True, "channel": {"id": f"D{user}"}}


def message(fake: FakeSlack, call: Call) -> dict[str, Any]:
    ts = call.args.get("ts") or f"{1700000000 + next(fake._ts)}.000100"
    return {"ok": True, "channel": call.args.get("channel"), "ts": ts, "message": {"text": call.args.get("text")}}


def upload_url(fake: FakeSlack, call: Call) -> dict[str, Any]:
    file_id = f"F{next(fake._ts):06d}"
    return {"ok": True, "upload_url": fake.url.replace("/api/", f"/upload/{file_id}"), "file_id": file_id}


def complete_upload(fake: FakeSlack, call: Call) -> dict[str, Any]:
    files = call.args.get("files")
    files = json.loads(files) if isinstance(files, str) else files or []
    return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}


def history(fake: FakeSlack, call: Call) -> dict[str, Any]:
    channel = call.args.get("channel")
    posted = [
        {"type": "message", "ts": c.response.get("ts"), "text": c.args.get("text"), "metadata": c.args.get("metadata")}
        for c in fake.calls
        if c.method == "chat.postMessage" and c.args.get("channel") == channel and c.response.get("ok")
    ]
    return {"ok": True, "messages": list(reversed(posted))[: int(call.args.get("limit", 100))]}


def users_info(fake: FakeSlack, call: Call) -> dict[str, Any]:
    user_id = str(call.args.get("user"))
    profile = fake.users.get(user_id, {"id": user_id, "tz": "Europe/Helsinki", "locale": "en-US"})
    if profile.get("missing"):
        return {"ok": False, "error": "user_not_found"}
    return {"ok": True, "user": profile}


def socket_url(fake: FakeSlack, call: Call) -> dict[str, Any]:
    return {"ok": True, "url": fake.socket_mode_url}


def canvas(fake: FakeSlack, call: Call) -> dict[str, Any]:
    canvas_id = f"F{next(fake._ts):06d}"
    fake.canvases.create(canvas_id, call.args.get("document_content"))
    return {"ok": True, "canvas_id": canvas_id}


ANSWERS: dict[str, Answer] = {
    "auth.test": auth_test,
    "apps.connections.open": socket_url,
    "oauth.v2.access": oauth_access,
    "conversations.open": conversations_open,
    "chat.postMessage": message,
    "chat.update": message,
    "chat.postEphemeral": message,
    "files.getUploadURLExternal": upload_url,
    "files.completeUploadExternal": complete_upload,
    "conversations.history": history,
    "users.info": users_info,
    "canvases.create": canvas,
    "conversations.canvases.create": canvas,
    "canvases.edit": lambda fake, call: fake.canvases.edit(call.args),
    "canvases.sections.lookup": lambda fake, call: fake.canvases.lookup(call.args),
    "canvases.delete": lambda fake, call: fake.canvases.delete(str(call.args.get("canvas_id"))),
    **{
        f"slackLists.{name}": lambda fake, call: fake.lists.answer(call.method, call.args)
        for name in ("create", "access.set", "items.create", "items.update", "items.delete")
    },
}


def answer(fake: FakeSlack, call: Call) -> dict[str, Any]:
    """Slack's answer to a call that succeeds (``{"ok": true}`` for methods nothing reads back)."""
    method = ANSWERS.get(call.method)
    return method(fake, call) if method is not None else {"ok": True}
