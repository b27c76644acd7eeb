"""Talks to the Slack Web API for one member: sends rendered outcomes, reads their profile.

Delivery decides nothing and writes nothing: it renders, sends, and reports back what landed
(``Posted``), for the use cases to remember (where a question was posted, that a check-in went out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.slack.canvases import PlanPublisher, delete_canvases
from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, describe
from bot.slack.lists import ListPublisher, delete_items
from bot.views.actions import action_modal
from bot.views.home import home_view
from bot.views.journey import settings_modal
from bot.views.render import rendered_message
from flows.actions import ActionForm, ActionListed, ActionListSync, ListItemsForgotten
from flows.content import Bundle
from flows.outcomes import (
    AskBackClosed,
    ChannelReport,
    CheckinClosed,
    Closed,
    ExportFile,
    HomeTab,
    Notice,
    Outcome,
    SettingsForm,
)
from flows.plan_outcomes import PlanCanvasesForgotten, PlanDocument, PlanPlaced

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    """An outcome Slack accepted as a new message, and where it is."""

    outcome: Outcome
    channel: str
    ts: str
    placed: PlanPlaced | None = None  # a plan document: the canvas it now lives in
    listed: ActionListed | None = None  # an action: its List and item


class SlackDelivery:
    def __init__(self, client: WebClient, bundle: Bundle) -> None:
        self.client = client
        self.bundle = bundle

    def open_dm(self, user_id: str) -> str:
        response = self.client.conversations_open(users=user_id)
        channel: str = response["channel"]["id"]
        return channel

    def fetch_profile(self, user_id: str) -> dict[str, Any] | None:
        """The member's Slack profile (``users.info``), or None when Slack would not say."""
        try:
            response = self.client.users_info(user=user_id, include_locale=True)
        except SLACK_FAILURES as error:
            log.warning("users.info failed for %s: %s", user_id, describe(error))
            return None
        user: dict[str, Any] = response.get("user") or {}
        return user

    def deliver(
        self,
        channel: str,
        outcomes: Sequence[Outcome],
        clicked: tuple[str, str] | None = None,
        landed: Callable[[Posted], None] = lambda _posted: None,
    ) -> list[Posted]:
        """Post each outcome; a Slack failure on one is logged and the rest still go out.

        State is already saved before this runs, so a lost message never loses progress: the member
        can type ``status`` or run ``/coach`` to see the open question again. ``clicked`` is the
        (channel, ts) of the message whose button led here, for outcomes that replace it. ``landed``
        hears of each new message as soon as Slack has it, before the next outcome is sent, so where
        a question landed is known by the time the member can answer it.
        """
        posted: list[Posted] = []
        for outcome in outcomes:
            try:
                post = self.send(channel, outcome, clicked)
            except SLACK_FAILURES as error:
                log.warning("Slack refused %s for %s: %s", type(outcome).__name__, channel, describe(error))
                continue
            if post is not None:
                landed(post)
                posted.append(post)
        return posted

    def send(
        self,
        channel: str,
        outcome: Outcome,
        clicked: tuple[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Posted | None:
        """Send one outcome; Slack's failures propagate. ``metadata`` goes with a new message."""
        text, blocks = rendered_message(self.bundle, outcome)
        replaced = (outcome.prompt_channel, outcome.prompt_ts) if isinstance(outcome, Closed) else clicked
        if isinstance(outcome, Closed | CheckinClosed | AskBackClosed):
            if replaced is not None and replaced[0] and replaced[1]:
                self.client.chat_update(channel=replaced[0], ts=replaced[1], text=text, blocks=blocks)
            return None
        if isinstance(outcome, PlanDocument):
            placed = PlanPublisher(self.client, self.bundle).member_plan(outcome, channel)
            return Posted(outcome, channel, "", placed) if placed is not None else None
        if isinstance(outcome, ActionListSync):
            return Posted(outcome, channel, "", listed=ListPublisher(self.client, self.bundle).sync(outcome))
        if isinstance(outcome, ListItemsForgotten):
            delete_items(self.client, outcome)
            return None
        if isinstance(outcome, PlanCanvasesForgotten):
            delete_canvases(self.client, outcome.canvas_ids)
            return None
        if isinstance(outcome, ExportFile):
            self.client.files_upload_v2(
                channel=channel,
                filename=outcome.filename,
                content=outcome.content,
                title=self.bundle.messages.text("export_title"),
                initial_comment=text,
            )
            return None
        target = outcome.channel_id if isinstance(outcome, ChannelReport) else channel
        response = self.client.chat_postMessage(channel=target, text=text, blocks=blocks, metadata=metadata)
        return Posted(outcome, str(response["channel"]), str(response["ts"]))

    def post_channel_report(self, report: ChannelReport) -> bool | None:
        """Post the team report in its channel: True once posted, False when Slack refused it (not
        invited, no such channel), None when Slack did not say (a timeout: it may be there). A rate
        limit or a passing fault propagates, so the sender tries again later."""
        try:
            return self.send(report.channel_id, report) is not None
        except SLACK_FAILURES as error:
            if classify(error) is SlackFault.TRANSIENT:
                raise
            log.warning("the team report in %s: %s", report.channel_id, describe(error))
            return None if classify(error) is SlackFault.UNCERTAIN else False

    def publish_home(self, user_id: str, tab: HomeTab) -> None:
        try:
            self.client.views_publish(user_id=user_id, view=home_view(self.bundle, tab))
        except SLACK_FAILURES as error:
            log.warning("views.publish failed for %s: %s", user_id, describe(error))

    def open_settings(self, trigger_id: str, form: SettingsForm, member_id: str) -> None:
        view = settings_modal(self.bundle, form.weekday, form.time, form.paused, form.share, form.paused_until)
        self.open_modal(trigger_id, view, member_id)

    def open_action_form(self, trigger_id: str, form: ActionForm, member_id: str) -> None:
        self.open_modal(trigger_id, action_modal(self.bundle, form), member_id)

    def open_modal(self, trigger_id: str, view: View, member_id: str) -> None:
        """Open a modal; when Slack will not (the click's trigger expired, a hiccup), tell the member in
        their DM to click again, so the button is never dead. When Slack's answer was lost (the form
        may be open), say only that it was not confirmed."""
        try:
            self.client.views_open(trigger_id=trigger_id, view=view)
        except SLACK_FAILURES as error:
            log.warning("views.open failed: %s", describe(error))
            said = "modal_uncertain" if classify(error) is SlackFault.UNCERTAIN else "modal_failed"
            try:
                self.deliver(self.open_dm(member_id), [Notice(said)])
            except SLACK_FAILURES as again:
                log.warning("could not tell %s the form did not open: %s", member_id, describe(again))
