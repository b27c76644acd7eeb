"""The Slack app manifest. ``manifest.yml`` is its one source: ``coach manifest`` prints it (with
``--url``, for a public HTTPS host, request URLs filled in and Socket Mode off), and the Slack CLI's
``get-manifest`` hook serves it as JSON."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

MANIFEST_NAME = "manifest.yml"
EVENTS_PATH = "/slack/events"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"


def find_manifest() -> Path | None:
    """``manifest.yml`` in the working directory, else beside the package (a source checkout)."""
    for folder in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (folder / MANIFEST_NAME).is_file():
            return folder / MANIFEST_NAME
    return None


def load_manifest(path: Path) -> dict[str, Any]:
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError(f"{path} is not a manifest (a YAML mapping)")
    return manifest


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the app's public address, or None. Slack sends requests only to HTTPS."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return f"--url must be your server's public HTTPS address, such as https://coach.example.org (got {url!r})"
    if parts.query or parts.fragment:
        return f"--url must be a plain address without ?query or #fragment (got {url!r})"
    return None


def manifest_for_host(manifest: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The manifest for an app served over HTTP at ``base_url``: the slash command, events and
    interactivity point at ``/slack/events``, OAuth redirects at ``/slack/oauth_redirect``, and Socket
    Mode is off (Slack sends nothing to request URLs while it is on)."""
    base = base_url.rstrip("/")
    served = copy.deepcopy(manifest)
    features = served.get("features") or {}
    for command in features.get("slash_commands") or []:
        command["url"] = base + EVENTS_PATH
    oauth = served.get("oauth_config") or {}
    if "redirect_urls" in oauth:
        oauth["redirect_urls"] = [base + OAUTH_REDIRECT_PATH]
    settings = served.setdefault("settings", {})
    settings.setdefault("event_subscriptions", {})["request_url"] = base + EVENTS_PATH
    settings.setdefault("interactivity", {})["request_url"] = base + EVENTS_PATH
    settings["socket_mode_enabled"] = False
    return served


def render_manifest(base_url: str | None = None, as_json: bool = False) -> str:
    """``manifest.yml`` as YAML or JSON, for ``base_url`` if given; ValueError says what is wrong."""
    path = find_manifest()
    if path is None:
        raise ValueError(f"no {MANIFEST_NAME} in this directory; run this from the coach's checkout")
    manifest = load_manifest(path)
    if base_url is not None:
        problem = base_url_problem(base_url)
        if problem:
            raise ValueError(problem)
        manifest = manifest_for_host(manifest, base_url)
    if as_json:
        return json.dumps(manifest, indent=2, ensure_ascii=False)
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=120)
