"""Puts a member's actions in a Slack List: made the first time (one text, people, date and checkbox
column each), shared with the member, one item per action, its checkbox ticked once done.

Lists are for paid workspaces: where Slack refuses to make one, that is reported (``ActionListed``
with ``refused``) and the actions go in the plan canvas instead. Like ``bot.slack.canvases``, this
only talks to the Web API and reports back; a use case keeps what it learned.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.slack.errors import SLACK_FAILURES, SlackFault, classify, error_code
from flows.actions import ActionListed, ActionListSync, ListItemsForgotten
from flows.content import Bundle

log = logging.getLogger(__name__)
COLUMNS = (("title", "text"), ("owner", "user"), ("due", "date"), ("done", "checkbox"))


def _text(text: str) -> list[dict[str, Any]]:
    """A text cell: Slack takes even plain text in a List as rich text."""
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "elements": [section]}]


class ListPublisher:
    def __init__(self, client: WebClient, bundle: Bundle) -> None:
        self.client = client
        self.bundle = bundle

    def sync(self, sync: ActionListSync) -> ActionListed:
        """The List made if need be, and the action's item created or its checkbox set."""
        listed = ActionListed(sync.team_id, sync.user_id, sync.action.id, sync.list_id, sync.columns)
        if sync.list_id is None:
            try:
                listed = self._create(sync)
            except SLACK_FAILURES as error:
                if classify(error) is not SlackFault.REFUSED:
                    raise
                log.info("no Slack List for %s (%s): actions go in the canvas", sync.user_id, error_code(error))
                return ActionListed(sync.team_id, sync.user_id, sync.action.id, refused=True)
        assert listed.list_id is not None
        columns, action = listed.columns, sync.action
        done: dict[str, Any] = {"column_id": columns["done"], "checkbox": action.status == "done"}
        if action.item_id is None:
            fields: list[dict[str, Any]] = [
                {"column_id": columns["title"], "rich_text": _text(action.title)},
                {"column_id": columns["owner"], "user": [action.owner_id]},
                {"column_id": columns["due"], "date": [action.due]},
                done,
            ]
            answer = self.client.slackLists_items_create(list_id=listed.list_id, initial_fields=fields)
            return ActionListed(**{**listed.__dict__, "item_id": str(answer["item"]["id"])})
        cell = {"row_id": action.item_id, **done}
        self.client.slackLists_items_update(list_id=listed.list_id, cells=[cell])
        return ActionListed(**{**listed.__dict__, "item_id": action.item_id})

    def _create(self, sync: ActionListSync) -> ActionListed:
        messages = self.bundle.messages
        schema: list[dict[str, Any]] = [
            {"key": key, "name": messages.text(f"list_column_{key}"), "type": kind} for key, kind in COLUMNS
        ]
        schema[0]["is_primary_column"] = True  # the title: a List's first column must be text
        answer = self.client.slackLists_create(name=messages.text("list_name"), schema=schema)
        list_id = str(answer["list_id"])
        columns = {str(c["key"]): str(c["id"]) for c in answer["list_metadata"]["schema"]}
        try:
            self.client.slackLists_access_set(list_id=list_id, access_level="write", user_ids=[sync.user_id])
        except SLACK_FAILURES as error:
            log.warning("slackLists.access.set failed for %s: %s", sync.user_id, error_code(error))
        return ActionListed(sync.team_id, sync.user_id, sync.action.id, list_id, columns)


def delete_items(client: WebClient, forgotten: ListItemsForgotten) -> None:
    """``/coach forget`` takes the member's List items out of Slack too; one failure stops none."""
    for item_id in forgotten.item_ids:
        try:
            client.slackLists_items_delete(list_id=forgotten.list_id, id=item_id)
        except SLACK_FAILURES as error:
            log.warning("could not delete List item %s: %s", item_id, error_code(error))
