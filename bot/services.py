"""What the listeners need, built once per app: the store, the content and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.coach import Clock, Coach
from bot.delivery import SlackDelivery
from bot.journey import Journey
from bot.privacy import Privacy
from bot.store import Store
from flows.content import Bundle


@dataclass(frozen=True)
class Services:
    store: Store
    bundle: Bundle
    clock: Clock
    installations: InstallationStore | None = None  # OAuth mode: the workspaces' tokens

    def coach(self) -> Coach:
        return Coach(self.store, self.bundle, self.clock)

    def journey(self) -> Journey:
        return Journey(self.store, self.bundle, self.clock)

    def privacy(self) -> Privacy:
        return Privacy(self.store)

    def delivery(self, client: WebClient) -> SlackDelivery:
        return SlackDelivery(client, self.store, self.bundle)
