"""Actions' pure rules: what a form may save, and which week's check-in asks about an action."""

from __future__ import annotations

from datetime import date

from flows.actions import action_problem, parse_source, week_end

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
