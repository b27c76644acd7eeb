"""Edits only the coach's own parts of a plan canvas, so what people write anywhere else in it stays.

Each changed part: its heading is found with ``canvases.sections.lookup`` (an ``h2`` holding the
heading's text), each line the coach last wrote under it by the words that line shows
(``contains_text``; two identical lines are two sections); those lines are deleted and the new ones
inserted after the heading, one ``canvases.edit`` operation per call, as Slack allows. A line of the
coach's that cannot be found was changed by a person: the part is left as they made it, and reported
so the member is told. A heading that is gone (a person deleted it) gets the part again at the end of
the canvas; one written in another language (the member's changed since) is replaced where it stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient

from flows.canvas_parts import CanvasPart, CanvasTop, changed_parts, findable_lines

HEADING_TYPE = "h2"
TITLE_TYPE = "h1"


def markdown_content(markdown: str) -> dict[str, str]:
    return {"type": "markdown", "markdown": markdown}


class CanvasParts:
    def __init__(self, client: WebClient, canvas_id: str) -> None:
        self.client = client
        self.canvas_id = canvas_id
        self.retitled = False  # a part was found in another language and rewritten in the member's

    def update(
        self, parts: tuple[CanvasPart, ...], written: Mapping[str, str], top: CanvasTop | None = None
    ) -> tuple[dict[str, str], tuple[CanvasPart, ...]]:
        """Bring the changed parts up to date; what the coach now has under each heading, and the
        parts kept as a person left them. A part found in another language brings ``top``, the
        canvas's title and the line under it, into the member's language too."""
        now, kept = dict(written), []
        self.retitled = False
        for part in changed_parts(parts, written):
            if self._rewrite(part, written.get(part.id, "")):
                now[part.id] = part.body
            else:
                kept.append(part)
        if self.retitled and top is not None:
            self._retitle_top(top)
        return now, tuple(kept)

    def _retitle_top(self, top: CanvasTop) -> None:
        if self._lookup({"section_types": [TITLE_TYPE], "contains_text": top.title}):
            return
        for title, intro in top.elsewhere:
            if found := self._lookup({"section_types": [TITLE_TYPE], "contains_text": title}):
                old_lines = self._sections(findable_lines(intro)) or []
                self._replace(found[0], old_lines, f"# {top.title}\n\n{top.intro}\n")
                return

    def _rewrite(self, part: CanvasPart, old_body: str) -> bool:
        headings = self._heading(part.heading)
        if not headings:
            for other in part.other_headings:  # written before the member's language changed
                if found := self._heading(other):
                    return self._retitled(part, found[0], old_body)
            self._change({"operation": "insert_at_end", "document_content": markdown_content(part.markdown)})
            return True
        old_sections = self._sections(findable_lines(old_body))
        if old_sections is None:
            # Changed by a person, or an earlier attempt of this very save already landed.
            return self._sections(findable_lines(part.body)) is not None
        for section_id in old_sections:
            self._change({"operation": "delete", "section_id": section_id})
        self._change(
            {"operation": "insert_after", "section_id": headings[0], "document_content": markdown_content(part.body)}
        )
        return True

    def _heading(self, text: str) -> list[str]:
        return self._lookup({"section_types": [HEADING_TYPE], "contains_text": text})

    def _retitled(self, part: CanvasPart, old_heading: str, old_body: str) -> bool:
        """The part written in another language replaced where it stands, heading and lines; kept as it is
        when a person changed its lines."""
        old_sections = self._sections(findable_lines(old_body))
        if old_sections is None:
            return False
        self._replace(old_heading, old_sections, part.markdown)
        self.retitled = True
        return True

    def _replace(self, old_heading: str, old_lines: list[str], markdown: str) -> None:
        """A heading and its lines replaced by ``markdown`` where they stand: inserted after the old
        heading first, so that it keeps its place, then the old ones deleted."""
        content = markdown_content(markdown)
        self._change({"operation": "insert_after", "section_id": old_heading, "document_content": content})
        for section_id in [*old_lines, old_heading]:
            self._change({"operation": "delete", "section_id": section_id})

    def _sections(self, lines: tuple[str, ...]) -> list[str] | None:
        """A section of the canvas for each line, a different one for each of two identical lines (two
        verdicts the same day); None when a line has none left."""
        taken: list[str] = []
        for text in lines:
            found = [section for section in self._lookup({"contains_text": text}) if section not in taken]
            if not found:
                return None
            taken.append(found[0])
        return taken

    def _lookup(self, criteria: dict[str, Any]) -> list[str]:
        answer = self.client.canvases_sections_lookup(canvas_id=self.canvas_id, criteria=criteria)
        return [str(section["id"]) for section in answer.get("sections") or [] if isinstance(section, dict)]

    def _change(self, change: dict[str, Any]) -> None:
        self.client.canvases_edit(canvas_id=self.canvas_id, changes=[change])
