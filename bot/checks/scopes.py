"""The bot scopes the code needs: each Web API method it calls, and the scope Slack requires for it.

``coach check`` reads which methods the package calls (``client.<method>(`` anywhere under ``bot/``)
and compares the scopes they need with the manifest's, both ways: a scope the code needs and the
manifest lacks fails in Slack at the first call; one the manifest asks for and nothing uses is a
permission the coach should not hold. A method missing from ``METHOD_SCOPES`` is a problem too, so a
new call cannot slip past without its scope being decided.
"""

from __future__ import annotations

import re
from pathlib import Path

# Scopes per slack_sdk method, from each method's page in Slack's reference (docs.slack.dev/reference).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "api_test": (),
    "auth_test": (),
    "apps_connections_open": (),  # the app-level token's connections:write, not a bot scope
    "views_open": (),
    "views_publish": (),
    "chat_postMessage": ("chat:write",),
    "chat_update": ("chat:write",),
    "conversations_open": ("im:write",),
    "conversations_history": ("im:history",),
    "users_info": ("users:read",),
    "files_upload_v2": ("files:write",),
    "canvases_create": ("canvases:write",),
    "canvases_edit": ("canvases:write",),
    "canvases_delete": ("canvases:write",),
    "canvases_access_set": ("canvases:write",),
    "conversations_canvases_create": ("canvases:write",),
    "canvases_sections_lookup": ("canvases:read",),
    "slackLists_create": ("lists:write",),
    "slackLists_items_create": ("lists:write",),
    "slackLists_items_update": ("lists:write",),
    "slackLists_items_delete": ("lists:write",),
    "slackLists_access_set": ("lists:write",),
}
ALWAYS_NEEDED = ("commands",)  # the /coach slash command
CALL = re.compile(r"\bclient\.(\w+)\(")


def called_methods(package: Path | None = None) -> set[str]:
    root = package or Path(__file__).resolve().parents[1]
    return {name for path in root.rglob("*.py") for name in CALL.findall(path.read_text(encoding="utf-8"))}


def scope_problems(declared: set[str], package: Path | None = None) -> list[str]:
    called = called_methods(package)
    unknown = sorted(called - set(METHOD_SCOPES))
    problems = [f"the code calls {name}: add the scope it needs to bot/checks/scopes.py" for name in unknown]
    needed = set(ALWAYS_NEEDED) | {scope for name in called & set(METHOD_SCOPES) for scope in METHOD_SCOPES[name]}
    if missing := needed - declared:
        problems.append(f"manifest bot scopes lack {sorted(missing)}, which the code's Web API calls need")
    if unused := declared - needed:
        problems.append(f"manifest bot scopes {sorted(unused)} are used by no Web API call of the code")
    return problems
