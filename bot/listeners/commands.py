"""The ``/coach`` slash command and its subcommands.

Every subcommand acknowledges with an empty body; its answer (in the member's language, which may
first need a ``users.info``) goes out through the outbox and the response URL. ``settings`` and
``report`` must ask Slack first and answer from a lazy listener.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.listeners.payloads import member_of, parse_subcommand
from bot.listeners.plan import plan_command
from bot.listeners.reply import delivery_for, keep_for_sending, open_settings, respond_with
from bot.usecases.services import Services
from flows.outcomes import ChannelReport, Notice, Outcome
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
LAZY_SUBCOMMANDS = ("settings", "report", "plan")  # these need a Web API call before they can answer
Subcommand = Callable[[Services, MemberKey, list[str]], list[Outcome]]

# Subcommands whose answer goes to the member's DM; the command itself gets a pointer there.
IN_DM: dict[str, Subcommand] = {
    "": lambda services, member, _args: services.coach(member).start(member),
    "start": lambda services, member, _args: services.coach(member).start(member),
    "stage": lambda services, member, _args: services.journey().cards(member),
    "export": lambda services, member, _args: services.privacy().export(member, services.clock()),
}
# Subcommands answered privately where they were typed.
HERE: dict[str, Subcommand] = {
    "status": lambda services, member, _args: [*services.coach().status(member), *services.journey().status(member)],
    "pause": lambda services, member, _args: services.journey().pause(member),
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
    if name in IN_DM:
        pointer = Notice("export_preparing") if name == "export" else Notice("pointer_dm")
        keep_for_sending(context, IN_DM[name](services, member, args), reply=[pointer])
    elif name in HERE:
        keep_for_sending(context, reply=HERE[name](services, member, args))
    elif name not in LAZY_SUBCOMMANDS:
        keep_for_sending(context, reply=[Notice("unknown_command", {"command": name}), Notice("help")])
    ack()


def settings_or_report(
    services: Services, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """The subcommands that must ask Slack something before they can answer."""
    name, args = parse_subcommand(command.get("text"))
    member = member_of(context)
    if member is None:
        return
    if name == "settings" and isinstance(command.get("trigger_id"), str):
        open_settings(services, client, member, command["trigger_id"])
    elif name == "report":
        respond_with(respond, delivery_for(services, client, member), team_report(services, client, member, args))
    elif name == "plan":
        plan_command(services, client, member, args, respond)


def team_report(services: Services, client: WebClient, member: MemberKey, args: list[str]) -> list[Outcome]:
    """``/coach report [#channel]``: the admin check needs ``users.info``; a channel report is posted first."""
    delivery = delivery_for(services, client, member)
    profile = delivery.fetch_profile(member.user_id)
    reports = services.reports(member)
    outcomes = reports.command(member, profile, args[0] if args else None)
    if len(outcomes) == 1 and isinstance(outcomes[0], ChannelReport):
        report = outcomes[0]
        tz = profile.get("tz") if profile else None
        landed = delivery.post_channel_report(report)
        return reports.posted(member, report.channel_id, tz if isinstance(tz, str) else None, landed)
    return outcomes


def asks_slack_first(command: dict[str, Any]) -> bool:
    return parse_subcommand(command.get("text"))[0] in LAZY_SUBCOMMANDS


def register(app: App, services: Services) -> None:
    """Only ``settings`` and ``report`` pay for a lazy listener; Bolt runs the first listener that matches."""
    app.command(COMMAND, matchers=[asks_slack_first])(
        ack=partial(coach_command, services), lazy=[partial(settings_or_report, services)]
    )
    app.command(COMMAND)(partial(coach_command, services))
