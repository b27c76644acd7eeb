"""What the listeners need, built once per app: the store, the content and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore

from bot.coach import Coach
from bot.delivery import SlackDelivery
from bot.journey import Journey
from bot.languages import bundle_for, learn_language
from bot.privacy import Privacy
from bot.store import Store
from flows.content import Bundle
from flows.values import Clock, MemberKey


@dataclass(frozen=True)
class Services:
    store: Store
    bundle: Bundle  # the default language's, for whatever is not addressed to one member
    clock: Clock
    installations: InstallationStore | None = None  # OAuth mode: the workspaces' tokens

    def bundle_for(self, member: MemberKey) -> Bundle:
        return bundle_for(self.store, member)

    def coach(self, member: MemberKey | None = None) -> Coach:
        """The member's language only matters for reading what they type; a click is the same in any."""
        bundle = self.bundle_for(member) if member is not None else self.bundle
        return Coach(self.store, bundle, self.clock)

    def journey(self, member: MemberKey) -> Journey:
        return Journey(self.store, self.bundle_for(member), self.clock)

    def privacy(self) -> Privacy:
        return Privacy(self.store)

    def delivery(self, client: WebClient, member: MemberKey) -> SlackDelivery:
        """Talks to ``member`` in their language, learning it from Slack the first time."""
        return SlackDelivery(client, self.store, learn_language(self.store, client, member))
