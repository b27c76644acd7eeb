"""Opening the check-in settings modal, from the slash command or the App Home button."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.services import Services
from bot.slack_errors import SLACK_FAILURES, describe
from bot.store import MemberKey
from bot.views.journey import settings_modal

log = logging.getLogger(__name__)


def open_settings(services: Services, client: WebClient, member: MemberKey, trigger_id: str) -> None:
    services.store.ensure_member(member, services.clock())
    row = services.store.member(member)
    assert row is not None
    view = settings_modal(
        services.bundle_for(member), row.checkin_weekday, row.checkin_time, row.paused, row.share_with_admins
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.open failed for %s: %s", member, describe(error))
