"""``coach chat``'s ``plan`` command builds the same plan in a terminal, prints it or writes ``--out``;
and plan answers are member data: exported, and deleted by forget."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.plans import PlanStore
from bot.usecases.privacy import Privacy
from bot.usecases.prompts import OpenPrompts
from flows.content import load_bundle
from flows.outcomes import ExportFile
from flows.values import MemberKey
from tests.test_chat import MEMBER, chat, coach_chat

# The six sections in question order (no assessment yet), field by field; "" keeps a field empty.
TYPED = [
    "plan",
    *["more people order our cakes", "we get ten orders a week", ""],  # reason
    *["12", "2,1", "Instagram, mostly", "2"],  # networks: 12 is not an option, asked again; no "other"
    *["Anna", "2", ""],  # resources
    *["Anna", "Ben", "Anna", "1"],  # pipeline
    *["1,4", "No politics, ever.", ""],  # policy: own rules, one per line, end with an empty line
    *["1,2,3,4", "Instagram Insights", "3", "2,4"],  # measurement: four figures is one too many, asked again
]


def test_chat_plan_builds_and_prints_the_plan(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", [*TYPED, "quit"])
    assert "Let's write your social media plan" in out
    assert "That doesn't match the options; try again." in out
    assert "Please pick at most 3." in out
    assert "What social media should do for us: more people order our cakes." in out
    assert "We are on Instagram and Facebook." in out and "We start with Instagram" in out
    assert "Who owns our social media: Anna. It gets 3–5 hours a week" in out
    assert "Who gets product ideas and suggestions: Ben." in out
    assert "1. We answer every comment and message within one working day." in out
    assert "3. No politics, ever." in out
    assert "We follow engagement (likes, comments, shares) and messages and enquiries." in out
    answers = PlanStore(Store(tmp_path / "c.db")).answers(MEMBER)
    assert answers["networks"]["networks"] == ("instagram", "facebook")


def test_chat_plan_writes_the_markdown_file_with_out(tmp_path: Path) -> None:
    done = coach_chat(tmp_path, "--lang", "fi", "--out", "plan.md", typed="\n".join(["suunnitelma", *TYPED[1:]]) + "\n")
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert written.startswith("# Somesuunnitelmamme")
    assert "Tavoitteemme somessa: more people order our cakes." in written
    assert "Somestamme vastaava: Anna." in written
    assert "Suunnitelmasi on tallennettu tiedostoon plan.md." in done.stdout


def test_plan_answers_are_exported_and_forgotten(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    member = MemberKey("T0001", "U0ERIN")
    now = datetime(2026, 11, 24, tzinfo=UTC)
    store.ensure_member(member, now)
    PlanStore(store).save_section(member, "reason", {"so_that": "we sell bread"}, now)
    PlanStore(store).save_document(member, "F0CANVAS", "https://example/docs/F0CANVAS", now)
    (export,) = Privacy(store).export(member, now)
    assert isinstance(export, ExportFile)
    data = json.loads(export.content)
    assert "we sell bread" in data["plan_answers"][0]["answers"]
    assert data["plan_documents"][0]["canvas_id"] == "F0CANVAS"
    Privacy(store).forget(member)
    assert PlanStore(store).answers(member) == {} and PlanStore(store).document(member) is None


@pytest.mark.parametrize(
    ("language", "asked", "journey_word", "stage_shown"),
    [
        ("en", "what do you mean?", "stage", "Where are you on the social media journey?"),
        ("fi", "esimerkki?", "vaihe", "Missä vaiheessa"),
        ("it", "perché?", "fase", "A che punto"),
    ],
)
def test_a_question_back_or_a_journey_word_at_a_plan_question_is_never_saved_as_the_plan(
    tmp_path: Path, language: str, asked: str, journey_word: str, stage_shown: str
) -> None:
    """Helper-found defect: "what do you mean?", "stage" or "plan" typed at a question of the form
    were saved as the member's plan ("What social media should do for us: what do you mean?")."""
    plan = "suunnitelma" if language == "fi" else "piano" if language == "it" else "plan"
    example = load_bundle(language).plan.section("reason").field("so_that").placeholder
    out = chat(tmp_path / "c.db", [plan, asked, plan, journey_word, "quit"], language)
    assert example is not None and example in out  # the question back gets the part's example
    assert stage_shown in out  # the journey word went on to the conversation
    assert PlanStore(Store(tmp_path / "c.db")).answers(MEMBER) == {}
    prompt = OpenPrompts(Store(tmp_path / "c.db")).current(MEMBER)
    assert prompt is None or prompt.kind != "plan"  # the form is not reopened by the next chat


