"""Puts a plan document in Slack: the member's own canvas, edited in place on every change, or a
Markdown file in their DM where canvases are unavailable; and an admin's channel canvas.

This is the sending side (like ``bot.slack.delivery``): it talks to the Web API and reports where the
canvas is (``PlanPlaced``), for the plan use case to remember. Plan answers never reach a log line,
only Slack's error codes do.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.slack.canvas_parts import CanvasParts
from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, error_code
from bot.views.actions import checklist
from bot.views.assessment import progress_lines
from bot.views.plan import slack_link
from flows.canvas_parts import EXTRA_PARTS, CanvasPart, canvas_top, plan_parts
from flows.content import Bundle
from flows.plan_document import canvas_mention, message_mention, render_plan_markdown
from flows.plan_outcomes import ChannelPlan, PlanDocument, PlanPlaced

log = logging.getLogger(__name__)
GONE = frozenset({"canvas_not_found", "canvas_deleted", "file_not_found", "file_deleted"})
FILENAME = "social-media-plan.md"
# Seconds a canvas creation is waited for, however short SLACK_TIMEOUT is: Slack has no way to find a
# canvas whose answer was lost, so giving up early would make the next attempt a second canvas.
CREATE_TIMEOUT = 60


def patient(client: WebClient) -> WebClient:
    """The same client, waiting at least ``CREATE_TIMEOUT`` seconds for an answer."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=max(client.timeout, CREATE_TIMEOUT),
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )


def _content(markdown: str) -> dict[str, str]:
    return {"type": "markdown", "markdown": markdown}


def canvas_url(client: WebClient, team_id: str, canvas_id: str) -> str:
    """The canvas's address in the workspace (``https://<workspace>.slack.com/docs/<team>/<canvas>``)."""
    try:
        base = str(client.auth_test().get("url") or "")
    except SLACK_FAILURES:
        base = ""
    return f"{base or 'https://app.slack.com/'}docs/{team_id}/{canvas_id}"


