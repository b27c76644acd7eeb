"""Members control their data: an export of everything stored about them, and deletion on request."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store.interfaces import CoachStore
from flows.actions import ListItemsForgotten
from flows.outcomes import ExportFile, ForgetConfirm, Notice, Outcome
from flows.plan_outcomes import PlanCanvasesForgotten
from flows.values import MemberKey


def queued_reply(row: dict[str, Any]) -> dict[str, Any]:
    """A reply still waiting to be sent, as its row keeps it (plain JSON), without which server
    process has it in hand; a row an earlier release pickled shows as ``null``."""
    payload = row.pop("payload")
    for operational in ("owner", "claimed_at", "not_before"):
        row.pop(operational, None)
    try:
        row["reply"] = json.loads(payload)
    except ValueError:
        row["reply"] = None
    return row


class Privacy:
    def __init__(self, store: CoachStore) -> None:
        self.store = store

    def export(self, member: MemberKey, now: datetime) -> list[Outcome]:
        data = {"exported_at": now.isoformat(), "team_id": member.team_id, "user_id": member.user_id}
        stored = self.store.export_member(member)
        stored["outbox"] = [queued_reply(row) for row in stored["outbox"]]
        data.update(stored)
        content = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
        return [ExportFile(filename=f"coach-data-{member.user_id}.json", content=content)]

    def ask_to_forget(self) -> list[Outcome]:
        return [ForgetConfirm()]

    def forget(self, member: MemberKey) -> list[Outcome]:
        """Delete everything of the member's; a second click on the old confirmation finds nothing and says so."""
        canvases = self.store.plans.canvas_ids(member)  # read first: the rows go with the rest
        list_id, items = self.store.actions.list_items(member)
        known = self.store.member(member) is not None or bool(canvases or items)
        self.store.forget_member(member)
        listed = [ListItemsForgotten(list_id, items)] if list_id and items else []
        said = Notice("forgotten" if known else "forgotten_already")
        return [*([PlanCanvasesForgotten(canvases)] if canvases else []), *listed, said]
