"""Bolt listeners, grouped by the kind of request they handle; each module exposes ``register``."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import action_items, actions, commands, events, messages, plan, required
from bot.usecases.services import Services

# What the listeners subscribe to; manifest.yml must declare exactly these (``coach check`` verifies).
SLASH_COMMANDS: tuple[str, ...] = (commands.COMMAND,)
BOT_EVENTS: tuple[str, ...] = (*messages.EVENTS, *events.EVENTS)


def register_listeners(app: App, services: Services) -> None:
    required.register(app)
    commands.register(app, services)
    actions.register(app, services)
    messages.register(app, services)
    events.register(app, services)
    plan.register(app, services)
    action_items.register(app, services)
