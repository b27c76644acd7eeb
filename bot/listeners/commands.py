"""The ``/coach`` slash command and its subcommands.

Every subcommand acknowledges at once with an empty body; its answer (in the member's language,
which may first need a ``users.info``) goes out from the lazy half through the response URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.delivery import render
from bot.languages import choose_language
from bot.listeners.modals import open_settings
from bot.listeners.reply import keep_for_sending, sender
from bot.report import team_report_command
from bot.services import Services
from bot.store import MemberKey
from flows.outcomes import Notice, Outcome

COMMAND = "/coach"
SUBCOMMANDS = (
    "start",
    "stage",
    "status",
    "settings",
    "pause",
    "resume",
    "language",
    "export",
    "forget",
    "report",
    "help",
)
LAZY_SUBCOMMANDS = ("settings", "report")  # these need a Web API call before they can answer


def parse_subcommand(text: str | None) -> tuple[str, list[str]]:
    words = (text or "").split()
    return (words[0].lower(), words[1:]) if words else ("", [])


def register(app: App, services: Services) -> None:
    def coach_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        name, args = parse_subcommand(command.get("text"))
        member = MemberKey(context.team_id or "", context.user_id or "")  # the workspace Bolt authorized
        coach, journey = services.coach(member), services.journey(member)
        pointer: list[Outcome] = [Notice("pointer_dm")]
        in_dm: dict[str, Callable[[], list[Outcome]]] = {
            "": lambda: coach.start(member),
            "start": lambda: coach.start(member),
            "stage": lambda: journey.cards(member),
            "export": lambda: services.privacy().export(member, services.clock()),
        }
        here: dict[str, Callable[[], list[Outcome]]] = {
            "status": lambda: [*coach.status(member), *journey.status(member)],
            "pause": lambda: journey.pause(member),
            "resume": lambda: journey.resume(member),
            "language": lambda: choose_language(services.store, member, args[0] if args else None),
            "forget": lambda: services.privacy().ask_to_forget(),
            "help": lambda: [Notice("help")],
        }
        if name in in_dm:
            reply = [Notice("export_preparing")] if name == "export" else pointer
            keep_for_sending(context, in_dm[name](), reply=reply)
        elif name in here:
            keep_for_sending(context, reply=here[name]())
        elif name not in LAZY_SUBCOMMANDS:
            keep_for_sending(context, reply=[Notice("unknown_command", {"command": name}), Notice("help")])
        ack()

    def settings_or_report(command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond) -> None:
        name, args = parse_subcommand(command.get("text"))
        member = MemberKey(context.team_id or "", context.user_id or "")
        if name == "settings":
            open_settings(services, client, member, str(command.get("trigger_id") or ""))
        elif name == "report":
            bundle = services.bundle_for(member)
            rendered = [
                render(bundle, o) for o in team_report_command(services, client, member, args[0] if args else None)
            ]
            respond(text="\n\n".join(r.text for r in rendered), blocks=[b for r in rendered for b in r.block_dicts()])

    app.command(COMMAND)(ack=coach_command, lazy=[sender(services), settings_or_report])
