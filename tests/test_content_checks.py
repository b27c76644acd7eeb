"""``coach check`` on what content says: one form of address, Italian for everyone, labels that fit,
and summaries whose every sentence is true of the answers. Each check is shown to catch its fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.checks.content import (
    MAX_OPTION_LABEL,
    date_problems,
    every_result,
    label_problems,
    load_style,
    summary_problems,
    wording_problems,
)
from bot.checks.manifest import content_problems
from flows.content import LANGUAGES, Bundle, content_root, load_bundle, load_bundle_from


def tampered(tmp_path: Path, locale: str, file: str, *old_new: str) -> tuple[Bundle, Path]:
    """A copy of one locale's content with ``old`` replaced by ``new`` (pairs, each replaced once)."""
    folder = tmp_path / locale
    shutil.copytree(content_root() / locale, folder)
    text = (folder / file).read_text(encoding="utf-8")
    for old, new in zip(old_new[::2], old_new[1::2], strict=True):
        assert old in text
        text = text.replace(old, new, 1)
    (folder / file).write_text(text, encoding="utf-8")
    return load_bundle_from(folder), folder


def test_the_shipped_content_passes_every_check() -> None:
    assert content_problems() == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_locale_has_its_word_lists(language: str) -> None:
    style = load_style(content_root() / language)
    assert style.address.use
    if language != "en":
        assert style.address.avoid_words


@pytest.mark.parametrize(
    ("locale", "file", "old", "new", "word"),
    [
        ("fi", "assessment.toml", "Onko sinulla kirjattu", "Onko teillä kirjattu", "teillä"),
        ("fi", "stages.toml", "Kysyvätkö muut sinulta", "Kysyvätkö muut teiltä", "teiltä"),
        ("fi", "messages.toml", "onko yrityksesi valmis", "onko yrityksenne valmis", "yrityksenne"),
        ("fi", "assessment.toml", "Voitko maksaa", "Voitteko maksaa", "voitteko"),
        ("it", "assessment.toml", "Hai un piano scritto", "Avete un piano scritto", "avete"),
        ("it", "stages.toml", "pubblicati i tuoi post?", "pubblicati i vostri post?", "vostri"),
        ("it", "assessment.toml", "strumenti li raccoglierai?", "strumenti li raccoglierete?", "raccoglierete"),
    ],
)
def test_a_second_form_of_address_is_caught(tmp_path: Path, locale, file, old, new, word) -> None:
    bundle, folder = tampered(tmp_path, locale, file, old, new)
    problems = wording_problems(bundle, load_style(folder))
    assert len(problems) == 1 and word in problems[0] and "form of address" in problems[0]


@pytest.mark.parametrize(
    ("old", "new", "word"),
    [
        ("Eccoti di nuovo!", "Bentornato!", "bentornato"),
        ("hai riaperto la domanda precedente", "sei tornato alla domanda precedente", "tornato"),
        ('rating_ready = "A posto"', 'rating_ready = "Pronto"', "pronto"),
    ],
)
def test_masculine_only_italian_is_caught(tmp_path: Path, old: str, new: str, word: str) -> None:
    bundle, folder = tampered(tmp_path, "it", "messages.toml", old, new)
    problems = wording_problems(bundle, load_style(folder))
    assert len(problems) == 1 and word in problems[0] and "everyone" in problems[0]


@pytest.mark.parametrize(
    ("locale", "old", "new", "word"),
    [
        ("fi", "Käy se läpi tiimisi kanssa", "Käykää se läpi tiimin kanssa", "käykää"),
        ("fi", "Tulos kertoo, missä olet nyt", "Tulos kertoo, missä olette nyt", "olette"),
        ("it", "Rileggilo con il tuo team", "Rileggetelo insieme al team", "rileggetelo"),
        ("it", "oppure devi prima invitarmi", "oppure dovete prima invitarmi", "dovete"),
    ],
)
def test_the_plan_is_checked_for_the_form_of_address_too(tmp_path: Path, locale, old, new, word) -> None:
    bundle, folder = tampered(tmp_path, locale, "plan.toml", old, new)
    problems = wording_problems(bundle, load_style(folder))
    assert len(problems) == 1 and "plan.toml" in problems[0] and word in problems[0]


