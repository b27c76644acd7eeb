"""Which language each member is coached in, and switching it with ``/coach language``."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.profile import refresh_profile
from bot.store import Store
from flows.content import LANGUAGES, Bundle, language_for, load_bundle
from flows.outcomes import Notice, Outcome
from flows.values import MemberKey


def bundle_for(store: Store, member: MemberKey) -> Bundle:
    row = store.member(member)
    if row is None:
        return load_bundle()
    return load_bundle(language_for(row.locale, row.language))


def learn_language(store: Store, client: WebClient, member: MemberKey) -> Bundle:
    """The member's bundle, asking Slack for their locale (``users.info``) the first time it is needed.

    Someone with no row yet (a first ``/coach help``, or a member who just asked to be forgotten) is
    answered in their Slack language without storing anything about them.
    """
    row = store.member(member)
    if row is not None and (row.language or row.locale):
        return load_bundle(language_for(row.locale, row.language))
    user = refresh_profile(client, store, member) or {}
    return load_bundle(language_for(user.get("locale") if isinstance(user.get("locale"), str) else None))


def choose_language(store: Store, member: MemberKey, code: str | None) -> list[Outcome]:
    choice = (code or "").lower()
    if choice not in LANGUAGES:
        return [Notice("language_unknown", {"choices": ", ".join(LANGUAGES)})]
    store.update_member(member, language=choice)
    return [Notice("language_set")]
