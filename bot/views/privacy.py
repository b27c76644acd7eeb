"""The deletion question, with Slack's own confirmation dialog on the button."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject

from bot.views.common import Rendered, section
from flows.content import Bundle

FORGET_ACTION = "forget_confirm"


def forget_confirm(bundle: Bundle) -> Rendered:
    messages = bundle.messages
    text = messages.text("forget_question")
    button = ButtonElement(
        text=messages.text("button_forget"),
        action_id=FORGET_ACTION,
        value="forget",
        style="danger",
        confirm=ConfirmObject(
            title=messages.text("forget_confirm_title"),
            text=messages.text("forget_confirm_text"),
            confirm=messages.text("forget_confirm_yes"),
            deny=messages.text("forget_confirm_no"),
            style="danger",
        ),
    )
    return Rendered(text=text, blocks=(section(text), ActionsBlock(elements=[button])))
