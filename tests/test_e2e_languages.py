"""Members coached in their own language, end to end: Slack locale fi-FI or it-IT, typed words in
that language, a check-in, and switching with /coach language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store
from flows.values import MemberKey
from tests.blocks import all_text
from tests.slack_driver import SlackDriver
from tests.test_e2e_journey import place

LANGUAGE_CASES = [
    # locale, words typed for the six answers, expected texts
    (
        "fi-FI",
        ["kyllä", "osittain", "Kyllä!", "joo", "osittain", "ei"],
        {
            "pointer": "Lähetin sinulle yksityisviestin",
            "question": "Kysymys 1/6: Selkeä syy",
            "summary": "Somevalmiutesi: Hyvällä matkalla",
            "checkin": "Viimeksi olit vaiheessa 3",
            "forward": "Olet vaiheessa 4",
            "answered": "Vastauksesi: Kyllä, meillä on selkeä tavoite",
        },
    ),
    (
        "it-IT",
        ["sì", "in parte", "Sì!", "certo", "in parte", "no"],
        {
            "pointer": "Ti ho scritto in un messaggio diretto",
            "question": "Domanda 1 di 6: Un motivo chiaro",
            "summary": "La tua attività e i social: Ci siamo quasi",
            "checkin": "L'ultima volta eri alla fase 3",
            "forward": "Sei alla fase 4",
            "answered": "La tua risposta: Sì, abbiamo un obiettivo chiaro",
        },
    ),
]


@pytest.mark.parametrize(("locale", "words", "expected"), LANGUAGE_CASES)
def test_assessment_by_typing_in_the_members_language(coach_server: SlackDriver, locale, words, expected) -> None:
    driver = coach_server
    user = "U0" + locale[:2].upper()
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    assert expected["pointer"] in driver.command_reply(user)["text"]
    first = driver.wait_question(user, 1)
    assert expected["question"] in first.args["text"]
    for count, word in enumerate(words, start=1):
        driver.wait_question(user, count)
        driver.dm(user, word)
    (summary,) = driver.messages_with(user, expected["summary"])
    assert "Weakest link" not in all_text(summary.args["blocks"])


@pytest.mark.parametrize(("locale", "words", "expected"), LANGUAGE_CASES)
def test_assessment_by_clicking_and_a_checkin_in_the_members_language(
    coach_server: SlackDriver,
    tick,
    settings,
    locale,
    words,
    expected,
) -> None:
    driver = coach_server
    user = "U1" + locale[:2].upper()
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    driver.command(user)
    for count, rating in enumerate(["ready", "partly", "ready", "ready", "partly", "not_yet"], start=1):
        question = driver.wait_question(user, count)
        driver.click(user, question, f"answer:{rating}")
    driver.messages_with(user, expected["summary"])
    update = driver.fake.wait_for("chat.update")[0]
    assert expected["answered"] in all_text(update.args["blocks"])

    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    place(Store(settings.coach_db), MemberKey("T0001", user), 3, "Europe/Helsinki", monday - timedelta(days=7))
    tick(monday)
    (checkin,) = [c for c in driver.fake.messages_to(f"D{user}") if expected["checkin"] in c.args.get("text", "")]
    driver.click(user, checkin, "checkin:forward")
    driver.messages_with(user, expected["forward"])


def test_language_command_switches_and_is_remembered(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    user = "U0SWITCH"
    driver.fake.users[user] = {"id": user, "locale": "en-US"}
    driver.command(user)
    assert "Question 1 of 6" in driver.wait_question(user, 1).args["text"]
    assert "suomeksi" in driver.command_reply(user, "language fi")["text"]
    driver.dm(user, "status")
    (status,) = driver.messages_with(user, "Olet kysymyksessä 1/6")
    assert "Italian" not in status.args["text"]
    assert "italiano" in driver.command_reply(user, "language IT")["text"]
    driver.dm(user, "kyllä")  # read in the member's language and English only: asked back, not recorded
    driver.messages_with(user, "Hai scritto")
    driver.dm(user, "sì")
    assert "Domanda 2 di 6" in driver.wait_question(user, 2).args["text"]
    assert "en, fi, it" in driver.command_reply(user, "language sv")["text"]
    assert Store(settings.coach_db).member(MemberKey("T0001", user)).language == "it"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("locale", "typed", "asked"),
    [
        ("fi-FI", "ei menty eteenpäin", "Valitse jokin alla olevista vaihtoehdoista"),
        ("it-IT", "nessun passo avanti", "Scegli una delle opzioni qui sotto"),
        ("en-US", "no better this week", "Pick one of the options below"),
        ("it-IT", "ci siamo passati a instagram", "Scegli una delle opzioni qui sotto"),  # skipped it, via "pass"
    ],
)
def test_a_checkin_answer_turned_round_by_a_no_is_asked_back_not_recorded(
    coach_server: SlackDriver, tick, settings, locale: str, typed: str, asked: str
) -> None:
    """ "ei menty eteenpäin" (we did not move forward) was recorded as *moved forward*, stage 4."""
    driver = coach_server
    user, member = "U2" + locale[:2].upper(), MemberKey("T0001", "U2" + locale[:2].upper())
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    place(Store(settings.coach_db), member, 3, "Europe/Helsinki", monday - timedelta(days=7))
    tick(monday)
    driver.dm(user, typed)
    (reply,) = driver.messages_with(user, asked)
    assert f'"{typed}"' in reply.args["text"] and "*" not in reply.args["text"]  # no option offered as meant
    assert Store(settings.coach_db).member(member).stage == 3  # type: ignore[union-attr]
