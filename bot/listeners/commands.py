"""The ``/coach`` slash command and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.delivery import render
from bot.listeners.modals import open_settings
from bot.listeners.reply import keep_for_sending, sender
from bot.report import team_report_command
from bot.services import Services
from bot.store import MemberKey
from flows.outcomes import Notice, Outcome

COMMAND = "/coach"
SUBCOMMANDS = ("start", "stage", "status", "settings", "pause", "resume", "export", "forget", "report", "help")


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
        journey = services.journey()
        in_dm = {"": services.coach().start, "start": services.coach().start, "stage": journey.cards}
        if name in in_dm:
            keep_for_sending(context, in_dm[name](member))
            reply(ack, [Notice("pointer_dm")])
        elif name == "status":
            reply(ack, [*services.coach().status(member), *journey.status(member)])
        elif name == "pause":
            reply(ack, journey.pause(member))
        elif name == "resume":
            reply(ack, journey.resume(member))
        elif name == "export":
            keep_for_sending(context, services.privacy().export(member, services.clock()))
            reply(ack, [Notice("export_preparing")])
        elif name == "forget":
            reply(ack, services.privacy().ask_to_forget())
        elif name in ("settings", "report"):
            ack()  # the modal opens, or the admin check runs, in the lazy half
        elif name == "help":
            reply(ack, [Notice("help")])
        else:
            reply(ack, [Notice("unknown_command", {"command": name}), Notice("help")])

    def settings_modal_from_command(command: dict[str, Any], client: WebClient) -> None:
        if parse_subcommand(command.get("text"))[0] == "settings":
            member = MemberKey(command["team_id"], command["user_id"])
            open_settings(services, client, member, command["trigger_id"])

    def report_from_command(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        name, args = parse_subcommand(command.get("text"))
        if name == "report":
            member = MemberKey(command["team_id"], command["user_id"])
            answer = team_report_command(services, client, member, args[0] if args else None)
            rendered = [render(services.bundle, outcome) for outcome in answer]
            respond(text="\n\n".join(r.text for r in rendered), blocks=[b for r in rendered for b in r.block_dicts()])

    app.command(COMMAND)(ack=coach_command, lazy=[sender(services), settings_modal_from_command, report_from_command])
