"""What the coach knows of a member from Slack (time zone, locale) and the language it coaches them in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.interfaces import CoachStore
from flows.content import LANGUAGES, Bundle, language_for, load_bundle
from flows.outcomes import Notice, Outcome
from flows.values import MemberKey

PROFILE_FIELDS = ("tz", "locale")


@dataclass(frozen=True)
class Contact:
    """How to reach a member, as far as the coach knows already: their language and their DM."""

    bundle: Bundle | None  # None: Slack is asked first (``users.info``)
    dm_channel: str | None  # None: Slack opens it first (``conversations.open``)


class Profiles:
    def __init__(self, store: CoachStore) -> None:
        self.store = store

    def bundle_for(self, member: MemberKey) -> Bundle:
        """The member's language: their own choice, else their Slack locale, else the default."""
        row = self.store.member(member)
        return load_bundle(language_for(row.locale, row.language) if row is not None else language_for(None))

    def contact(self, member: MemberKey) -> Contact:
        """The member's language and DM where the coach knows them, in one read."""
        row = self.store.member(member)
        if row is None:
            return Contact(None, None)
        known = row.language or row.locale
        return Contact(load_bundle(language_for(row.locale, row.language)) if known else None, row.dm_channel or None)

    def learn(self, member: MemberKey, profile: Mapping[str, Any] | None) -> Bundle:
        """Remember what Slack said of the member (``users.info``) and return their language.

        Someone with no row yet (a first ``/coach help``, or a member who just asked to be forgotten)
        is answered in their Slack language without storing anything about them. Without a profile
        (Slack did not answer) the default language is used this once.
        """
        profile = profile or {}
        row = self.store.member(member)
        said = {name: profile[name] for name in PROFILE_FIELDS if isinstance(profile.get(name), str) and profile[name]}
        learned = {name: value for name, value in said.items() if row is None or getattr(row, name) != value}
        if learned and row is not None:  # only what changed: a new time zone reschedules the check-in
            self.store.update_member(member, **learned)
            row = self.store.member(member)
        if row is not None and (row.language or row.locale):
            return load_bundle(language_for(row.locale, row.language))
        return load_bundle(language_for(learned.get("locale")))

    def remember_dm(self, member: MemberKey, channel: str) -> None:
        """Where the member's DM is, once Slack opened it (nothing is kept for someone forgotten)."""
        if self.store.member(member) is not None:
            self.store.update_member(member, dm_channel=channel)

    def saw_home(self, member: MemberKey, now: datetime) -> None:
        """The member opened App Home (at least once): the sender keeps it current from then on."""
        if not self.store.has_seen_home(member):
            self.store.saw_home(member, now)

    def keeps_home(self, member: MemberKey) -> bool:
        """Whether the member has looked at App Home (``bot.sending.landing.republishes_home`` says
        when that matters)."""
        return self.store.has_seen_home(member)

    def stop(self, member: MemberKey, reason: str) -> None:
        """Slack says the member is gone (deactivated, unknown): nothing more is sent to them."""
        if self.store.member(member) is not None:
            self.store.deactivate_member(member, reason)

    def choose_language(self, member: MemberKey, code: str | None, now: datetime) -> list[Outcome]:
        choice = (code or "").lower()
        if choice not in LANGUAGES:
            return [Notice("language_unknown", {"choices": ", ".join(LANGUAGES)})]
        self.store.ensure_member(member, now)  # a first command may be this one
        self.store.update_member(member, language=choice)
        return [Notice("language_set")]
