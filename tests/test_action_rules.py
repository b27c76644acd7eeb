"""Actions' pure rules: what a form may save, and which week's check-in asks about an action."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.terminal.actions import action_text
from bot.views.actions import answered, in_sentence, saved
from flows.actions import ActionAnswered, ActionSaved, action_problem, parse_source, week_end
from flows.content import load_bundle

TODAY = date(2026, 11, 25)  # a Wednesday


def test_an_action_needs_words_and_a_date_from_today_within_a_year() -> None:
    assert action_problem("  ", date(2027, 1, 15), TODAY) == "action_no_title"
    assert action_problem("Ask five customers", None, TODAY) == "action_date_past"
    assert action_problem("Ask five customers", date(2026, 11, 24), TODAY) == "action_date_past"
    assert action_problem("Ask five customers", date(2027, 12, 31), TODAY) == "action_date_far"
    assert action_problem("Ask five customers", TODAY, TODAY) is None


def test_an_action_belongs_to_the_check_in_of_its_week() -> None:
    assert week_end(TODAY) == date(2026, 11, 29)  # the check-in of Monday 23 November asks about it
    assert week_end(date(2026, 11, 30)) == date(2026, 12, 6)  # a Monday: its own week, to Sunday


def test_an_action_comes_from_a_next_step_or_a_plan_part() -> None:
    assert parse_source("step:pipeline") == ("step", "pipeline")
    assert parse_source("plan:resources") == ("plan", "resources")
    assert parse_source("channel:C1") is None and parse_source("step:") is None


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("keep a tally.", "keep a tally"),
        ('Write one sentence: "it works when __."', 'Write one sentence: "it works when __"'),
        ("Ask every customer?", "Ask every customer?"),
        ("Post twice", "Post twice"),
        ("Post weekly...", "Post weekly..."),  # a member's own ellipsis stays
    ],
)
def test_an_action_inside_a_sentence_loses_the_full_stop_that_ended_it(title: str, shown: str) -> None:
    assert in_sentence(title) == shown


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_action_messages_never_put_a_full_stop_before_their_own_punctuation(language: str) -> None:
    """Helper-found: "keep a tally.. Nicely done!", "keep a tally., due 7 December 2026"."""
    bundle = load_bundle(language)
    title = 'Ask every new customer how they found you, and keep a tally.'
    texts = [
        saved(bundle, ActionSaved(title, "U1", "2026-12-14")).text,
        *(answered(bundle, ActionAnswered(title, answer)).text for answer in ("done", "not_yet", "drop")),
        action_text(bundle, ActionSaved(title, "U1", "2026-12-14")),
    ]
    for text in texts:
        assert "tally" in text and "tally.." not in text and "tally.," not in text
        assert re.search(r"tally\. [a-zäöà]", text) is None  # "kirjanpitoa. jää auki"


def test_an_italian_due_date_reads_as_a_sentence() -> None:
    """Probe: "entro 14 dicembre 2026" lacks its article (and "l'8" would need another): a day, whatever it is."""
    bundle = load_bundle("it")
    for due, day in (("2026-12-14", "14 dicembre 2026"), ("2026-12-08", "8 dicembre 2026")):
        text = saved(bundle, ActionSaved("Scrivere le regole", "U1", due)).text
        assert f"entro il giorno {day}" in text
