"""The coach's parts of a plan canvas, and the words by which each of its lines is found again."""

from __future__ import annotations

from flows.canvas_parts import CanvasPart, changed_parts, findable, findable_lines, plan_parts
from flows.content import load_bundle
from flows.plan_document import canvas_mention


def test_a_line_is_found_by_its_longest_stretch_of_shown_words_without_a_mention() -> None:
    line = "Who owns it: ![](@U0BOB). It gets 3–5 hours a week, for as long as we are on social media."
    assert findable(line) == "It gets 3–5 hours a week, for as long as we are on social media"
    assert findable("1. We answer every **comment** within one day.") == "We answer every comment within one day"
    assert findable("_Part 2 is not written yet._") == "Part 2 is not written yet"
    assert findable("our regulars &lt;!channel&gt; \\& friends") == "our regulars &lt;!channel&gt; & friends"
    assert findable("   ") is None


def test_every_part_has_its_own_heading_and_lines_no_other_part_shares() -> None:
    for language in ("en", "fi", "it"):
        parts = plan_parts(load_bundle(language).plan, {}, canvas_mention)
        lines = [line for part in parts for line in findable_lines(part.body)]
        assert len(parts) == 6 and len(set(lines)) == len(lines) == 6


def test_only_the_parts_whose_lines_changed_are_edited() -> None:
    parts = (CanvasPart("reason", "1. Why", "We want more orders."), CanvasPart("networks", "2. Where", "Instagram."))
    assert changed_parts(parts, {"reason": "We want more orders.", "networks": "Facebook."}) == parts[1:]
    assert changed_parts(parts, {}) == parts
