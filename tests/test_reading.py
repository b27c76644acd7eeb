"""The answer reader (``flows.reading``): the labelled corpus, and the rules one by one."""

from __future__ import annotations

import pytest

from flows.content import LANGUAGES
from flows.reading import read_reply, tokens
from tests.replies import corpus, judge, score


@pytest.mark.parametrize("language", LANGUAGES)
def test_corpus_has_no_misreading_and_is_read_or_asked_back(language: str) -> None:
    replies = corpus(language)
    assert len(replies) >= 100
    wrong = [r.text for r in replies if judge(r, read_reply(r.text, language)) == "wrong"]
    assert wrong == []
    counts = score(language)
    assert (counts["right"] + counts["asked"]) / len(replies) >= 0.95, counts


def test_corpus_is_large_enough() -> None:
    assert sum(len(corpus(language)) for language in LANGUAGES) >= 300


@pytest.mark.parametrize(
    ("text", "language"),
    [("fine", "en"), ("fine", "it"), ("ciao", "it"), ("next", "en"), ("avanti", "it"), ("ok", "fi"), ("bye", "en")],
)
def test_everyday_words_never_quit_skip_or_answer(text: str, language: str) -> None:
    reading = read_reply(text, language)
    assert reading.unsure and reading.command is None


@pytest.mark.parametrize(
    ("text", "language"), [("please skip this question", "en"), ("I want to restart", "en"), ("salta", "en")]
)
def test_commands_count_only_as_the_whole_message_in_the_members_language_or_english(text: str, language: str) -> None:
    assert read_reply(text, language).command is None


def test_english_commands_work_for_everyone() -> None:
    assert [read_reply("skip", language).command for language in LANGUAGES] == ["skip"] * 3


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("I'm not saying yes", None),
        ("definately", "ready"),
        ("yes but only on weekends", "partly"),
        ("maybe", "partly"),
    ],
)
def test_unclear_replies_are_unsure_with_the_likeliest_option(text: str, guess: str | None) -> None:
    reading = read_reply(text, "en")
    assert reading.unsure and reading.confidence < 0.8 and reading.guess == guess


def test_clear_readings_carry_their_confidence() -> None:
    assert read_reply("Yes, we have a clear goal", "en").confidence == 1.0
    clear = read_reply("yes we do", "en")
    assert clear.rating == "ready" and 0.8 <= clear.confidence < 1.0


def test_a_number_inside_a_sentence_is_not_an_option() -> None:
    assert read_reply("we post 3 times a week", "en").unsure
    assert read_reply("3", "en").rating == "not_yet"


def test_emoji_and_slack_shortcodes_read_the_same() -> None:
    assert tokens("👍🏽") == tokens(":+1:") == tokens(":thumbsup:") == ("yes",)
    assert read_reply(":-1:", "it").rating == "not_yet"


def test_a_long_reply_whose_answer_comes_late_is_asked_back() -> None:
    reading = read_reply("we talked about it for a long time last year and in the end I would say yes", "en")
    assert reading.unsure and reading.guess == "ready"


@pytest.mark.parametrize(
    ("text", "language", "guess"),
    [
        ("absolutley not", "en", "not_yet"),
        ("osittan", "fi", "partly"),
        ("in pate", "it", "partly"),
        ("yess", "en", "ready"),
    ],
)
def test_a_slip_is_offered_never_recorded(text: str, language: str, guess: str) -> None:
    reading = read_reply(text, language)
    assert reading.unsure and reading.guess == guess


def test_other_spellings_are_read_as_the_word_they_stand_for() -> None:
    assert read_reply("nn lo so", "it").rating == "not_yet"  # "nn" is "non": never "lo so", I know
    assert read_reply("en tiiä", "fi").rating == "not_yet"
    assert read_reply("en oo ihan varma", "fi").unsure  # "I'm not quite sure", not a bare "en"


def test_ordinary_words_are_not_corrected_into_answers() -> None:
    assert read_reply("yes, since last year", "en").rating == "ready"
    assert read_reply("yes, we sell more through instagram", "en").rating == "ready"


def test_the_app_builds_the_word_tables_before_the_first_reply(settings, tmp_path) -> None:
    from bot.app import create_app
    from bot.store import Store
    from flows.reading import lexicon_for

    lexicon_for.cache_clear()
    create_app(settings, Store(tmp_path / "warm.db"))
    assert lexicon_for.cache_info().currsize == len(LANGUAGES)


def test_no_command_word_is_also_an_answer_in_any_language() -> None:
    """Commands are matched first, so a word in both lists would silently skip or quit instead of answering."""
    from flows.content import load_bundle
    from flows.reading import tokens

    answers = {
        tokens(phrase)
        for language in LANGUAGES
        for words in (load_bundle(language).reading.answers, load_bundle(language).reading.whole)
        for phrases in words.values()
        for phrase in phrases
    }
    for language in LANGUAGES:
        reading = load_bundle(language).reading
        for command, phrases in reading.commands.items():
            assert not {tokens(p) for p in phrases} & answers, (language, command)
