"""What becomes of an outbox row once Slack has answered: landed, tried again later, dropped, or the
member or the workspace stopped; and the check a scheduled message passes just before it is sent.
Each fate is one transaction (joining the one that records where the row's last message landed, when
there is one)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sending.holds import WorkspaceHolds
from bot.sending.outbox import MAX_ATTEMPTS, Reply, backoff
from bot.sending.progress import Progress, timed_out
from bot.slack.client import never_sent
from bot.slack.delivery import SlackDelivery
from bot.slack.errors import SlackFault, classify, describe, error_code, rate_limit_wait
from bot.store import OutboxRow
from bot.store.interfaces import CoachStore
from bot.usecases.report import is_admin
from bot.usecases.services import Services
from flows.values import MemberKey

log = logging.getLogger(__name__)


class RowFates:
    services: Services
    store: CoachStore
    wall_clock: Callable[[], float]
    holds: WorkspaceHolds

    def _after_failure(
        self, row: OutboxRow, reply: Reply, progress: Progress, error: SlackApiError | OSError
    ) -> Callable[[], None]:
        """What a Slack failure means for the row: look it up later, try again, stop, or drop it."""
        if (wait := rate_limit_wait(error)) is not None:  # Slack did nothing; the workspace waits
            until = self.wall_clock() + wait
            log.info("outbox row %d: workspace %s rate limited for %.0f s", row.id, row.member.team_id, wait)
            self.holds.hold(row.member.team_id, until)
            return partial(self.store.retry_outbox_row, row.id, progress.step, until)
        if timed_out(error) or (classify(error) is SlackFault.UNCERTAIN and not never_sent(error)):
            # Slack may have acted (a timeout, or a connection that closed before its answer): the
            # DM's history says whether it did before anything is sent again.
            log.warning(
                "outbox row %d step %d got no answer (%s); recovery looks for it",
                row.id,
                progress.step,
                describe(error),
            )
            return partial(self.store.mark_outbox_uncertain, row.id, progress.step)
        match classify(error):
            case SlackFault.TRANSIENT | SlackFault.UNCERTAIN:
                return partial(self._give_back, row, reply, progress.step, describe(error))
            case SlackFault.GONE_MEMBER:
                log.warning("member %s stopped: Slack answered %s", row.member, error_code(error))
                return partial(self._member_gone, row, reply, error_code(error))
            case SlackFault.REVOKED_WORKSPACE:
                # The token is dead, not the message: it waits for the workspace to be back (a new token).
                log.warning("workspace %s stopped: Slack answered %s", row.member.team_id, error_code(error))
                return partial(self._workspace_stopped, row, reply, progress.step, error_code(error))
        log.warning("dropped outbox row %d at step %d: Slack answered %s", row.id, progress.step, describe(error))
        return partial(self._drop, row, reply, error_code(error))

    def _still_wanted(self, client: WebClient, row: OutboxRow, reply: Reply) -> bool:
        """A scheduled message asks Slack first: a DM only to a member Slack still has (their time zone
        and language learned afresh), a channel digest only while its creator is an owner or admin."""
        if reply.kind is None:
            return True
        try:
            user = client.users_info(user=row.member.user_id, include_locale=True).get("user") or {}
        except SlackApiError as error:
            if classify(error) is not SlackFault.GONE_MEMBER:
                return True  # the send itself will meet whatever this was, and be handled as a send
            user = {"deleted": True}
        if reply.channel is None:
            if user.get("deleted"):
                log.warning("member %s stopped: Slack says they are gone", row.member)
                self.services.profiles().stop(row.member, "deactivated")
                return False
            self.services.profiles().learn(row.member, user)
            return True
        if is_admin(user) and not user.get("deleted"):
            return True
        log.warning("digest in %s stopped: %s is no longer an admin", reply.channel, row.member.user_id)
        self.services.reports(row.member).stop_digest(row.member.team_id, reply.channel)
        return False

    def _publish_home(self, delivery: SlackDelivery, member: MemberKey) -> None:
        delivery.publish_home(member.user_id, self.services.home_tab(member))

    # The row's fate (each one transaction)

    def _landed(self, row: OutboxRow, reply: Reply, progress: Progress) -> None:
        with nullcontext() if reply.send_key is None else self.store.unit_of_work():  # one statement needs none
            progress.queued_behind = self.store.finish_outbox_row(row.id)
            if reply.send_key is None:
                return
            if progress.last is None and progress.refused:  # Slack refused it for good (logged)
                self.store.mark_failed(reply.send_key, "refused")
            else:  # landed now, or found in the DM's history after a crash or a timeout
                last = progress.last
                channel, ts = (last.channel, last.ts) if last is not None else (reply.channel or "", "")
                self.store.mark_sent(reply.send_key, channel, ts, self.services.clock())

    def _drop(self, row: OutboxRow, reply: Reply | None, reason: str) -> None:
        with self.store.unit_of_work():
            self.store.finish_outbox_row(row.id)
            if reply is not None and reply.send_key is not None:
                self.store.mark_failed(reply.send_key, reason)

    def _member_gone(self, row: OutboxRow, reply: Reply, reason: str) -> None:
        with self.store.unit_of_work():
            self.services.profiles().stop(row.member, reason)
            self._drop(row, reply, reason)

    def _workspace_stopped(self, row: OutboxRow, reply: Reply, step: int, reason: str) -> None:
        with self.store.unit_of_work():
            self.services.workspaces().stop(row.member.team_id, reason)
            self._give_back(row, reply, step, reason)

    def _give_back(self, row: OutboxRow, reply: Reply | None, step: int, reason: str) -> None:
        if row.attempts >= MAX_ATTEMPTS:
            log.warning("dropped outbox row %d after %d attempts: %s", row.id, row.attempts, reason)
            self._drop(row, reply, reason)
            return
        delay = backoff(row.attempts)
        log.info("outbox row %d: %s; trying again in %.0f s", row.id, reason, delay)
        self.store.retry_outbox_row(row.id, step, self.wall_clock() + delay)
