"""The pure rules of typed answers about actions and to the offer to look again: the words people type
in each language, which action a number names, and the prompts those questions open and close."""

from __future__ import annotations

import pytest

from flows.actions import ActionLine, ActionsAsk, asked_ids, pending_answer, pick_action
from flows.answers import checkin_named, offer_only, read_action, read_offer
from flows.content import LANGUAGES, load_bundle
from flows.outcomes import Notice
from flows.prompts import OpenPrompt, prompt_of
from flows.understanding import read_checkin

ACTION_REPLIES = [
    ("en", "done", "done"), ("en", "Done!", "done"), ("en", "we did it", "done"), ("en", "finished that one", "done"),
    ("en", "not yet", "not_yet"), ("en", "not done yet, still working on it", "not_yet"), ("en", "drop it", "drop"),
    ("en", "no longer needed", "drop"),
    ("fi", "valmis", "done"), ("fi", "tehty", "done"), ("fi", "hoidettu", "done"), ("fi", "ei vielä", "not_yet"),
    ("fi", "vielä kesken", "not_yet"), ("fi", "poista", "drop"), ("fi", "luovutaan siitä", "drop"),
    ("it", "fatto", "done"), ("it", "l'ho fatto", "done"), ("it", "finito", "done"), ("it", "non ancora", "not_yet"),
    ("it", "ci sto lavorando", "not_yet"), ("it", "lascia perdere", "drop"), ("it", "eliminala", "drop"),
    # negated or unfinished: never done
    ("fi", "ei tehty", "not_yet"), ("fi", "ei ole tehty", "not_yet"), ("fi", "ei oo valmis", "not_yet"),
    ("fi", "ei tehty vielä", "not_yet"), ("fi", "melkein valmis", "not_yet"), ("fi", "lähes valmis", "not_yet"),
    ("en", "almost done", "not_yet"), ("en", "nearly done", "not_yet"), ("it", "quasi fatto", "not_yet"),
    ("it", "quasi finito", "not_yet"),
    ("en", "all done", "done"), ("fi", "kaikki valmiita", "done"), ("it", "tutte fatte", "done"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "typed", "answer"), ACTION_REPLIES)
def test_an_answer_about_an_action_in_the_words_people_type(language: str, typed: str, answer: str) -> None:
    assert read_action(typed, language).understood.choice == answer
    assert read_checkin(typed, language).choice is None  # never a check-in answer as well


@pytest.mark.parametrize(
    ("language", "typed", "number"), [("en", "done 2", 2), ("fi", "ei vielä 1", 1), ("it", "fatta la 3", 3)]
)
def test_a_number_says_which_action(language: str, typed: str, number: int) -> None:
    assert read_action(typed, language).number == number


@pytest.mark.parametrize(
    ("language", "typed"),
    [("fi", "valmis ei ole"), ("fi", "ei valmis eikä tehty"), ("en", "almost finished"), ("it", "quasi completato"),
     ("fi", "lähes hoidettu")],
)  # fmt: skip
def test_a_done_negated_or_unfinished_is_not_done(language: str, typed: str) -> None:
    assert read_action(typed, language).understood.choice in (None, "not_yet")


@pytest.mark.parametrize(("language", "typed"), [("en", "all done"), ("fi", "kaikki valmiita"), ("it", "tutte fatte")])
def test_all_done_is_about_every_action(language: str, typed: str) -> None:
    assert read_action(typed, language).every and not read_action("done 2", language).every


STRAY = [
    ("en", "I'm done for today"), ("en", "thanks, all done"), ("en", "scrap that last message"),
    ("it", "finito per oggi"), ("it", "ok, tutto fatto"), ("fi", "kunnossa, kiitos"), ("fi", "poista minut"),
    ("en", "Print flyers is done: number 3"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "typed"), STRAY)
def test_an_answer_in_a_remark_is_not_the_whole_message(language: str, typed: str) -> None:
    assert not read_action(typed, language).whole


@pytest.mark.parametrize(
    ("language", "typed"), [("en", "done 2"), ("en", "Done!"), ("fi", "ei vielä 1"), ("it", "lascia perdere"),
                            ("en", "all done")]
)  # fmt: skip
def test_an_answer_that_is_the_whole_message(language: str, typed: str) -> None:
    assert read_action(typed, language).whole


