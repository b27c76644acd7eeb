"""The ``/coach`` slash command and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.delivery import render
from bot.listeners.reply import keep_for_sending, sender
from bot.services import Services
from bot.store import MemberKey
from flows.outcomes import Notice, Outcome

COMMAND = "/coach"
DM_SUBCOMMANDS = ("", "start")
SUBCOMMANDS = ("start", "status", "help")


def parse_subcommand(text: str | None) -> tuple[str, list[str]]:
    words = (text or "").split()
    return (words[0].lower(), words[1:]) if words else ("", [])


def register(app: App, services: Services) -> None:
    def reply(ack: Ack, outcomes: list[Outcome]) -> None:
        """Answer in the channel, visible only to the member (the slash command's ephemeral ack)."""
        rendered = [render(services.bundle, outcome) for outcome in outcomes]
        ack(text="\n\n".join(r.text for r in rendered), blocks=[b for r in rendered for b in r.block_dicts()])

    def coach_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        name, _args = parse_subcommand(command.get("text"))
        member = MemberKey(command["team_id"], command["user_id"])
        if name in DM_SUBCOMMANDS:
            keep_for_sending(context, services.coach().start(member))
            reply(ack, [Notice("pointer_dm")])
        elif name == "status":
            reply(ack, services.coach().status(member))
        elif name == "help":
            reply(ack, [Notice("help")])
        else:
            reply(ack, [Notice("unknown_command", {"command": name}), Notice("help")])

    app.command(COMMAND)(ack=coach_command, lazy=[sender(services)])
