"""Actions in ``coach chat``, as plain lines, in every language: a next step of the result becomes an
action ("action 1", with a date or without), "actions" lists them numbered, and "done 1", "ei vielä",
"lascia perdere" answer about one, as the same use cases do for Slack."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.views.actions import due_text, in_sentence
from bot.views.common import format_date
from flows.content import load_bundle
from tests.test_chat import MEMBER, chat

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
GETTING_THERE = ["yes", "partly", "yes", "yes", "partly", "no"]
TYPED = {  # getting there (weekly check-ins); two next steps made actions, listed, one done, one dropped
    "en": [*GETTING_THERE, "action 1", "action 2 2027-01-15", "actions", "done 1", "drop it"],
    "fi": ["kyllä", "osittain", "kyllä", "kyllä", "osittain", "ei", "tehtävä 1", "tehtävä 2 2027-01-15", "tehtävät",
           "valmis 1", "poista"],
    "it": ["sì", "in parte", "sì", "sì", "in parte", "no", "azione 1", "azione 2 2027-01-15", "azioni", "fatto 1",
           "lascia perdere"],
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_next_steps_become_actions_listed_and_answered_in_the_terminal(tmp_path: Path, language: str) -> None:
    messages = load_bundle(language).messages
    out = chat(tmp_path / "c.db", TYPED[language], language, clock=lambda: NOW)
    assert messages.text("chat_action_hint") in out  # after the result: how a next step becomes an action
    store = Store(tmp_path / "c.db")
    first, second = sorted(store.actions.of_member(MEMBER), key=lambda a: a.id)
    assert (first.due, second.due) == ("2026-12-02", "2027-01-15")  # a week on, or the date typed
    assert messages.text("actions_open_title") in out
    assert f"  1. {messages.text('action_line', title=in_sentence(first.title), date='')}"[:20] in out  # numbered lines
    assert messages.text("action_answered_done", title=in_sentence(first.title)) in out
    assert messages.text("action_answered_drop", title=in_sentence(second.title)) in out
    assert [a.status for a in sorted(store.actions.of_member(MEMBER), key=lambda a: a.id)] == ["done", "dropped"]


def test_a_next_step_that_is_not_there_is_said_so(tmp_path: Path) -> None:
    messages = load_bundle().messages
    out = chat(tmp_path / "c.db", ["action 1"], clock=lambda: NOW)
    assert messages.text("chat_action_no_result") in out
    out = chat(tmp_path / "c.db", [*GETTING_THERE, "action 9", "actions"], clock=lambda: NOW)
    assert messages.text("chat_action_no_step", number=9, count=3) in out
    assert messages.text("chat_actions_none") in out


LATER = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ANSWERS = {  # no feedback route (Not yet), then three months on, a partial one
    "en": (["yes", "yes", "yes", "no", "yes", "yes"], ["start", "yes", "yes", "yes", "partly", "yes", "yes"]),
    "fi": (["kyllä", "kyllä", "kyllä", "ei", "kyllä", "kyllä"],
           ["start", "kyllä", "kyllä", "kyllä", "osittain", "kyllä", "kyllä"]),
    "it": (["sì", "sì", "sì", "no", "sì", "sì"], ["start", "sì", "sì", "sì", "in parte", "sì", "sì"]),
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_the_verdicts_over_time_in_the_terminal(tmp_path: Path, language: str) -> None:
    bundle = load_bundle(language)
    first, again = ANSWERS[language]
    chat(tmp_path / "c.db", first, language, clock=lambda: NOW)
    out = chat(tmp_path / "c.db", again, language, clock=lambda: LATER)
    verdicts = bundle.assessment.verdicts
    lines = [
        bundle.messages.text("verdict_point", date=format_date(bundle, when), verdict=verdicts[verdict].title)
        for when, verdict in ((NOW, "not_yet"), (LATER, "ready"))
    ]
    assert f"{bundle.messages.text('verdicts_over_time')}\n• {lines[0]}\n• {lines[1]}" in out


CHECK_IN = {  # an action due this week, a stage, then the check-in: the action answered, then the check-in
    "en": ["action 1 2026-11-27", "stage", "3", "check in", "done", "1"],
    "fi": ["tehtävä 1 2026-11-27", "stage", "3", "check in", "valmis", "1"],
    "it": ["azione 1 2026-11-27", "stage", "3", "check in", "fatto", "1"],
}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_the_check_in_in_the_terminal_asks_about_the_actions_due_that_week(tmp_path: Path, language: str) -> None:
    messages = load_bundle(language).messages
    out = chat(tmp_path / "c.db", [*TYPED[language][:6], *CHECK_IN[language]], language, clock=lambda: NOW)
    (action,) = Store(tmp_path / "c.db").actions.of_member(MEMBER)
    assert messages.text("actions_due_title") in out and action.status == "done"
    assert messages.text("action_answered_done", title=in_sentence(action.title)) in out
    assert Store(tmp_path / "c.db").has_checkin(MEMBER, "2026-W48")  # then "1" answered the check-in


READY = {"en": ["yes"] * 6, "fi": ["kyllä"] * 6, "it": ["sì"] * 6}
LOCAL_DATES = {"en": "action 1 15 January 2027", "fi": "tehtävä 1 15.1.2027", "it": "azione 1 15 gennaio"}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_result_with_no_next_steps_says_so(tmp_path: Path, language: str) -> None:
    messages = load_bundle(language).messages
    typed = [*READY[language], LOCAL_DATES[language].split()[0] + " 1"]
    out = chat(tmp_path / "c.db", typed, language, clock=lambda: NOW)
    assert messages.text("chat_action_no_steps") in out
    assert messages.text("chat_action_no_step", number=1, count=0) not in out


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_date_in_the_members_own_format_and_the_action_saved_said_to_them(tmp_path: Path, language: str) -> None:
    messages = load_bundle(language).messages
    out = chat(tmp_path / "c.db", [*TYPED[language][:6], LOCAL_DATES[language]], language, clock=lambda: NOW)
    (action,) = Store(tmp_path / "c.db").actions.of_member(MEMBER)
    assert action.due == "2027-01-15"
    due = due_text(load_bundle(language), "2027-01-15")
    # no stage yet, so no weekly check-in will ask about it, and the member is told so (a probe over HTTP)
    assert messages.text("chat_action_saved_unplaced", title=in_sentence(action.title), date=due) in out
    assert MEMBER.user_id not in out  # never "I'll ask <user id> in their weekly check-in"


def test_a_date_that_cannot_be_read_is_asked_in_a_format_that_can(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", [*GETTING_THERE, "action 1 someday soon"], clock=lambda: NOW)
    assert load_bundle().messages.text("chat_action_date") in out
    assert not Store(tmp_path / "c.db").actions.of_member(MEMBER)


def test_a_number_that_names_no_action_is_asked_back_even_with_one_left(tmp_path: Path) -> None:
    """Helper-found: with one listed action left, "drop 3" dropped it."""
    out = chat(tmp_path / "c.db", [*TYPED["en"][:-1], "drop 3"], "en", clock=lambda: NOW)
    assert load_bundle().messages.text("chat_action_which") in out
    statuses = sorted((a.id, a.status) for a in Store(tmp_path / "c.db").actions.of_member(MEMBER))
    assert [status for _id, status in statuses] == ["done", "open"]


def test_done_1_right_after_making_an_action_answers_it(tmp_path: Path) -> None:
    """Helper-found: "done 1" straight after "action 1" got "I haven't asked you anything just now"
    (with none due this week, only the check-in's numbering was read)."""
    out = chat(tmp_path / "c.db", [*GETTING_THERE, "action 1", "done 1"], "en", clock=lambda: NOW)
    (action,) = Store(tmp_path / "c.db").actions.of_member(MEMBER)
    assert action.status == "done" and "Marked as done" in out


def test_a_bare_done_with_nothing_asked_or_due_acts_on_no_action(tmp_path: Path) -> None:
    """Review: with the fallback to every open action, a bare "finished" marked one done unasked."""
    chat(tmp_path / "c.db", [*GETTING_THERE, "action 1", "finished", "drop"], "en", clock=lambda: NOW)
    (action,) = Store(tmp_path / "c.db").actions.of_member(MEMBER)
    assert action.status == "open"


@pytest.mark.parametrize(("language", "done"), [("en", "done"), ("fi", "valmis"), ("it", "fatto")])
def test_one_open_action_is_listed_without_a_number_and_its_hint_asks_for_none(
    tmp_path: Path, language: str, done: str
) -> None:
    """Chat probe: one action was listed unnumbered, with "for example: done 1" below it."""
    messages = load_bundle(language).messages
    make, listing = {"en": ("action 1", "actions"), "fi": ("tehtävä 1", "tehtävät"), "it": ("azione 1", "azioni")}[
        language
    ]
    typed = [*TYPED[language][:6], make, listing, done]
    out = chat(tmp_path / "c.db", typed, language, clock=lambda: NOW)
    assert messages.text("chat_actions_hint_one") in out and messages.text("chat_actions_hint") not in out
    (action,) = Store(tmp_path / "c.db").actions.of_member(MEMBER)
    assert action.status == "done"


@pytest.mark.parametrize(
    ("language", "both"),
    [("en", "moved forward, done"), ("fi", "mentiin eteenpäin, valmis"), ("it", "siamo andati avanti e fatto")],
)
def test_a_checkin_answered_together_with_its_action_records_both(tmp_path: Path, language: str, both: str) -> None:
    """Chat probe: "moved forward, done 1" marked the action done and lost the check-in answer."""
    typed = [*TYPED[language][:6], *CHECK_IN[language][:4], both]
    chat(tmp_path / "c.db", typed, language, clock=lambda: NOW)
    store = Store(tmp_path / "c.db")
    (action,) = store.actions.of_member(MEMBER)
    assert action.status == "done"
    assert store.has_checkin(MEMBER, "2026-W48") and store.member(MEMBER).stage == 4  # type: ignore[union-attr]


def test_a_checkin_and_the_first_of_two_actions_answered_together_answer_that_one_only(tmp_path: Path) -> None:
    """Review: the check-in answered after the action must not read "done 1" again against the list
    renumbered without it (which would mark the second action done as well)."""
    typed = [*TYPED["en"][:6], "action 1 2026-11-27", "action 2 2026-11-27", "stage", "3", "check in"]
    chat(tmp_path / "c.db", [*typed, "moved forward, done 1"], "en", clock=lambda: NOW)
    store = Store(tmp_path / "c.db")
    assert sorted(a.status for a in store.actions.of_member(MEMBER)) == ["done", "open"]
    assert store.has_checkin(MEMBER, "2026-W48")