def test_an_unclear_answer_about_an_action_is_not_taken() -> None:
    assert read_action("not done, or maybe drop it", "en").understood.choice is None  # two answers
    assert read_action("done?", "en").understood.choice is None
    assert read_action("we moved forward", "en").understood.choice is None
    assert checkin_named("we moved forward", "en") and not checkin_named("done", "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_checkin_phrase_reads_as_an_action_answer(language: str) -> None:
    reading = load_bundle(language).reading
    for phrases in reading.checkin.values():
        for phrase in phrases:
            assert read_action(phrase, language).understood.choice is None, phrase


OFFER_REPLIES = [
    ("en", "yes", "yes"), ("en", "sure, let's look again", "yes"), ("en", "no thanks", "no"), ("en", "not now", "no"),
    ("en", "maybe later", "later"), ("en", "ask me later", "later"),
    ("fi", "kyllä", "yes"), ("fi", "joo, katsotaan", "yes"), ("fi", "ei kiitos", "no"), ("fi", "ei", "no"),
    ("fi", "myöhemmin", "later"), ("fi", "ehkä myöhemmin", "later"),
    ("it", "sì", "yes"), ("it", "certo, facciamolo", "yes"), ("it", "no grazie", "no"), ("it", "non ora", "no"),
    ("it", "più tardi", "later"), ("it", "magari dopo", "later"),
    ("en", "I don't know", None), ("en", "I don't mind", None), ("en", "maybe", None), ("en", "yes but later", None),
    ("fi", "katsotaan", None), ("fi", "selvä", None), ("fi", "en tiedä", None), ("fi", "katsotaan uudelleen", "yes"),
    ("it", "sì ma dopo", None),
]  # fmt: skip


@pytest.mark.parametrize(("language", "typed", "answer"), OFFER_REPLIES)
def test_an_answer_to_the_offer_to_look_again(language: str, typed: str, answer: str | None) -> None:
    assert read_offer(typed, language).choice == answer


@pytest.mark.parametrize(
    ("language", "typed", "only"),
    [("en", "no thanks", True), ("fi", "ei kiitos", True), ("it", "no grazie", True), ("en", "yes, done!", False),
     ("fi", "joo valmis", False), ("fi", "ei vielä", False), ("it", "sì fatto", False), ("it", "ok fatto", False),
     ("en", "same, no change", False)],
)  # fmt: skip
def test_a_reply_that_is_only_the_offers_words(language: str, typed: str, only: bool) -> None:
    assert offer_only(typed, language) is only


def test_the_offers_buttons_are_read_too() -> None:
    for language in LANGUAGES:
        messages = load_bundle(language).messages
        assert read_offer(messages.text("button_lookback_yes"), language).choice == "yes"
        assert read_offer(messages.text("button_lookback_no"), language).choice == "no"
        assert read_action(messages.text("button_action_drop"), language).understood.choice == "drop"


LINES = tuple(ActionLine(i, f"Action {i}", "U1", "2026-12-02") for i in (7, 9, 12))


def test_which_action_a_typed_answer_is_about() -> None:
    assert pick_action(LINES[:1], None) == LINES[0]  # one asked: no number needed
    assert pick_action(LINES, None) is None  # several: the number says which
    assert pick_action(LINES, 2) == LINES[1]
    assert pick_action(LINES, 4) is None and pick_action(LINES, 0) is None
    assert pick_action(LINES[:1], 3) == LINES[0]  # one asked: "done, took 3 hours" is about it
    assert pick_action(LINES[:1], 3, named=True) is None  # "drop 3" as the whole message: no third one
    assert pick_action(LINES[:1], 1, named=True) == LINES[0]


def test_asked_back_which_one_the_prompt_keeps_the_answer_given() -> None:
    asked = ActionsAsk(LINES, answer="done")
    assert prompt_of(asked) == OpenPrompt("actions", "done/7.9.12")
    assert asked_ids(asked.ref) == (7, 9, 12) and pending_answer(asked.ref) == "done"
    assert pending_answer("7.9.12") is None and pending_answer("x/7") is None


def test_listed_actions_are_the_open_prompt_and_a_declined_offer_closes_it() -> None:
    asked = ActionsAsk(LINES, listed=True)
    assert prompt_of(asked) == OpenPrompt("actions", "7.9.12")
    assert asked_ids(asked.ref) == (7, 9, 12) and asked_ids("x.1") == ()
    for key in ("lookback_declined", "revisit_declined", "offer_later"):
        assert prompt_of(Notice(key)) is None
    assert prompt_of(Notice("action_which")) == "keep"
