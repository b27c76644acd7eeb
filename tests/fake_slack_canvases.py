"""Canvases in the fake Slack, as Slack documents them: a canvas is a run of sections (each heading,
paragraph or list item one section, with an id), ``canvases.sections.lookup`` finds sections by type
(``h1``, ``h2``, ``h3``, ``any_header``) and by the text they show (``contains_text``), and
``canvases.edit`` applies one operation per call (``insert_after``, ``insert_before``,
``insert_at_start``, ``insert_at_end``, ``replace`` of a section or of the whole canvas, ``delete``).

Tests also act as a person in Slack's canvas editor: ``person_adds`` and ``person_rewrites``.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass
from typing import Any

HEADER = re.compile(r"^(#{1,3})\s+")
MENTION = re.compile(r"!\[\]\(@([A-Z0-9]+)\)")
HEADER_TYPES = {"h1", "h2", "h3"}


@dataclass
class Section:
    id: str
    markdown: str

    @property
    def kind(self) -> str:
        match = HEADER.match(self.markdown)
        return f"h{len(match.group(1))}" if match else "paragraph"

    @property
    def shown(self) -> str:
        """The words the canvas shows: markup out, a mention as the person's name."""
        text = MENTION.sub(lambda m: f"@{m.group(1).lower()}", self.markdown)
        text = re.sub(r"^\s*(?:#{1,3}\s+|\d+\.\s+|[-*+]\s+(?:\[[ xX]\]\s+)?)", "", text)
        return re.sub(r"\\(.)|[*_~`]", lambda m: m.group(1) or "", text).strip()


class FakeCanvases:
    def __init__(self) -> None:
        self.documents: dict[str, list[Section]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _sections(self, markdown: str) -> list[Section]:
        return [Section(f"temp:C:{next(self._ids):08d}", line) for line in markdown.splitlines() if line.strip()]

    def text(self, canvas_id: str) -> str:
        with self._lock:
            return "\n\n".join(s.markdown for s in self.documents.get(canvas_id, []))

    # The Web API

    def create(self, canvas_id: str, content: Any) -> None:
        with self._lock:
            self.documents[canvas_id] = self._sections(_markdown(content))

    def delete(self, canvas_id: str) -> dict[str, Any]:
        with self._lock:
            return {"ok": True} if self.documents.pop(canvas_id, None) is not None else _error("canvas_not_found")

    def lookup(self, args: dict[str, Any]) -> dict[str, Any]:
        criteria = _json(args.get("criteria"))
        types, text = criteria.get("section_types"), criteria.get("contains_text")
        if not isinstance(criteria, dict) or (not types and not text):
            return _error("invalid_arguments")
        wanted = set(types or []) | (HEADER_TYPES if "any_header" in (types or []) else set())
        with self._lock:
            document = self.documents.get(str(args.get("canvas_id")))
            if document is None:
                return _error("canvas_not_found")
            found = [
                {"id": s.id}
                for s in document
                if (not types or s.kind in wanted) and (not text or str(text) in s.shown)
            ]
        return {"ok": True, "sections": found}

    def edit(self, args: dict[str, Any]) -> dict[str, Any]:
        changes = _json(args.get("changes"))
        if not isinstance(changes, list) or len(changes) != 1:  # one operation per call, as Slack allows
            return _error("invalid_arguments")
        with self._lock:
            document = self.documents.get(str(args.get("canvas_id")))
            if document is None:
                return _error("canvas_not_found")
            return self._apply(document, changes[0])

    def _apply(self, document: list[Section], change: dict[str, Any]) -> dict[str, Any]:
        operation, section_id = change.get("operation"), change.get("section_id")
        new = self._sections(_markdown(change.get("document_content")))
        index = next((i for i, s in enumerate(document) if s.id == section_id), None)
        if operation == "replace" and section_id is None:
            document[:] = new
        elif operation in ("insert_at_start", "insert_at_end"):
            document[0 if operation == "insert_at_start" else len(document) : 0] = new
        elif index is None:
            return _error("invalid_arguments")  # a section that is not (or no longer) in the canvas
        elif operation == "insert_after":
            document[index + 1 : index + 1] = new
        elif operation == "insert_before":
            document[index:index] = new
        elif operation == "replace":
            document[index : index + 1] = new
        elif operation == "delete":
            del document[index]
        else:
            return _error("invalid_arguments")
        return {"ok": True}

    # A person in Slack's canvas editor

    def person_adds(self, canvas_id: str, markdown: str, after_text: str | None = None) -> None:
        """Type a paragraph: after the section showing ``after_text``, or at the end."""
        with self._lock:
            document = self.documents[canvas_id]
            at = len(document)
            if after_text is not None:
                at = next(i for i, s in enumerate(document) if after_text in s.shown) + 1
            document[at:at] = self._sections(markdown)

    def person_rewrites(self, canvas_id: str, contains_text: str, markdown: str) -> None:
        """Change the words of the first section showing ``contains_text``."""
        with self._lock:
            section = next(s for s in self.documents[canvas_id] if contains_text in s.shown)
            section.markdown = markdown


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


def _markdown(content: Any) -> str:
    content = _json(content)
    return str(content.get("markdown", "")) if isinstance(content, dict) else ""


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": code}
