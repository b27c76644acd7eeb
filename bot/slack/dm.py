"""Which sends arrived in a DM.

Every message the coach sends on its own (a scheduled check-in, a queued reply) carries its send key
as message metadata, so after a crash or a timed-out call the DM's history tells whether it arrived.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

METADATA_EVENT = "coach_send"
HISTORY_LOOKED_AT = 20  # the latest messages of a DM that a recovery looks through


def send_metadata(key: str) -> dict[str, Any]:
    """Message metadata carrying a send's key, so a send whose outcome is unknown can be looked up."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def delivered_keys(client: WebClient, channel: str, limit: int = HISTORY_LOOKED_AT) -> dict[str, str]:
    """The send keys found in the channel's latest messages, each with its message's ts. Slack's
    failures are the caller's to classify (a passing one means: look again later)."""
    history = client.conversations_history(channel=channel, limit=limit, include_all_metadata=True)
    found: dict[str, str] = {}
    for message in history.get("messages") or []:
        metadata = message.get("metadata") if isinstance(message, dict) else None
        payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
        key = payload.get("key") if isinstance(payload, dict) else None
        if isinstance(metadata, dict) and metadata.get("event_type") == METADATA_EVENT and isinstance(key, str):
            found[key] = str(message.get("ts", ""))
    return found
