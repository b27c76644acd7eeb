"""Cheap replies: message templates built once per locale and outcome (and still exactly what the
views render, valid Block Kit), slack_sdk's own Web API client that never sends a call twice that
may have taken effect, and App Home republished at the end of a step rather than after every answer."""

from __future__ import annotations

import logging

import pytest
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot.cli import SDK_LOGGERS, give_sdk_loggers_a_level
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.errors import SlackFault, classify
from bot.views.render import render, rendered_message
from flows.content import QUESTION_IDS, available_locales, load_bundle
from flows.outcomes import Ask, Closed, Outcome
from tests.conftest import wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver


def asks_and_closes(assessment_id: int) -> list[Outcome]:
    total = len(QUESTION_IDS)
    outcomes: list[Outcome] = []
    for number, question in enumerate(QUESTION_IDS, start=1):
        outcomes.append(Ask(assessment_id, question, number, total))
        for how, rating in (("answered", "ready"), ("answered", "not_yet"), ("skipped", None), ("left", None)):
            outcomes.append(Closed(assessment_id, question, number, total, how, rating, "D0X", f"{number}.1"))  # type: ignore[arg-type]
    return outcomes


@pytest.mark.parametrize("locale", available_locales())
def test_templates_are_what_the_views_render_and_valid_block_kit(locale: str) -> None:
    bundle = load_bundle(locale)
    for assessment_id in (7, 123456):  # the second use of each template is filled in, not rebuilt
        for outcome in asks_and_closes(assessment_id):
            text, blocks = rendered_message(bundle, outcome)
            fresh = render(bundle, outcome)
            assert (text, blocks) == (fresh.text, fresh.block_dicts())
            assert [Block.parse(block).to_dict() for block in blocks] == blocks  # type: ignore[union-attr]


def test_a_question_template_carries_each_assessments_own_block_ids() -> None:
    bundle = load_bundle()
    _text, first = rendered_message(bundle, Ask(1, "reason", 1, 6))
    _text, second = rendered_message(bundle, Ask(2, "reason", 1, 6))
    assert "answer:1:reason" in str(first) and "answer:2:reason" in str(second) and "answer:1:" not in str(second)


class FormattedCount(str):
    """A message text that counts how often it is written out for a log line (``repr``)."""

    formatted = 0

    def __repr__(self) -> str:
        FormattedCount.formatted += 1
        return str.__repr__(self)


def test_the_web_api_client_writes_out_no_call_for_debug_lines_nobody_logs(
    fake_slack: FakeSlack, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """slack_sdk formats each request for a debug line when its logger's own level is unset, whatever
    level the coach logs at; the command line gives that logger the coach's level, so a call costs no
    such work."""
    for name in SDK_LOGGERS:  # as they were, after the test
        monkeypatch.setattr(logging.getLogger(name), "level", logging.getLogger(name).level)
    give_sdk_loggers_a_level()
    FormattedCount.formatted = 0
    client = make_web_client(settings)
    assert client.chat_postMessage(channel="D0ONE", text=FormattedCount("hi"))["ok"]
    assert FormattedCount.formatted == 0
    assert fake_slack.calls_to("chat.postMessage")[-1].args["text"] == "hi"


def test_the_web_api_client_is_slack_sdks_own_with_its_retry_handlers(
    fake_slack: FakeSlack, settings: Settings
) -> None:
    client = make_web_client(settings)
    assert type(client) is WebClient  # no private method of slack_sdk overridden (issue 20, item 18)
    fake_slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=0)
    assert client.chat_postMessage(channel="D0ONE", text="hi")["ok"]
    calls = fake_slack.calls_to("chat.postMessage")
    assert len(calls) == 2 and not calls[0].response["ok"]  # the 429 was waited out and retried


def test_a_post_whose_answer_was_lost_is_never_sent_again_by_the_client(
    fake_slack: FakeSlack, settings: Settings
) -> None:
    """Issue 20, item 18: the connection dropped after Slack took the message; sending it again could
    post it twice, so the client leaves it to the outbox, which looks in the DM's history first."""
    client = make_web_client(settings)
    fake_slack.fail("chat.postMessage", hang_up=True)
    with pytest.raises(OSError) as raised:
        client.chat_postMessage(channel="D0ONE", text="hi")
    assert classify(raised.value) is SlackFault.UNCERTAIN
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_read_whose_connection_dropped_is_asked_again(fake_slack: FakeSlack, settings: Settings) -> None:
    client = make_web_client(settings)
    fake_slack.fail("users.info", hang_up=True)
    assert client.users_info(user="U0ONE")["ok"]
    assert len(fake_slack.calls_to("users.info")) == 2


def test_home_is_republished_when_a_step_ends_not_after_every_answer(coach_server: SlackDriver, settings) -> None:
    from bot.store import Store

    driver, user = coach_server, "U0HOME"
    store = Store(settings.coach_db)
    driver.open_home(user)  # only a member who has looked at App Home gets it republished
    driver.fake.wait_for("views.publish", count=1, user_id=user)
    driver.command(user)
    driver.wait_question(user, 1)
    wait_for_empty_outbox(store)
    # App Home is published once the row is done, off the member's queue: wait for it, not the outbox.
    published = driver.fake.wait_for("views.publish", count=2, user_id=user)
    before = len(published)  # opened, then the assessment began: two
    for count, word in enumerate(["yes", "partly", "no"], start=2):
        driver.dm(user, word)
        driver.wait_question(user, count)
    wait_for_empty_outbox(store)
    assert len(driver.fake.calls_to("views.publish", user_id=user)) == before == 2
    for word in ["yes", "yes", "partly"]:
        driver.dm(user, word)
    driver.messages_with(user, "Your social media readiness")
    driver.fake.wait_for("views.publish", count=3, user_id=user)  # the verdict


def test_home_is_not_republished_for_a_member_who_never_opened_it(coach_server: SlackDriver, settings) -> None:
    """Everyone else gets App Home fresh when they first open it: no views.publish for nobody to see."""
    from bot.store import Store

    driver, user = coach_server, "U0NOHOME"
    driver.command(user)
    driver.wait_question(user, 1)
    wait_for_empty_outbox(Store(settings.coach_db))
    assert driver.fake.calls_to("views.publish", user_id=user) == []
    driver.open_home(user)
    driver.fake.wait_for("views.publish", count=1, user_id=user)
