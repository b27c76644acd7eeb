"""A member who types every reply in the DM, end to end over HTTP: read, asked back when unclear,
recorded only when clear or confirmed, and kept in their own words."""

from __future__ import annotations

import json

import pytest

from bot.store import Store
from flows.content import QUESTION_IDS, load_bundle
from flows.values import MemberKey
from tests.blocks import all_text
from tests.slack_driver import SlackDriver
from tests.test_e2e_home_privacy import home_opened

CLICKER, TYPER = "U0CLICK", "U0TYPE"
RATINGS = ["ready", "partly", "not_yet", "ready", "partly", "ready"]


def summary_text(driver: SlackDriver, user: str) -> str:
    (summary,) = driver.messages_with(user, "Your social media readiness")
    return all_text(summary.args["blocks"])


def click_through(driver: SlackDriver) -> None:
    driver.command(CLICKER)
    for number, rating in enumerate(RATINGS, start=1):
        driver.click(CLICKER, driver.wait_question(CLICKER, number), f"answer:{rating}")


def test_typing_every_reply_gives_the_same_verdict_as_clicking(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    click_through(driver)
    clicked = summary_text(driver, CLICKER)

    driver.command(TYPER)
    replies = ["Yes, we do!", "sort of", "nope, nobody", "absolutely 👍"]
    for number, reply in enumerate(replies, start=1):
        driver.wait_question(TYPER, number)
        driver.dm(TYPER, reply)
    driver.wait_question(TYPER, 5)
    driver.dm(TYPER, "fine")  # an everyday word: asked back, nothing recorded, nothing ended
    driver.dm(TYPER, "maybe <!channel>")
    unclear, maybe = driver.messages_with(TYPER, "You wrote", count=2)
    assert 'You wrote "fine", and I\'m not sure which answer you mean' in unclear.args["text"]
    assert "Did you mean *In our heads, not on paper*?" in maybe.args["text"]
    assert "&lt;!channel&gt;" in maybe.args["text"] and "<!channel>" not in json.dumps(maybe.args)
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MemberKey("T0001", TYPER))
    assert latest is not None and latest.state == "policy" and "policy" not in store.answers(latest.id)

    assert driver.click(TYPER, maybe, "confirm:partly").status == 200
    driver.wait_question(TYPER, 6)
    closed = driver.fake.wait_for("chat.update", ts=maybe.response["ts"])[-1]
    assert all(block["type"] != "actions" for block in closed.args["blocks"])  # its buttons are gone
    driver.dm(TYPER, "we track it monthly")
    typed = summary_text(driver, TYPER)

    for summary in (clicked, typed):
        assert "Your social media readiness: Not for now" in summary and "8 of 12 points" in summary
    assert 'In your words: "maybe &lt;!channel&gt;"' in typed
    assert 'In your words: "nope, nobody"' in typed
    answers = store.answers(latest.id)
    assert answers == dict(zip(QUESTION_IDS, RATINGS, strict=True))
    assert store.answer_texts(latest.id)["policy"] == "maybe <!channel>"


