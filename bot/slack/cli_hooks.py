"""The coach as a Slack CLI project: ``slack run`` creates a development app from ``manifest.yml``,
installs it in the workspace you pick and starts the coach with that app's tokens.

The CLI finds ``.slack/hooks.json``, runs its one hook, ``get-hooks`` (this module), and reads from
its JSON the commands of the others. ``get-manifest`` and ``start`` are the coach's own; ``doctor`` and
``check-update`` are those of ``slack-cli-hooks``, the package that implements the hooks for Bolt for
Python, whose protocol (plain JSON on stdout, or between the boundary strings the CLI passes with
``--protocol message-boundaries --boundary X``) every hook here speaks.

Run as ``python -m bot.slack.cli_hooks HOOK``."""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Sequence
from typing import Any

from slack_cli_hooks.protocol import build_protocol

PYTHON = shlex.quote(sys.executable)  # the CLI runs hooks through a shell; the path may hold spaces
THIS = f"{PYTHON} -m bot.slack.cli_hooks"
# The CLI hands these to ``start``: the app-level token (Socket Mode) and the bot token of its development app.
CLI_APP_TOKEN, CLI_BOT_TOKEN = "SLACK_CLI_XAPP", "SLACK_CLI_XOXB"


def hooks() -> dict[str, Any]:
    """``get-hooks``: the other hooks' commands and how ``slack run`` treats the project."""
    return {
        "hooks": {
            "get-manifest": f"{THIS} get-manifest",
            "start": f"{THIS} start",
            "doctor": f"{PYTHON} -m slack_cli_hooks.hooks.doctor",
            "check-update": f"{PYTHON} -m slack_cli_hooks.hooks.check_update",
        },
        "config": {
            "protocol-version": ["message-boundaries", "default"],
            # ``start`` opens the Socket Mode connection itself, with the tokens the CLI hands over.
            "sdk-managed-connection-enabled": True,
            "watch": {
                "manifest": {"paths": ["manifest.yml"]},
                "app": {"paths": ["bot", "flows", "content"], "filter-regex": "\\.(py|toml)$"},
            },
        },
        "runtime": "python",
    }


def start() -> int:
    """``start``: ``coach run`` in Socket Mode with the development app's tokens, ahead of any in ``.env``."""
    from bot.cli import main

    for name, handed_over in (("SLACK_APP_TOKEN", CLI_APP_TOKEN), ("SLACK_BOT_TOKEN", CLI_BOT_TOKEN)):
        if os.environ.get(handed_over):
            os.environ[name] = os.environ[handed_over]
    return main(["run"])


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    hook = args[1] if len(args) > 1 else ""
    protocol = build_protocol(argv=args)
    if hook == "start":
        return start()
    if hook == "get-hooks":
        protocol.respond(json.dumps(hooks()))
        return 0
    if hook == "get-manifest":
        from bot.slack.manifest import render_manifest

        try:
            protocol.respond(render_manifest(as_json=True))
        except (ValueError, OSError) as error:
            print(f"coach: {error}", file=sys.stderr)
            return 1
        return 0
    print(f"coach: no such Slack CLI hook {hook!r}; this project has get-hooks, get-manifest, start", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
