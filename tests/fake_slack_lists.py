"""Slack Lists in the fake Slack, as Slack documents them: ``slackLists.create`` (a schema of columns
by key; the answer gives each column's id in ``list_metadata.schema``), ``slackLists.access.set``,
``slackLists.items.create`` (``initial_fields`` by column id), ``slackLists.items.update`` (``cells``
by ``row_id`` and column id) and ``slackLists.items.delete``. Tests read ``items`` of a List by key."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any


class FakeLists:
    def __init__(self) -> None:
        self.lists: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        args = {k: json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v for k, v in args.items()}
        with self._lock:
            if method == "slackLists.create":
                return self._create(args)
            found = self.lists.get(str(args.get("list_id")))
            if found is None:
                return {"ok": False, "error": "list_not_found"}
            if method == "slackLists.access.set":
                found["shared_with"] = list(args.get("user_ids") or [])
                return {"ok": True}
            return self._item(method, found, args)

    def _create(self, args: dict[str, Any]) -> dict[str, Any]:
        list_id = f"F0LIST{next(self._ids):04d}"
        schema = [{**column, "id": f"Col{next(self._ids):06d}"} for column in args.get("schema") or []]
        self.lists[list_id] = {"name": args.get("name"), "schema": schema, "items": {}, "shared_with": []}
        return {"ok": True, "list_id": list_id, "list_metadata": {"schema": schema}}

    def _item(self, method: str, found: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
        items: dict[str, dict[str, Any]] = found["items"]
        if method == "slackLists.items.create":
            item_id = f"Rec{next(self._ids):06d}"
            items[item_id] = {field["column_id"]: _value(field) for field in args.get("initial_fields") or []}
            return {"ok": True, "item": {"id": item_id, "list_id": args.get("list_id")}}
        if method == "slackLists.items.update":
            for cell in args.get("cells") or []:
                if cell.get("row_id") not in items:
                    return {"ok": False, "error": "item_not_found"}
                items[cell["row_id"]][cell["column_id"]] = _value(cell)
            return {"ok": True}
        if method == "slackLists.items.delete":
            gone = items.pop(str(args.get("id")), None) is None
            return {"ok": False, "error": "item_not_found"} if gone else {"ok": True}
        return {"ok": False, "error": "unknown_method"}

    def items(self, list_id: str) -> list[dict[str, Any]]:
        """A List's items, each as ``{column key: value}``."""
        with self._lock:
            found = self.lists[list_id]
            keys = {column["id"]: column["key"] for column in found["schema"]}
            return [{keys[c]: v for c, v in item.items()} for item in found["items"].values()]


def _value(field: dict[str, Any]) -> Any:
    for kind in ("rich_text", "user", "date", "checkbox"):
        if kind in field:
            value = field[kind]
            if kind == "rich_text":
                return "".join(e.get("text", "") for block in value for s in block["elements"] for e in s["elements"])
            return value
    return None
