"""Puts a plan document in Slack: the member's own canvas, edited in place on every change, or a
Markdown file in their DM where canvases are unavailable; and an admin's channel canvas.

This is the sending side (like ``bot.delivery``): it talks to the Web API and records where the
canvas lives. Plan answers never reach a log line, only Slack's error codes do.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.plan_store import PlanStore
from bot.store import MemberKey, Store
from bot.views.plan import slack_link
from flows.content import Bundle
from flows.plan_document import PlanAnswers, canvas_mention, message_mention, render_plan_markdown

log = logging.getLogger(__name__)
GONE = frozenset({"canvas_not_found", "canvas_deleted", "file_not_found", "file_deleted"})
FILENAME = "social-media-plan.md"


def _content(markdown: str) -> dict[str, str]:
    return {"type": "markdown", "markdown": markdown}


def _error(error: SlackApiError) -> str:
    return str(error.response.get("error"))


def canvas_url(client: WebClient, team_id: str, canvas_id: str) -> str:
    """The canvas's address in the workspace (``https://<workspace>.slack.com/docs/<team>/<canvas>``)."""
    try:
        base = str(client.auth_test().get("url") or "")
    except (SlackApiError, OSError):
        base = ""
    return f"{base or 'https://app.slack.com/'}docs/{team_id}/{canvas_id}"


class PlanPublisher:
    def __init__(self, client: WebClient, store: Store, bundle: Bundle, now: datetime) -> None:
        self.client = client
        self.plans = PlanStore(store)
        self.bundle = bundle
        self.now = now

    def _say(self, channel: str, key: str, **params: Any) -> None:
        """A short message; its failure is logged and never mistaken for canvases being unavailable."""
        try:
            self.client.chat_postMessage(channel=channel, text=self.bundle.plan.text(key, **params))
        except SlackApiError as error:
            log.warning("could not post %s in %s: %s", key, channel, _error(error))

    def member_plan(self, member: MemberKey, dm_channel: str, answers: PlanAnswers) -> None:
        """Edit the member's canvas in place, create it the first time, or fall back to a file."""
        try:
            self._member_canvas(member, dm_channel, render_plan_markdown(self.bundle.plan, answers, canvas_mention))
        except SlackApiError as error:
            log.info("no canvas for %s (%s): sending the plan as a Markdown file", member, _error(error))
            self._file(dm_channel, answers)

    def _member_canvas(self, member: MemberKey, dm_channel: str, markdown: str) -> None:
        title = self.bundle.plan.text("document_title")
        existing = self.plans.document(member)
        if existing is not None:
            try:
                self._replace(existing.canvas_id, markdown)
                self._say(dm_channel, "canvas_updated", link=slack_link(existing.link or "", title))
                return
            except SlackApiError as error:
                if _error(error) not in GONE:
                    raise
                self.plans.forget_document(member)  # the member deleted it: make a new one
        canvas_id = str(self.client.canvases_create(title=title, document_content=_content(markdown))["canvas_id"])
        link = canvas_url(self.client, member.team_id, canvas_id)
        self.plans.save_document(member, canvas_id, link, self.now)
        # Slack lets access be granted only once the canvas has been shared with the person.
        self._say(dm_channel, "canvas_ready", link=slack_link(link, title))
        try:
            self.client.canvases_access_set(canvas_id=canvas_id, access_level="write", user_ids=[member.user_id])
        except SlackApiError as error:
            log.warning("canvases.access.set failed for %s: %s", member, _error(error))

    def _replace(self, canvas_id: str, markdown: str) -> None:
        self.client.canvases_edit(
            canvas_id=canvas_id, changes=[{"operation": "replace", "document_content": _content(markdown)}]
        )

    def _file(self, dm_channel: str, answers: PlanAnswers) -> None:
        try:
            self.client.files_upload_v2(
                channel=dm_channel,
                filename=FILENAME,
                content=render_plan_markdown(self.bundle.plan, answers, message_mention),
                title=self.bundle.plan.text("file_title"),
                initial_comment=self.bundle.plan.text("file_fallback"),
            )
        except SlackApiError as error:
            log.warning("could not send the plan file to %s: %s", dm_channel, _error(error))

    def channel_plan(self, owner: MemberKey, channel: str, answers: PlanAnswers) -> bool:
        """An admin's ``/coach plan #channel``: the plan as that channel's canvas, edited if already there."""
        markdown = render_plan_markdown(self.bundle.plan, answers, canvas_mention)
        existing = self.plans.document(owner, channel)
        try:
            if existing is not None:
                try:
                    self._replace(existing.canvas_id, markdown)
                    return True
                except SlackApiError as error:
                    if _error(error) not in GONE:
                        raise
            response = self.client.conversations_canvases_create(
                channel_id=channel, document_content=_content(markdown), title=self.bundle.plan.text("document_title")
            )
        except SlackApiError as error:
            log.warning("could not publish a plan in %s: %s", channel, _error(error))
            return False
        canvas_id = str(response["canvas_id"])
        self.plans.save_document(owner, canvas_id, canvas_url(self.client, owner.team_id, canvas_id), self.now, channel)
        return True


def delete_canvases(client: WebClient, canvas_ids: tuple[str, ...]) -> None:
    """``/coach forget`` takes the member's plan canvases out of Slack too; one failure stops none."""
    for canvas_id in canvas_ids:
        try:
            client.canvases_delete(canvas_id=canvas_id)
        except SlackApiError as error:
            log.warning("could not delete canvas %s: %s", canvas_id, _error(error))
