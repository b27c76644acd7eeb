"""Claims left behind by a process that died mid-send (or whose send timed out): each scheduled
message carries its send key as message metadata, so the DM's history tells whether it arrived. If it
did, the claim is marked sent; if not, it is released and the due work offers it again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient

from bot.schedule.fanout import ClientFor, TickReport
from bot.sending.policy import owner_is_gone
from bot.slack.dm import delivered_keys
from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, describe, error_code
from bot.store import Store
from flows.values import MemberKey

log = logging.getLogger(__name__)


class OrphanRecovery:
    def __init__(self, store: Store, client_for: ClientFor, owner: str, wall_clock: Callable[[], float]) -> None:
        self.store = store
        self.client_for = client_for
        self.owner = owner
        self.wall_clock = wall_clock

    def recover(self, now: datetime, report: TickReport) -> None:
        wall_now = self.wall_clock()
        for claim in self.store.pending_sends():
            claimed_at = datetime.fromisoformat(claim["claimed_at"])
            if not owner_is_gone(claim["owner"] or "", claimed_at, now, claim.get("lease_until"), wall_now):
                continue
            if not self.store.claim_orphan(claim["key"], claim["owner"], self.owner):
                continue
            client = self.client_for(claim["team_id"])
            member = MemberKey(claim["team_id"], claim["user_id"])
            try:
                delivered = client is not None and self._find_delivered(client, member, claim["key"])
            except SLACK_FAILURES as error:
                # One DM history Slack would not show must not stop the tick. A passing failure: look
                # again next time. Refused for good: give the send up rather than risk sending it twice.
                log.warning("could not read %s's DM history: %s", member, describe(error))
                if classify(error) in (SlackFault.TRANSIENT, SlackFault.UNCERTAIN):
                    self.store.mark_uncertain(claim["key"])
                else:
                    self.store.mark_failed(claim["key"], error_code(error))
                continue
            if delivered:
                channel, ts = delivered
                self.store.mark_sent(claim["key"], channel, ts, now)
                self.store.clear_retry(claim["key"])
                report.add(recovered=1)
            else:
                self.store.release_send(claim["key"])  # never arrived: the due members below offer it again

    def _find_delivered(self, client: WebClient, member: MemberKey, key: str) -> tuple[str, str] | None:
        row = self.store.member(member)
        if row is None or not row.dm_channel:
            return None
        ts = delivered_keys(client, row.dm_channel).get(key)
        return (row.dm_channel, ts) if ts is not None else None
