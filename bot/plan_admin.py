"""``/coach plan #channel [@member]``: an owner or admin publishes a plan as a channel canvas, their
own or that of a member who chose to share with admins."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.plan_canvas import PlanPublisher
from bot.plan_store import PlanStore
from bot.report import CHANNEL_MENTION, is_admin
from bot.store import MemberKey
from flows.plan_outcomes import PlanNotice

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def publish_plan(services: Services, client: WebClient, admin: MemberKey, args: list[str]) -> PlanNotice:
    try:
        user = client.users_info(user=admin.user_id).get("user") or {}
    except SlackApiError as error:
        log.warning("users.info failed for %s: %s", admin, error.response.get("error"))
        return PlanNotice("publish_failed", {"channel": "?"})
    if not is_admin(user):
        return PlanNotice("publish_not_admin")
    channel_match = CHANNEL_MENTION.match(args[0]) if args else None
    member_match = USER_MENTION.match(args[1]) if len(args) == 2 else None
    if channel_match is None or len(args) > 2 or (len(args) == 2 and member_match is None):
        return PlanNotice("publish_bad_channel")
    channel = channel_match.group(1)
    owner = admin
    if member_match is not None and member_match.group(1) != admin.user_id:
        owner = MemberKey(admin.team_id, member_match.group(1))
        row = services.store.member(owner)
        if row is None or not row.share_with_admins:
            return PlanNotice("publish_not_shared")
    answers = PlanStore(services.store).answers(owner)
    if not answers:
        return PlanNotice("publish_empty")
    publisher = PlanPublisher(client, services.store, services.bundle_for(owner), services.clock())
    published = publisher.channel_plan(owner, channel, answers)
    return PlanNotice("publish_done" if published else "publish_failed", {"channel": channel})
