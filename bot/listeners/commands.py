"""The ``/coach`` slash command and its subcommands.

Every subcommand acknowledges with an empty body; its answer (in the member's language, which may
first need a ``users.info``) goes out through the outbox and the response URL, so nothing is lost
when the process dies right after the ack. An admin's ``report`` and ``plan #channel`` are queued
too: the sender asks Slack for the member's role and finishes them. Only ``settings`` answers from a
lazy listener: its form must open within the few seconds Slack gives a trigger.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.listeners.payloads import member_of, parse_subcommand
from bot.listeners.reply import keep_for_sending, open_settings
from bot.usecases.services import Services
from flows.outcomes import AdminAsked, Notice, Outcome
from flows.plan_outcomes import PlanNotice
from flows.values import MemberKey

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
    "plan",
    "help",
)
LAZY_SUBCOMMANDS = ("settings",)  # opens a form: a Web API call within the trigger's few seconds
FOR_ADMINS = ("report",)  # and ``plan #channel``: decided once Slack says who the member is
Subcommand = Callable[[Services, MemberKey, list[str]], list[Outcome]]
ECHOED = 60  # characters of an unknown subcommand quoted back
MENTIONS = ("<#", "#", "<@", "@")  # "/coach plan" followed by one publishes (or is told how), else shows the plan

# Subcommands whose answer goes to the member's DM; the command itself gets a pointer there.
IN_DM: dict[str, Subcommand] = {
    "": lambda services, member, _args: services.coach(member).start(member),
    "start": lambda services, member, _args: services.coach(member).start(member),
    "stage": lambda services, member, args: services.journey().stage_command(member, args),
    "export": lambda services, member, _args: services.privacy().export(member, services.clock()),
    "plan": lambda services, member, _args: services.plans(member).show(member),
}
POINTERS: dict[str, Outcome] = {"export": Notice("export_preparing"), "plan": PlanNotice("pointer")}
# Subcommands answered privately where they were typed.
HERE: dict[str, Subcommand] = {
    "status": lambda services, member, _args: [*services.coach().status(member), *services.journey().status(member)],
    "pause": lambda services, member, args: services.journey().pause_command(member, args, services.bundle_for(member)),
    "resume": lambda services, member, _args: services.journey().resume(member),
    "language": lambda services, member, args: services.profiles().choose_language(
        member, args[0] if args else None, services.clock()
    ),
    "forget": lambda services, _member, _args: services.privacy().ask_to_forget(),
    "help": lambda _services, _member, _args: [Notice("help")],
}


def coach_command(services: Services, ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    name, args = parse_subcommand(command.get("text"))
    member = member_of(context)
    if member is None:
        ack()
        return
    if name in FOR_ADMINS or (name == "plan" and args and args[0].startswith(MENTIONS)):  # a channel, or a slip
        keep_for_sending(context, reply=[AdminAsked(name, tuple(args))])
    elif name in IN_DM:
        keep_for_sending(context, IN_DM[name](services, member, args), reply=[POINTERS.get(name, Notice("pointer_dm"))])
    elif name in HERE:
        keep_for_sending(context, reply=HERE[name](services, member, args))
    elif name not in LAZY_SUBCOMMANDS:
        typed = " ".join(str(command.get("text") or "").split())[:ECHOED]  # as typed, not lowercased
        keep_for_sending(context, reply=[Notice("unknown_command", {"command": typed}), Notice("help")])
    ack()


def settings_form(services: Services, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """``/coach settings``: the form opens at once, with the trigger Slack gave the command."""
    member = member_of(context)
    if member is not None and isinstance(command.get("trigger_id"), str):
        open_settings(services, client, member, command["trigger_id"])


def asks_slack_first(command: dict[str, Any]) -> bool:
    return parse_subcommand(command.get("text"))[0] in LAZY_SUBCOMMANDS


def register(app: App, services: Services) -> None:
    """Only ``settings`` pays for a lazy listener; Bolt runs the first listener that matches."""
    app.command(COMMAND, matchers=[asks_slack_first])(
        ack=partial(coach_command, services), lazy=[partial(settings_form, services)]
    )
    app.command(COMMAND)(partial(coach_command, services))
