"""The ``/coach`` slash command and its subcommands."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery import render
from bot.listeners.reply import keep_for_sending, sender
from bot.services import Services
from bot.store import MemberKey
from bot.views.journey import settings_modal
from flows.outcomes import Notice, Outcome

log = logging.getLogger(__name__)
COMMAND = "/coach"
SUBCOMMANDS = ("start", "stage", "status", "settings", "pause", "resume", "help")


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
        elif name == "settings":
            ack()  # the modal opens from the lazy half, with the trigger id
        elif name == "help":
            reply(ack, [Notice("help")])
        else:
            reply(ack, [Notice("unknown_command", {"command": name}), Notice("help")])

    def open_settings(command: dict[str, Any], client: WebClient) -> None:
        if parse_subcommand(command.get("text"))[0] != "settings":
            return
        member = MemberKey(command["team_id"], command["user_id"])
        services.store.ensure_member(member, services.clock())
        row = services.store.member(member)
        assert row is not None
        view = settings_modal(services.bundle, row.checkin_weekday, row.checkin_time, row.paused)
        try:
            client.views_open(trigger_id=command["trigger_id"], view=view)
        except SlackApiError as error:
            log.warning("views.open failed for %s: %s", member, error.response.get("error"))

    app.command(COMMAND)(ack=coach_command, lazy=[sender(services), open_settings])