def test_forget_typed_at_a_plan_question_asks_to_forget_and_saves_nothing(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["plan", "we sell more bread", "forget", "yes", "quit"])
    assert "It cannot be undone" in out
    store = Store(tmp_path / "c.db")
    assert PlanStore(store).answers(MEMBER) == {}
    assert store.member(MEMBER) is None  # the "yes" confirmed the forget; it was not a plan answer


def test_which_other_network_is_asked_only_when_another_network_was_chosen(tmp_path: Path) -> None:
    """Helper-found: "If another network, which one?" was asked after Instagram and Facebook."""
    networks = load_bundle().plan.section("networks")
    other = networks.field("other_network").label
    for chosen, asked_which in (("2,1", False), ("2, 9", True)):
        asked: list[str] = []
        typed = ["plan", "more orders", "ten a week", "", chosen, "1", "Mastodon", "1", "1", "quit"]
        chat(tmp_path / f"{asked_which}.db", typed, prompts=asked)
        assert any(prompt.startswith(other) for prompt in asked) is asked_which


def test_back_in_the_plan_form_passes_over_a_question_that_was_not_asked(tmp_path: Path) -> None:
    """Review: without "Another network", back from the field after it landed on the skipped one and
    went forward again, for ever."""
    networks = load_bundle().plan.section("networks")
    ids = [f.id for f in networks.fields]
    before, after = networks.fields[ids.index("other_network") - 1], networks.fields[ids.index("other_network") + 1]
    asked: list[str] = []
    typed = ["plan", "more orders", "ten a week", "", "2,1", "back", "quit"]  # back from the one after it
    chat(tmp_path / "c.db", typed, prompts=asked)
    labels = [prompt for prompt in asked if prompt.strip() != ">"]
    assert labels[-2].startswith(after.label) and labels[-1].startswith(before.label)


def test_pause_until_typed_at_a_plan_question_pauses_and_is_not_saved(tmp_path: Path) -> None:
    out = chat(tmp_path / "c.db", ["plan", "pause until 2027-01-15", "quit"])
    assert "Paused until 15 January 2027" in out
    assert PlanStore(Store(tmp_path / "c.db")).answers(MEMBER) == {}


def test_a_chat_stopped_in_the_middle_of_a_part_goes_on_from_that_question_with_its_answers(
    tmp_path: Path,
) -> None:
    """Probe: quitting after two answers of a part lost them, and the next chat began that part again."""
    db = tmp_path / "c.db"
    chat(db, ["plan", "more people order our cakes", "quit"])  # the reason's first question only
    assert PlanStore(Store(db)).answers(MEMBER)["reason"] == {"so_that": "more people order our cakes"}
    out = chat(db, ["we get ten orders a week", "", "quit"])  # straight on with the second question
    answers = PlanStore(Store(db)).answers(MEMBER)["reason"]
    assert answers == {"so_that": "more people order our cakes", "works_when": "we get ten orders a week"}
    assert "What social media should do for us: more people order our cakes." in out


@pytest.mark.parametrize(
    ("language", "typed"), [("en", "everything except linkedin"), ("it", "tutto tranne linkedin")]
)
def test_networks_named_by_what_is_left_out_are_never_saved_as_that_network(
    tmp_path: Path, language: str, typed: str
) -> None:
    """Probe: "everything except linkedin" wrote "We are on LinkedIn." into the plan."""
    db = tmp_path / "c.db"
    chat(db, ["plan", "more people order our cakes", "we get ten orders a week", "", typed, "quit"], language)
    networks = PlanStore(Store(db)).answers(MEMBER).get("networks", {})
    assert networks.get("networks") != ("linkedin",)