class PlanPublisher:
    def __init__(self, client: WebClient, bundle: Bundle) -> None:
        self.client = client
        self.bundle = bundle

    def _say(self, channel: str, key: str, **params: Any) -> None:
        """A short message; its failure is logged and never mistaken for canvases being unavailable."""
        try:
            self.client.chat_postMessage(channel=channel, text=self.bundle.plan.text(key, **params))
        except SLACK_FAILURES as error:
            log.warning("could not post %s in %s: %s", key, channel, error_code(error))

    def member_plan(self, document: PlanDocument, dm_channel: str) -> PlanPlaced | None:
        """Edit the member's canvas in place, create it the first time, or fall back to a file (None)."""
        try:
            return self._member_canvas(document, dm_channel)
        except SLACK_FAILURES as error:
            if classify(error) in (SlackFault.TRANSIENT, SlackFault.UNCERTAIN):
                raise  # Slack had a bad moment: the outbox tries the canvas again, no file in between
            log.info("no canvas for %s (%s): sending the plan as a Markdown file", document.user_id, error_code(error))
            self._file(dm_channel, document)
            return None

    def _member_canvas(self, document: PlanDocument, dm_channel: str) -> PlanPlaced:
        title = self.bundle.plan.text("document_title")
        actions = checklist(self.bundle, document.actions, canvas_mention)
        progress = progress_lines(self.bundle, document)
        parts = plan_parts(self.bundle.plan, document.answers, canvas_mention, actions, progress)
        if document.canvas_id is not None and (edited := self._edited(document, parts, dm_channel)) is not None:
            return edited
        markdown = self._whole(document, parts)
        created = patient(self.client).canvases_create(title=title, document_content=_content(markdown))
        canvas_id = str(created["canvas_id"])
        link = canvas_url(self.client, document.team_id, canvas_id)
        # Slack lets access be granted only once the canvas has been shared with the person.
        self._say(dm_channel, "canvas_ready", link=slack_link(link, title))
        try:
            self.client.canvases_access_set(canvas_id=canvas_id, access_level="write", user_ids=[document.user_id])
        except SLACK_FAILURES as error:
            log.warning("canvases.access.set failed for %s: %s", document.user_id, error_code(error))
        written = {part.id: part.body for part in parts}
        return PlanPlaced(document.team_id, document.user_id, canvas_id, link, written=written)

    def _whole(self, document: PlanDocument, parts: tuple[CanvasPart, ...]) -> str:
        """The whole canvas: the plan, and the checklist of actions after it when there is one."""
        markdown = render_plan_markdown(self.bundle.plan, document.answers, canvas_mention)
        return markdown + "".join(f"\n{part.markdown}" for part in parts if part.id in EXTRA_PARTS)

    def _edited(self, document: PlanDocument, parts: tuple[CanvasPart, ...], dm_channel: str) -> PlanPlaced | None:
        """Edit only the coach's own parts of the member's canvas; None when the canvas is gone. A canvas
        from before the coach kept what it wrote there is replaced whole, once."""
        assert document.canvas_id is not None
        kept: tuple[CanvasPart, ...] = ()
        try:
            if document.written:
                top = canvas_top(self.bundle.plan)
                written, kept = CanvasParts(self.client, document.canvas_id).update(parts, document.written, top)
            elif self._replaced(document.canvas_id, self._whole(document, parts)):
                written = {part.id: part.body for part in parts}
            else:
                return None
        except SLACK_FAILURES as error:
            if error_code(error) not in GONE:
                raise
            return None
        link = slack_link(document.link or "", self.bundle.plan.text("document_title"))
        if kept:
            self._say(dm_channel, "canvas_kept", parts=", ".join(f"*{part.heading}*" for part in kept), link=link)
        else:
            self._say(dm_channel, "canvas_updated", link=link)
        return PlanPlaced(document.team_id, document.user_id, document.canvas_id, document.link or "", written=written)

    def _replaced(self, canvas_id: str, markdown: str) -> bool:
        """Replace a canvas's content; False when the canvas is gone (deleted by the member)."""
        try:
            self.client.canvases_edit(
                canvas_id=canvas_id, changes=[{"operation": "replace", "document_content": _content(markdown)}]
            )
        except SLACK_FAILURES as error:
            if error_code(error) not in GONE:
                raise
            return False
        return True

    def _file(self, dm_channel: str, document: PlanDocument) -> None:
        try:
            self.client.files_upload_v2(
                channel=dm_channel,
                filename=FILENAME,
                content=render_plan_markdown(self.bundle.plan, document.answers, message_mention),
                title=self.bundle.plan.text("file_title"),
                initial_comment=self.bundle.plan.text("file_fallback"),
            )
        except SLACK_FAILURES as error:
            log.warning("could not send the plan file to %s: %s", dm_channel, error_code(error))

    def channel_plan(self, plan: ChannelPlan) -> PlanPlaced | str:
        """An admin's ``/coach plan #channel``: the plan as that channel's canvas, or Slack's error code when
        it could not be. Published again, only the coach's own parts are edited (as in the member's canvas),
        so what people add there stays."""
        parts = plan_parts(self.bundle.plan, plan.answers, canvas_mention)
        try:
            written, kept = self._channel_edited(plan, parts)
            canvas_id = plan.canvas_id
            if written is None or canvas_id is None:
                markdown = render_plan_markdown(self.bundle.plan, plan.answers, canvas_mention)
                canvas_id = str(
                    patient(self.client).conversations_canvases_create(
                        channel_id=plan.channel_id,
                        document_content=_content(markdown),
                        title=self.bundle.plan.text("document_title"),
                    )["canvas_id"]
                )
                written = {part.id: part.body for part in parts}
        except SLACK_FAILURES as error:
            if classify(error) is SlackFault.TRANSIENT:  # a rate limit or a hiccup: the sender tries again
                raise
            log.warning("could not publish a plan in %s: %s", plan.channel_id, error_code(error))
            return error_code(error)
        link = canvas_url(self.client, plan.team_id, canvas_id)
        headings = tuple(part.heading for part in kept)
        return PlanPlaced(plan.team_id, plan.owner_id, canvas_id, link, plan.channel_id, written, headings)

    def _channel_edited(
        self, plan: ChannelPlan, parts: tuple[CanvasPart, ...]
    ) -> tuple[dict[str, str] | None, tuple[CanvasPart, ...]]:
        """The channel canvas's parts brought up to date, and those kept as a person left them; None when
        there is no canvas yet or it is gone. One published before the coach kept what it wrote there is
        replaced whole, once."""
        if plan.canvas_id is None:
            return None, ()
        try:
            if plan.written:
                top = canvas_top(self.bundle.plan)
                return CanvasParts(self.client, plan.canvas_id).update(parts, plan.written, top)
        except SLACK_FAILURES as error:
            if error_code(error) not in GONE:
                raise
            return None, ()
        markdown = render_plan_markdown(self.bundle.plan, plan.answers, canvas_mention)
        return ({part.id: part.body for part in parts} if self._replaced(plan.canvas_id, markdown) else None), ()

def delete_canvases(client: WebClient, canvas_ids: tuple[str, ...]) -> None:
    """``/coach forget`` takes the member's plan canvases out of Slack too; one failure stops none."""
    for canvas_id in canvas_ids:
        try:
            client.canvases_delete(canvas_id=canvas_id)
        except SLACK_FAILURES as error:
            log.warning("could not delete canvas %s: %s", canvas_id, error_code(error))