def test_typed_words_reach_home_and_export_and_forget_deletes_them(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.command(TYPER)
    for number, reply in enumerate(["yes we do", "kind of", "no idea", "yep", "2", "nah"], start=1):
        driver.wait_question(TYPER, number)
        driver.dm(TYPER, reply)
    driver.messages_with(TYPER, "Your social media readiness")
    home_opened(driver, TYPER)
    driver.home_showing(TYPER, lambda blocks: 'In your words: "no idea"' in all_text(blocks), "with their words")

    driver.command_reply(TYPER, "export")
    data = json.loads(driver.fake.wait_for("upload")[0].args["content"])
    kept = {a["question_id"]: a["text"] for a in data["assessments"][0]["answers"]}
    assert kept["reason"] == "yes we do" and kept["resources"] == "no idea"
    assert kept["policy"] is None  # "2" names an option; there are no words of theirs to keep

    question = driver.command_reply(TYPER, "forget")
    carrier = driver.fake.calls_to("conversations.open")[0]
    carrier.args.update(channel="C0GENERAL", blocks=question["blocks"])
    carrier.response["ts"] = "1.1"
    driver.click(TYPER, carrier, "forget_confirm")
    driver.messages_with(TYPER, "has been deleted")
    store = Store(settings.coach_db)
    assert list(store.db.query("select * from answers")) == []
    assert list(store.db.query("select * from assessments")) == []


def test_commands_typed_in_the_dm_only_as_whole_messages_in_the_members_language(
    coach_server: SlackDriver, settings
) -> None:
    driver = coach_server
    user = "U0ITALO"
    driver.command(user)
    first = driver.wait_question(user, 1)
    assert "italiano" in driver.command_reply(user, "language it")["text"]
    for everyday in ("ciao", "fine", "avanti", "ok"):
        driver.dm(user, everyday)
    driver.messages_with(user, "Hai scritto", count=4)  # each one asked back; nothing quit or skipped
    store = Store(settings.coach_db)
    latest = store.latest_assessment(MemberKey("T0001", user))
    assert latest is not None and latest.state == "reason" and store.answers(latest.id) == {}

    driver.dm(user, "sì")
    driver.wait_question(user, 2)
    # Replies go out in order per member, so once the answer to "help" arrives, question 2's message
    # is on record as the one to close; only then does the member type again.
    driver.settle(user)
    driver.dm(user, "ricomincia")  # asked first: it clears this round's answers
    driver.messages_with(user, "Ricominciare la valutazione dalla prima domanda?")
    driver.dm(user, "sì")
    driver.wait_question(user, 3)
    restarted = driver.fake.wait_for("chat.update", ts=driver.wait_question(user, 2).response["ts"])[-1]
    assert "hai ricominciato dalla prima domanda" in all_text(restarted.args["blocks"])
    assert first.response["ts"] != restarted.args["ts"]
    driver.dm(user, "esci")
    driver.messages_with(user, "Qui non c'è niente da chiudere")
    driver.dm(user, "dimentica")
    (confirm,) = driver.messages_with(user, "Non si può annullare")
    assert "forget_confirm" in json.dumps(confirm.args["blocks"])  # asks first, with a button to confirm
    assert store.latest_assessment(MemberKey("T0001", user)) is not None  # nothing deleted before confirming


def test_a_forged_did_you_mean_click_changes_nothing(coach_server: SlackDriver, settings, caplog) -> None:
    driver = coach_server
    user = "U0FORGE"
    driver.command(user)
    driver.wait_question(user, 1)
    driver.dm(user, "hmm")
    (asked,) = driver.messages_with(user, "You wrote")
    body = driver.action_body(user, asked, "confirm:ready", "networks:ready", asked.args["blocks"][1]["block_id"])
    with caplog.at_level("WARNING"):
        assert driver.post(body, "application/x-www-form-urlencoded").status == 200
        driver.messages_with(user, "could not read that button")
    assert "ignored a malformed answer" in caplog.text
    latest = Store(settings.coach_db).latest_assessment(MemberKey("T0001", user))
    assert latest is not None and latest.state == "reason" and latest.pending_text == "hmm"


def test_yes_to_did_you_mean_records_the_answer_offered_and_no_records_nothing(
    coach_server: SlackDriver, settings
) -> None:
    """Over HTTP as Slack sends DMs: "yes" after "Did you mean *Nobody has time for it*?" records that
    answer with the member's own words (it used to record *Yes, it's someone's job*); "no" records
    nothing and offers the three answers again with none first; "I don't understand" is explained."""
    driver, user = coach_server, "U0CONFIRM"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command(user)
    driver.wait_question(user, 1)
    driver.dm(user, "I don't understand")
    driver.messages_with(user, load_bundle().assessment.question("reason").explain[:40])  # explained
    driver.dm(user, "maybe")
    driver.messages_with(user, "Did you mean")
    driver.dm(user, "no")
    (again,) = driver.messages_with(user, "I'm not sure which answer you mean")
    assert 'You wrote "maybe"' in again.args["text"]
    latest = store.latest_assessment(member)
    assert latest is not None and latest.state == "reason" and store.answers(latest.id) == {}

    driver.dm(user, "1")
    driver.wait_question(user, 2)
    driver.settle(user)
    driver.dm(user, "probably not")
    (offered,) = driver.messages_with(user, "Did you mean *No idea where to start*?")
    driver.dm(user, "yes")
    driver.wait_question(user, 3)
    assert store.answers(latest.id) == {"reason": "ready", "networks": "not_yet"}
    assert store.answer_texts(latest.id)["networks"] == "probably not"


def test_a_number_after_did_you_mean_picks_that_button_not_a_yes_or_no(coach_server: SlackDriver, settings) -> None:
    """Helper-found (over HTTP): after "Did you mean *Roughly, but it's vague*?", "1" recorded *Roughly*
    (read as a yes) and "3" asked again (read as a no); a number picks the button it numbers."""
    driver, user = coach_server, "U0NUMBER"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command(user)
    driver.wait_question(user, 1)
    driver.dm(user, "maybe")
    driver.messages_with(user, "Did you mean *Roughly, but it's vague*?")
    driver.dm(user, "3")
    driver.wait_question(user, 2)
    latest = store.latest_assessment(member)
    assert latest is not None and store.answers(latest.id) == {"reason": "not_yet"}
    assert store.answer_texts(latest.id) == {"reason": "maybe"}


def test_a_click_on_did_you_mean_closes_the_question_and_keeps_its_own_message(
    coach_server: SlackDriver, settings
) -> None:
    """Helper-found (over HTTP): confirming on "Did you mean …?" rewrote that message into the closed
    question and left the question itself with live buttons."""
    driver, user = coach_server, "U0CONFIRMCLICK"
    driver.command(user)
    first = driver.wait_question(user, 1)
    driver.click(user, first, "answer:ready")
    second = driver.wait_question(user, 2)
    driver.settle(user)
    driver.dm(user, "maybe")
    (asked,) = driver.messages_with(user, "You wrote")
    assert driver.click(user, asked, "confirm:partly").status == 200
    driver.wait_question(user, 3)
    closed_question = driver.fake.wait_for("chat.update", ts=second.response["ts"])[-1]
    assert all(block["type"] != "actions" for block in closed_question.args["blocks"])  # its buttons are gone
    updates_of_asked = [c for c in driver.fake.calls_to("chat.update") if c.args["ts"] == asked.response["ts"]]
    assert updates_of_asked and all('You wrote "maybe"' in c.args["text"] for c in updates_of_asked)


def test_no_to_forget_asks_again_the_question_it_was_at(coach_server: SlackDriver, settings) -> None:
    """Helper-found (over HTTP): after "forget" and "no", typed answers got "I haven't asked you
    anything just now" although the assessment was at question 2."""
    driver, user = coach_server, "U0KEEPME"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command(user)
    driver.wait_question(user, 1)
    driver.dm(user, "yes")
    driver.wait_question(user, 2)
    driver.settle(user)
    driver.dm(user, "forget")
    driver.messages_with(user, "It cannot be undone")
    driver.dm(user, "no")
    driver.messages_with(user, "Nothing was deleted")
    assert "Question 2 of 6" in driver.wait_question(user, 3).args["text"]  # asked again
    driver.settle(user)
    driver.dm(user, "sort of")
    assert "Question 3 of 6" in driver.wait_question(user, 4).args["text"]
    latest = store.latest_assessment(member)
    assert latest is not None and store.answers(latest.id) == {"reason": "ready", "networks": "partly"}


def test_resume_typed_while_paused_resumes_the_checkins_not_the_assessment(coach_server: SlackDriver, settings) -> None:
    """Helper-found (over HTTP): "resume" typed after "pause" said "Welcome back!", posted question 1 again
    and left the check-ins paused; the README says resume acts at any prompt."""
    driver, user = coach_server, "U0RESUMER"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command(user)
    driver.wait_question(user, 1)
    driver.settle(user)
    driver.dm(user, "pause")
    driver.messages_with(user, "Weekly check-ins are paused")
    assert store.member(member).paused  # type: ignore[union-attr]
    driver.dm(user, "resume")
    driver.messages_with(user, "Check-ins are switched on. They begin once")  # no stage yet: no check-in to promise
    assert not store.member(member).paused  # type: ignore[union-attr]
    asked = [m for m in driver.fake.messages_to(f"D{user}") if "Question 1 of 6" in (m.args.get("text") or "")]
    assert len(asked) == 1  # the assessment was not asked again


def test_a_yes_with_a_weaker_answers_words_and_an_italian_pronoun_si_are_asked_back(
    coach_server: SlackDriver, settings
) -> None:
    """Probe: "yes we fit it in when we can" was recorded as *Yes, it's someone's job*, and Italian
    "quando si può" (si, the pronoun, typed like sì) as *Sì*."""
    driver = coach_server
    english, italian = "U0HEDGE", "U0PRONOME"
    driver.fake.users[italian] = {"id": italian, "locale": "it-IT"}
    for user in (english, italian):
        driver.command(user)
        driver.wait_question(user, 1)
        driver.dm(user, "1")
        driver.wait_question(user, 2)
        driver.dm(user, "1")
        driver.wait_question(user, 3)
    driver.dm(english, "yes we fit it in when we can")
    driver.messages_with(english, "Did you mean *We'll fit it in when we can*?")
    driver.dm(english, "yes")
    driver.wait_question(english, 4)
    driver.dm(italian, "lo facciamo quando si può")
    unclear = load_bundle("it").messages.text("did_you_mean_unclear", text="lo facciamo quando si può")
    driver.messages_with(italian, unclear[:40])
    store = Store(settings.coach_db)
    english_row, italian_row = (store.latest_assessment(MemberKey("T0001", u)) for u in (english, italian))
    assert english_row is not None and store.answers(english_row.id)["resources"] == "partly"
    assert italian_row is not None and "resources" not in store.answers(italian_row.id)


@pytest.mark.parametrize(("locale", "typed"), [("en-US", "not a clear one"), ("it-IT", "non direi")])
def test_an_answer_turned_round_is_asked_back_without_offering_the_answer_it_denies(
    coach_server: SlackDriver, settings, locale: str, typed: str
) -> None:
    """Chat probe: "not a clear one" got "Did you mean *Yes, we have a clear goal*?", so a plain yes
    then recorded the very answer the member had denied."""
    driver = coach_server
    user = f"U0TURN{locale[:2].upper()}"
    driver.fake.users[user] = {"id": user, "locale": locale}
    driver.command(user)
    driver.wait_question(user, 1)
    driver.dm(user, typed)
    unclear = load_bundle(locale[:2]).messages.text("did_you_mean_unclear", text=typed)
    driver.messages_with(user, unclear[:40])
    row = Store(settings.coach_db).latest_assessment(MemberKey("T0001", user))
    assert row is not None and "reason" not in Store(settings.coach_db).answers(row.id)


@pytest.mark.parametrize(
    ("locale", "yes", "keeping", "going_ahead"),
    [
        ("en-US", "yes", "yes keep my data", "Yes, delete everything!"),
        ("fi-FI", "joo", "joo älä poista", "kyllä, poista kaikki"),
        ("it-IT", "sì", "sì tieni tutto", "sì, cancella tutto"),
    ],
)
def test_a_yes_that_says_keep_deletes_nothing_and_only_a_clear_go_ahead_deletes(
    coach_server: SlackDriver, settings, locale: str, yes: str, keeping: str, going_ahead: str
) -> None:
    """Probe (over HTTP): "yes keep my data", "joo älä poista" and "sì tieni tutto" after "forget"
    deleted everything, as their yes was read and the rest was not."""
    driver, user = coach_server, "U0SURE" + locale[:2].upper()
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    messages = load_bundle(locale[:2]).messages
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    forget = load_bundle(locale[:2]).reading.commands["forget"][0]
    driver.command(user)
    driver.wait_question(user, 1)
    driver.dm(user, yes)
    driver.wait_question(user, 2)
    driver.settle(user)
    driver.dm(user, forget)
    driver.messages_with(user, messages.text("forget_question")[:30])
    driver.dm(user, keeping)
    driver.messages_with(user, messages.text("forget_kept"))
    assert store.latest_assessment(member) is not None  # nothing deleted
    driver.settle(user)
    driver.dm(user, forget)
    driver.messages_with(user, messages.text("forget_question")[:30], count=2)
    driver.dm(user, going_ahead)
    driver.messages_with(user, messages.text("forgotten")[:20])
    assert store.latest_assessment(member) is None


@pytest.mark.parametrize(
    ("locale", "keeping", "going_ahead"),
    [
        ("en-US", "yes, don't start over", "yes start over"),
        ("fi-FI", "joo älä aloita alusta", "kyllä"),
        ("it-IT", "sì ma non ricominciare", "sì ricomincia"),
    ],
)
def test_a_yes_that_turns_restart_down_clears_no_answer(
    coach_server: SlackDriver, settings, locale: str, keeping: str, going_ahead: str
) -> None:
    driver, user = coach_server, "U0AGAIN" + locale[:2].upper()
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    bundle = load_bundle(locale[:2])
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command(user)
    driver.click(user, driver.wait_question(user, 1), "answer:ready")
    driver.wait_question(user, 2)
    driver.settle(user)
    driver.dm(user, bundle.reading.commands["restart"][0])
    driver.messages_with(user, bundle.messages.text("restart_question")[:30])
    driver.dm(user, keeping)
    driver.messages_with(user, bundle.messages.text("restart_kept"))
    latest = store.latest_assessment(member)
    assert latest is not None and store.answers(latest.id) == {"reason": "ready"}
    driver.settle(user)
    driver.dm(user, bundle.reading.commands["restart"][0])
    driver.messages_with(user, bundle.messages.text("restart_question")[:30], count=2)
    driver.dm(user, going_ahead)
    driver.messages_with(user, bundle.messages.text("restarted")[:25])
    latest = store.latest_assessment(member)
    assert latest is not None and store.answers(latest.id) == {}


@pytest.mark.parametrize(
    ("locale", "why", "yes"), [("en-US", "why?", "yes"), ("fi-FI", "miksi?", "kyllä"), ("it-IT", "perché?", "sì")]
)
def test_a_question_at_the_forget_confirmation_explains_it_again_and_keeps_it_open(
    coach_server: SlackDriver, settings, locale: str, why: str, yes: str
) -> None:
    """Probe (over HTTP): "why?" after "forget" closed the confirmation ("Nothing was deleted")
    instead of saying what it deletes."""
    driver, user = coach_server, "U0WHY" + locale[:2].upper()
    driver.fake.users[user] = {"id": user, "locale": locale, "tz": "Europe/Helsinki"}
    bundle = load_bundle(locale[:2])
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command(user)
    driver.wait_question(user, 1)
    driver.settle(user)
    driver.dm(user, bundle.reading.commands["forget"][0])
    question = bundle.messages.text("forget_question")[:30]
    driver.messages_with(user, question)
    driver.dm(user, why)
    driver.messages_with(user, question, count=2)
    assert store.member(member) is not None and store.open_prompt(member)[0] == "forget:"
    driver.dm(user, yes)
    driver.messages_with(user, bundle.messages.text("forgotten")[:20])
    assert store.member(member) is None
