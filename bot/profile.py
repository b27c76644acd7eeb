"""What Slack knows about a member that the coach needs: time zone, locale, and whether they left."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.slack_errors import SLACK_FAILURES, describe
from bot.store import MemberKey, Store

log = logging.getLogger(__name__)


def refresh_profile(client: WebClient, store: Store, member: MemberKey) -> dict[str, Any] | None:
    """Read ``users.info`` and remember the member's zone and locale; None if Slack would not say."""
    try:
        response = client.users_info(user=member.user_id, include_locale=True)
    except SLACK_FAILURES as error:  # a timeout too: the member is answered in the default language
        log.warning("users.info failed for %s: %s", member, describe(error))
        return None
    user: dict[str, Any] = response.get("user") or {}
    fields = {name: user[key] for name, key in (("tz", "tz"), ("locale", "locale")) if user.get(key)}
    if fields:
        store.update_member(member, **fields)
    return user
