"""Content is data: it loads, it is complete for every state and locale, and it parses typed words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.checks.manifest import content_problems
from flows.assessment import INTRO, REVIEW, SUMMARY, config_for
from flows.content import (
    QUESTION_IDS,
    VERDICT_KEYS,
    available_locales,
    content_root,
    load_bundle,
    load_bundle_from,
)
from flows.reading import read_intent


@pytest.mark.parametrize("locale", available_locales())
def test_every_state_of_the_machine_has_content(locale: str) -> None:
    bundle = load_bundle(locale)
    config = config_for(bundle.assessment)
    for state in config.states:
        if state == INTRO:
            assert bundle.assessment.intro.title and bundle.assessment.intro.body
        elif state == SUMMARY:
            assert set(bundle.assessment.verdicts) == set(VERDICT_KEYS)
        elif state == REVIEW:  # passed through on the way to a skipped question, which it announces
            assert bundle.messages.text("revisit_skipped")
        else:
            question = bundle.assessment.question(state)
            assert question.prompt and question.guidance and len(question.answers) == 3
            assert {"partly", "not_yet"} == set(question.advice)


def test_questions_are_the_six_in_order() -> None:
    assert tuple(q.id for q in load_bundle().assessment.questions) == QUESTION_IDS


def test_all_locales_share_keys_and_placeholders() -> None:
    assert content_problems() == []


@pytest.mark.parametrize(
    ("typed", "intent"),
    [
        ("Yes!", "ready"),
        ("  yep ", "ready"),
        ("1", "ready"),
        ("Sort of...", "partly"),
        ("not really", "not_yet"),
        ("No.", "not_yet"),
        ("BACK", "back"),
        ("start over", "restart"),
        ("where am I?", "status"),
        ("help", "help"),
        ("we sell shoes", None),
        ("fine", None),
        ("next", None),
        ("ok", None),
        ("", None),
        ("???", None),
    ],
)
def test_typed_words_map_to_intents(typed: str, intent: str | None) -> None:
    assert read_intent(typed, load_bundle()) == intent


def test_broken_content_is_rejected_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "en"
    shutil.copytree(content_root() / "en", broken)
    text = (broken / "assessment.toml").read_text(encoding="utf-8")
    (broken / "assessment.toml").write_text(text.replace('id = "pipeline"', 'id = "pipes"'), encoding="utf-8")
    with pytest.raises(ValidationError, match="questions must be"):
        load_bundle_from(broken)


def test_answers_must_be_rated_in_order(tmp_path: Path) -> None:
    broken = tmp_path / "en"
    shutil.copytree(content_root() / "en", broken)
    text = (broken / "assessment.toml").read_text(encoding="utf-8")
    (broken / "assessment.toml").write_text(text.replace('rating = "partly"', 'rating = "ready"', 1), encoding="utf-8")
    with pytest.raises(ValidationError, match="rated"):
        load_bundle_from(broken)
