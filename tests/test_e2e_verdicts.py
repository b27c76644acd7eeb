"""The article's verdicts end to end: typed answers over real HTTP to the real Bolt app, the summary
as Slack receives it from the fake Web API."""

from __future__ import annotations

import pytest

from tests.slack_driver import SlackDriver
from tests.test_e2e_assessment import summary_messages, wait_for_text


def answer_by_typing(driver: SlackDriver, user: str, words: list[str]) -> str:
    driver.command(user, "start")
    for number, word in enumerate(words, start=1):
        driver.wait_question(user, number)
        assert driver.dm(user, word).status == 200
    wait_for_text(driver, user, "Scorecard")
    (summary,) = summary_messages(driver, user)
    return summary


@pytest.mark.parametrize(
    ("user", "words", "present", "absent"),
    [
        (
            "U0NOTNOW",
            ["no", "yes", "no", "no", "yes", "yes"],
            ["Your social media readiness: Not for now", "not a failure", "If you come back to it later"],
            ["Your action plan", "Hold off on posting"],
        ),
        (
            "U0SKIPPY",
            [
                "yes",
                "skip",
                "skip",
                "skip",
                "skip",
                "partly",
                "skip",
                "skip",
                "skip",
                "skip",
            ],  # each skip offered again
            ["Your social media readiness: Can't tell yet", "You skipped 4 of the 6 questions"],
            ["Not yet"],
        ),
        (
            "U0HEADS",
            ["yes", "yes", "yes", "yes", "partly", "yes"],
            ["Your social media readiness: Getting there", "put your house rules in writing"],
            ["Your social media readiness: Ready"],
        ),
        (
            "U0LIKES",
            ["yes", "yes", "yes", "yes", "yes", "partly"],
            ["Your social media readiness: Ready", "written policy included", "One thing to firm up"],
            ["figures you chose"],
        ),
    ],
)
def test_verdicts_end_to_end(coach_server: SlackDriver, user, words, present, absent) -> None:
    summary = answer_by_typing(coach_server, user, words)
    for text in present:
        assert text in summary
    for text in absent:
        assert text not in summary
