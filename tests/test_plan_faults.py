"""The plan's canvas when Slack has a bad moment: the canvas is tried again from the outbox, and no
Markdown file is sent in between (the file is for workspaces that refuse canvases)."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from bot.store import Store
from bot.store.plans import PlanStore
from flows.content import load_bundle
from flows.values import MemberKey
from tests.conftest import serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver
from tests.test_e2e_plan import NETWORKS, RESOURCES, forget, inserted, submit_section, user_in


def test_a_canvas_slack_could_not_create_for_a_moment_is_created_later_without_a_file(
    coach_server: SlackDriver,
) -> None:
    driver = coach_server
    user = user_in(driver, "en", "BLIP")
    # A 500: the client never repeats a canvases.create (it may have made one), the outbox tries again later.
    driver.fake.fail("canvases.create", status=500, error="internal_error", times=1)
    assert submit_section(driver, user, "resources", RESOURCES).status == 200
    created = driver.fake.wait_for("canvases.create", count=2)
    assert [c.response.get("ok") for c in created] == [False, True]
    driver.messages_with(user, created[-1].response["canvas_id"])  # the link to the canvas
    assert driver.fake.calls_to("files.completeUploadExternal") == []


def test_two_sections_saved_at_once_make_one_canvas(coach_server: SlackDriver) -> None:
    driver = coach_server
    user = user_in(driver, "en", "TWICE")
    assert submit_section(driver, user, "resources", RESOURCES).status == 200
    assert submit_section(driver, user, "networks", NETWORKS).status == 200  # before the first canvas exists
    driver.messages_with(user, "Your plan canvas is up to date")  # the second found the first's canvas
    (created,) = driver.fake.calls_to("canvases.create")
    both = driver.fake.canvases.text(created.response["canvas_id"])
    assert "![](@U0BOB)" in both and "Instagram and Facebook" in both
    assert all(c.args["canvas_id"] == created.response["canvas_id"] for c in inserted(driver.fake.calls))


def test_a_canvas_slack_takes_longer_than_the_timeout_to_make_is_made_once(
    settings: Settings, fake_slack: FakeSlack
) -> None:
    """Issue 20, item 6: with SLACK_TIMEOUT at 1 s and canvases.create taking 1.5 s, the coach waits for
    the canvas rather than giving up and making a second; forget then deletes the one there is."""
    store = Store(settings.coach_db)
    with serving(settings.model_copy(update={"slack_timeout": 1}), store, fake_slack) as driver:
        user = user_in(driver, "en", "SLOW")
        driver.fake.fail("canvases.create", delay=1.5, succeed=True, times=1)
        assert submit_section(driver, user, "resources", RESOURCES).status == 200
        (created,) = driver.fake.wait_for("canvases.create")
        driver.messages_with(user, created.response["canvas_id"])  # the link to the one canvas
        wait_for_empty_outbox(store)
        assert len(driver.fake.calls_to("canvases.create")) == 1
        forget(driver, user)
        (deleted,) = driver.fake.wait_for("canvases.delete")
        assert deleted.args["canvas_id"] == created.response["canvas_id"]
        assert PlanStore(store).canvas_ids(MemberKey("T0001", user)) == ()


def test_a_channel_plan_slack_fails_once_on_is_published_on_the_next_try(
    coach_server: SlackDriver, fake_slack: FakeSlack
) -> None:
    """Probe: one 500 from conversations.canvases.create told the admin the channel had no canvases."""
    driver = coach_server
    admin = user_in(driver, "en", "BOSSP")
    driver.fake.users[admin]["is_admin"] = True
    assert submit_section(driver, admin, "resources", RESOURCES).status == 200
    driver.fake.wait_for("canvases.create")
    fake_slack.fail("conversations.canvases.create", error="internal_error", status=500, times=1)
    answer = driver.command_reply(admin, "plan <#C0PLAN|plan>")["text"]
    assert "invited" not in answer and "C0PLAN" in answer
    made = [c for c in fake_slack.calls_to("conversations.canvases.create") if c.response.get("ok")]
    assert len(made) == 1


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_channel_that_has_a_canvas_already_is_named_as_the_reason(
    coach_server: SlackDriver, fake_slack: FakeSlack, language: str
) -> None:
    """Probe (over HTTP): Slack's channel_canvas_already_exists was answered "invite me to the channel
    first", which cannot help."""
    driver = coach_server
    admin = user_in(driver, language, "BOSSX")
    driver.fake.users[admin]["is_admin"] = True
    assert submit_section(driver, admin, "resources", RESOURCES).status == 200
    driver.fake.wait_for("canvases.create")
    fake_slack.fail("conversations.canvases.create", error="channel_canvas_already_exists", times=1)
    answer = driver.command_reply(admin, "plan <#C0PLAN|plan>")["text"]
    expected = load_bundle(language).plan.text("publish_canvas_exists", channel="C0PLAN")
    assert answer == expected
