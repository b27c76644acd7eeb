"""Workspace events other than messages. None are needed by the assessment yet."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services

EVENTS: tuple[str, ...] = ()


def register(app: App, services: Services) -> None:
    """Nothing to register until App Home and uninstall handling arrive."""
