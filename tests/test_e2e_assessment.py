"""The readiness assessment end to end: signed Slack requests over real HTTP to the real Bolt app,
with the fake Slack Web API on loopback answering the app's calls."""

from __future__ import annotations

from bot.store import Store
from flows.content import QUESTION_IDS
from flows.values import MemberKey
from tests.blocks import all_text
from tests.slack_driver import SlackDriver

USER = "U0ALICE"


def summary_messages(driver: SlackDriver, user: str) -> list[str]:
    return [
        all_text(c.args["blocks"])
        for c in driver.fake.messages_to(f"D{user}")
        if "Your social media readiness" in c.args.get("text", "")
    ]


def test_whole_assessment_by_clicking(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    assert "direct message" in driver.command_reply(USER)["text"]

    ratings = ["ready", "partly", "ready", "ready", "partly", "not_yet"]
    for number, rating in enumerate(ratings, start=1):
        question = driver.wait_question(USER, number)
        assert f"Question {number} of 6" in question.args["text"]
        assert driver.click(USER, question, f"answer:{rating}").status == 200
        update = driver.fake.wait_for("chat.update", count=number)[-1]
        assert update.args["ts"] == question.response["ts"]
        assert all(block["type"] != "actions" for block in update.args["blocks"])  # buttons gone once answered

    driver.fake.wait_for("chat.postMessage", count=8)
    (summary,) = summary_messages(driver, USER)
    assert "Your social media readiness: Getting there" in summary
    assert "8 of 12 points" in summary
    assert "Weakest link: *Measuring what matters*" in summary
    assert "Your action plan" in summary

    store = Store(settings.coach_db)
    latest = store.latest_assessment(MemberKey("T0001", USER))
    assert latest is not None and latest.completed_at is not None
    assert store.answers(latest.id) == dict(zip(QUESTION_IDS, ratings, strict=True))


def wait_for_text(driver: SlackDriver, user: str, fragment: str, count: int = 1) -> list[str]:
    """Wait until ``count`` messages to the member's DM contain ``fragment``; return all their texts."""
    driver.messages_with(user, fragment, count=count)
    return [all_text(c.args.get("blocks") or []) or c.args.get("text", "") for c in driver.fake.messages_to(f"D{user}")]


def test_whole_assessment_by_typing(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.command(USER, "start")
    driver.wait_question(USER, 1)
    # The skipped question 4 comes back once before the verdict; skipping it again leaves it unanswered.
    typed = ["Yes!", "partly", "nope", "back", "sort of", "skip", "2", "No.", "skip"]
    for count, text in enumerate(typed, start=2):
        assert driver.dm(USER, text).status == 200
        if count <= len(typed):
            driver.wait_question(USER, count)
    assert "Question 4 of 6" in driver.wait_question(USER, 9).args["text"]
    wait_for_text(driver, USER, "Your social media readiness")
    wait_for_text(driver, USER, "let's look again at the questions you skipped")

    store = Store(settings.coach_db)
    latest = store.latest_assessment(MemberKey("T0001", USER))
    assert latest is not None and latest.completed_at is not None
    # "back" reopened question 3, "sort of" re-answered it, "skip" left question 4 unanswered.
    assert store.answers(latest.id) == {
        "reason": "ready",
        "networks": "partly",
        "resources": "partly",
        "policy": "partly",
        "measurement": "not_yet",
    }
    (summary,) = summary_messages(driver, USER)
    assert "Weakest link: *Measuring what matters*" in summary  # the weakest answered gap, never a skipped one


def test_an_answer_typed_while_slack_is_slow_to_close_the_last_one_still_closes_its_question(
    coach_server: SlackDriver, settings
) -> None:
    """The next question is posted first and the answered one closed after it, in one row; where the
    next question landed is kept as soon as it is posted, so a member who types the answer while the
    close is still under way (Slack slow) sees that question's buttons go too."""
    driver, user = coach_server, "U0TYPIST"
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.command_reply(user)
    first = driver.wait_question(user, 1)
    slow_updates = driver.fake.hold("chat.update")
    try:
        assert driver.click(user, first, "answer:ready").status == 200
        second = driver.wait_question(user, 2)
        driver.fake.wait_for("chat.update")  # the close is under way, and held
        latest = store.latest_assessment(member)  # where the question landed was kept before it
        assert latest is not None and latest.prompt_ts == second.response["ts"]
        assert driver.dm(user, "yes").status == 200
    finally:
        slow_updates.set()
    driver.wait_question(user, 3)
    closed = [call.args["ts"] for call in driver.fake.wait_for("chat.update", count=2)]
    assert closed[:2] == [first.response["ts"], second.response["ts"]]


def test_a_second_click_on_retake_asks_the_first_question_once(coach_server: SlackDriver, settings) -> None:
    driver = coach_server
    driver.command(USER)
    for number in range(1, 7):
        driver.click(USER, driver.wait_question(USER, number), "answer:ready")
    (verdict,) = driver.messages_with(USER, "Your social media readiness")
    driver.click(USER, verdict, "assessment_retake")
    driver.messages_with(USER, "Question 1 of 6", count=2)
    driver.click(USER, verdict, "assessment_retake")  # the same button again, a moment later
    driver.messages_with(USER, "has just begun")
    driver.settle(USER)
    assert len(driver.messages_with(USER, "Question 1 of 6")) == 2  # the first round's, and the retake's
    store = Store(settings.coach_db)
    assert len(store.recent_assessments(MemberKey("T0001", USER), 5)) == 2