def test_masculine_only_italian_in_the_plan_is_caught(tmp_path: Path) -> None:
    bundle, folder = tampered(tmp_path, "it", "plan.toml", "Non riesco a pubblicare", "Non sono riuscito a pubblicare")
    problems = wording_problems(bundle, load_style(folder))
    assert len(problems) == 1 and "riuscito" in problems[0] and "everyone" in problems[0]


def test_a_hand_made_article_before_a_date_is_caught(tmp_path: Path) -> None:
    """Babel writes "8 dicembre"; "del {date}" would read "del 8 dicembre"."""
    bundle, folder = tampered(
        tmp_path, "it", "messages.toml", "Il tuo ultimo risultato ({date})", "Il tuo ultimo risultato, del {date}"
    )
    problems = date_problems(bundle, load_style(folder))
    assert len(problems) == 1 and "status_completed" in problems[0]
    assert date_problems(load_bundle("it"), load_style(content_root() / "it")) == []


def test_finnish_words_that_only_look_plural_are_allowed() -> None:
    style = load_style(content_root() / "fi")
    assert style.address.offending("Tilanne: en tunne komentoa, tule tänne") == []
    assert style.address.offending("Olette valmiita") == ["olette"]


def test_a_button_label_longer_than_slack_allows_is_caught(tmp_path: Path) -> None:
    long = "x" * (MAX_OPTION_LABEL + 1)
    bundle, _ = tampered(tmp_path, "en", "messages.toml", 'button_skip = "Skip"', f'button_skip = "{long}"')
    assert len(label_problems(bundle)) == 1 and "button_skip" in label_problems(bundle)[0]
    assert label_problems(load_bundle("en")) == []


def test_a_sentence_no_answers_can_make_true_is_caught(tmp_path: Path) -> None:
    """A Ready sentence claiming a policy 'in our heads' can never be shown: Ready needs it written."""
    old = 'when = { policy = ["ready"] }'
    bundle, _ = tampered(tmp_path, "en", "assessment.toml", old, 'when = { policy = ["partly"] }')
    problems = summary_problems({"en": bundle})
    assert any("'ready' sentence 1" in p and "no answers" in p for p in problems)


def test_a_verdict_left_without_any_true_sentence_is_caught(tmp_path: Path) -> None:
    """Ready's opening sentence and its likes sentence both made to need other answers: a member who
    glances at likes would get an empty summary."""
    policy, likes = 'when = { policy = ["ready"] }', 'when = { measurement = ["partly"] }'
    measured = 'when = { measurement = ["ready"] }'
    picked, hunch = 'when = { networks = ["ready"] }', 'when = { networks = ["partly"] }'  # the first week
    bundle, _ = tampered(
        tmp_path, "en", "assessment.toml", policy, measured, likes, measured, picked, measured, hunch, measured
    )
    problems = summary_problems({"en": bundle})
    assert any("'ready' has no summary sentence" in p for p in problems)


def test_a_translation_that_drops_a_claim_is_caught(tmp_path: Path) -> None:
    old = 'when = { measurement = ["ready"] }'
    bundle, _ = tampered(tmp_path, "fi", "assessment.toml", old, "")
    problems = summary_problems({"en": load_bundle("en"), "fi": bundle})
    assert any("content/fi" in p and "same answers" in p for p in problems)


def test_the_summary_check_covers_every_way_to_answer() -> None:
    results = list(every_result())
    assert len(results) == 4**6 == 4096
    assert {r.verdict for r in results} == {"ready", "getting_there", "not_yet", "better_elsewhere", "cant_tell"}
