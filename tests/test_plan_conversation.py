"""``coach chat``'s plan as a conversation: choices in words, a way out at every question that keeps
what is saved, lists ended by an empty line, Enter keeping answers, ``plan`` resuming where it
stopped; and ``help`` and ``restart`` in the terminal."""

from __future__ import annotations

from pathlib import Path

from bot.store import Store
from bot.store.plans import PlanStore
from flows.content import load_bundle
from tests.test_chat import MEMBER, chat

REASON = ["plan", "more weekday bookings", "ten more tables a week", ""]
PLAN = load_bundle().plan


def answers(db: Path) -> dict:
    return PlanStore(Store(db)).answers(MEMBER)


def test_choices_in_words_several_in_one_line(tmp_path: Path) -> None:
    typed = [
        *REASON,
        "instagram and google maps",
        "",
        "on instagram mostly",
        "insta",
        "Anna",
        "2 hours a week maybe",
        "",
    ]
    chat(tmp_path / "c.db", typed)
    saved = answers(tmp_path / "c.db")
    assert saved["networks"]["networks"] == ("instagram", "google")
    assert saved["networks"]["start_with"] == "instagram"
    assert saved["resources"]["hours"] == "1_2"


def test_cancel_quit_and_ctrl_d_keep_what_is_saved(tmp_path: Path) -> None:
    for way_out in ("cancel", "quit", None):
        db = tmp_path / f"{way_out}.db"
        out = chat(db, [*REASON, *([way_out] if way_out else [])])  # None: the input ends (Ctrl-D)
        assert PLAN.text("chat_stopped") in out
        saved = answers(db)
        assert saved["reason"]["so_that"] == "more weekday bookings" and "networks" not in saved
        assert "Anna" not in out and "cancel" not in str(saved)  # never taken as anybody's name


def test_a_list_of_lines_ends_with_an_empty_line(tmp_path: Path) -> None:
    policy_first = ["plan", "skip", "skip", "skip", "skip", "1", "No politics.", "No memes about customers.", ""]
    chat(tmp_path / "c.db", policy_first)
    assert answers(tmp_path / "c.db")["policy"]["own_rules"] == "No politics.\nNo memes about customers."


def test_enter_on_a_required_question_asks_again_instead_of_restarting_the_part(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["plan", "", "more weekday bookings", "ten more tables a week", ""])
    assert PLAN.text("chat_needed") in out
    assert out.count(PLAN.text("chat_section", title=PLAN.section("reason").title)) == 1
    assert answers(tmp_path / "c.db")["reason"]["works_when"] == "ten more tables a week"


def test_plan_resumes_at_the_first_unwritten_part_and_enter_keeps_answers(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    chat(db, [*REASON, "cancel"])
    again = chat(db, ["plan", "back", "cancel"])
    first_part = again.split(PLAN.text("chat_intro"))[1]
    section = PLAN.text("chat_section", title="{}")
    assert section.format(PLAN.section("networks").title) in first_part
    assert section.format(PLAN.section("reason").title) not in first_part
    rest = [
        *["facebook", "", "on facebook", "facebook"],  # networks
        *["Anna", "1", ""],  # resources
        *["Anna", "Ben", "Anna", "same day"],  # pipeline
        *["1", ""],  # policy
        *["reach", "Instagram Insights", "every week"],  # measurement
    ]
    chat(db, ["plan", *rest])
    assert len(answers(db)) == 6
    rerun = chat(db, ["plan", "", "", ""])
    assert PLAN.text("chat_all_written") in rerun
    assert answers(db)["reason"]["so_that"] == "more weekday bookings"


def test_back_returns_to_the_previous_question(tmp_path: Path) -> None:
    chat(tmp_path / "c.db", ["plan", "more bookings", "back", "more weekday bookings", "ten more tables", ""])
    assert answers(tmp_path / "c.db")["reason"]["so_that"] == "more weekday bookings"


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["help"])
    for command in (
        "back",
        "skip",
        "restart",
        "status",
        "start",
        "stage",
        "quiz",
        "check in",
        "plan",
        "forget",
        "quit",
    ):
        assert f"{command}" in out.split("You can type:")[1]


def test_restart_asks_first(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    out = chat(db, ["yes", "restart", "no thanks", "restart", "yes"])
    assert out.count("Start the assessment again from the first question?") == 2
    assert "Carrying on where you were." in out
    store = Store(db)
    latest = store.latest_assessment(MEMBER)
    assert latest is not None and store.answers(latest.id) == {} and latest.state == "reason"


def test_a_plan_question_left_open_is_stored_and_plan_goes_on_from_it(tmp_path: Path) -> None:
    """The plan question the member was asked is their open prompt, kept in the database like every
    other: after Ctrl-D in the middle of a part, the next ``coach chat`` goes on with that part (at that
    very question when the part's earlier answers were saved)."""
    db = tmp_path / "c.db"
    chat(db, [*REASON, "skip", "Anna"])  # the networks part skipped; the input ends inside the next one
    stored, _asked_at = Store(db).open_prompt(MEMBER)
    assert stored == "plan:resources/hours"
    chat(db, ["Anna", "2 hours a week maybe", ""])  # the chat goes on with that part, not the networks
    saved = answers(db)
    assert saved["resources"]["hours"] == "1_2" and "networks" not in saved
    assert Store(db).open_prompt(MEMBER)[0] != stored
