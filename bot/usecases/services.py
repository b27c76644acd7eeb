"""The use cases the listeners call, wired once per app to the store, the content and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.oauth.installation_store import InstallationStore

from bot.store.interfaces import CoachStore
from bot.usecases.actions import Actions
from bot.usecases.assessment import Coach
from bot.usecases.conversation import Conversation
from bot.usecases.home import home_tab
from bot.usecases.journey import Journey
from bot.usecases.plan import Plans
from bot.usecases.privacy import Privacy
from bot.usecases.profiles import Profiles
from bot.usecases.report import Reports
from bot.usecases.workspaces import Workspaces
from flows.content import Bundle, language_for, load_bundle
from flows.outcomes import HomeTab
from flows.understanding import stranger_language
from flows.values import Clock, MemberKey


@dataclass(frozen=True)
class Services:
    store: CoachStore
    bundle: Bundle  # the default language's, for whatever is not addressed to one member
    clock: Clock
    installations: InstallationStore | None = None  # OAuth mode: the workspaces' tokens

    def bundle_for(self, member: MemberKey) -> Bundle:
        return self.profiles().bundle_for(member)

    def coach(self, member: MemberKey | None = None) -> Coach:
        """The member's language only matters for reading what they type; a click is the same in any."""
        bundle = self.bundle_for(member) if member is not None else self.bundle
        return Coach(self.store, bundle, self.clock)

    def conversation(self, member: MemberKey, text: str = "") -> Conversation:
        """What the member types in their DM, read in their language against what was last asked; for
        someone the coach keeps nothing of, in the language in which ``text`` asks for something."""
        row = self.store.member(member)  # read once: every typed DM comes this way
        known = language_for(row.locale, row.language) if row is not None else None
        return Conversation(self.store, load_bundle(known or stranger_language(text, self.bundle.locale)), self.clock)

    def journey(self) -> Journey:
        """The journey's content choices (quiz questions, tip counts) are the same in every locale."""
        return Journey(self.store, self.bundle, self.clock)

    def actions(self, member: MemberKey) -> Actions:
        return Actions(self.store, self.bundle_for(member), self.clock)

    def privacy(self) -> Privacy:
        return Privacy(self.store)

    def profiles(self) -> Profiles:
        return Profiles(self.store)

    def reports(self, member: MemberKey) -> Reports:
        return Reports(self.store, self.bundle_for(member), self.clock)

    def workspaces(self) -> Workspaces:
        return Workspaces(self.store, self.installations, self.clock)

    def plans(self, member: MemberKey) -> Plans:
        return Plans(self.store, self.bundle_for(member), self.clock)

    def home_tab(self, member: MemberKey) -> HomeTab:
        return home_tab(self.store, self.bundle, member)
