"""The plan canvas keeps what people write in it, end to end in every language: the coach edits only
its own parts (found with ``canvases.sections.lookup``, changed with section-level ``canvases.edit``
operations), so a paragraph a member adds survives every later save, and a part whose lines a person
rewrote is kept as they left it, with a message that says so."""

from __future__ import annotations

import pytest

from bot.views.common import format_date
from flows.content import load_bundle
from flows.plan import PlanContent
from tests.conftest import TEST_NOW
from tests.slack_driver import SlackDriver
from tests.test_e2e_follow_up import take_assessment
from tests.test_e2e_plan import (
    NETWORKS,
    RESOURCES,
    inserted,
    state,
    static_select,
    submit_section,
    user_in,
    users_select,
)

OWN_NOTE = "Our own note: the printer is called on Fridays."
LAST_WORD = "Signed off by the whole team."
MORE_HOURS = state(owner=users_select("U0BOB"), hours=static_select("1_2"), stand_in=users_select("U0DORA"))


def said(driver: SlackDriver, user: str, text: str, count: int) -> None:
    """Wait for the ``count``-th message to the member that starts like ``text``."""
    driver.messages_with(user, text.split("{")[0].rstrip(": "), count=count)


def canvas_with_part_3(driver: SlackDriver, user: str, plan: PlanContent) -> tuple[str, str]:
    """The member saves part 3 (people and time); the canvas made of it, and the words of its hours."""
    submit_section(driver, user, "resources", RESOURCES)
    (created,) = driver.fake.wait_for("canvases.create")
    said(driver, user, plan.messages["canvas_ready"], 1)
    return created.response["canvas_id"], plan.section("resources").field("hours").options[1].label  # 3-5 hours


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_paragraph_the_member_added_survives_later_saves(coach_server: SlackDriver, language: str) -> None:
    driver, plan = coach_server, load_bundle(language).plan
    user = user_in(driver, language, "KEEP")
    canvas_id, hours_line = canvas_with_part_3(driver, user, plan)
    canvases = driver.fake.canvases
    canvases.person_adds(canvas_id, OWN_NOTE, after_text=hours_line)  # inside the coach's part 3
    canvases.person_adds(canvas_id, LAST_WORD)  # and at the very end

    submit_section(driver, user, "networks", NETWORKS)
    said(driver, user, plan.messages["canvas_updated"], 1)
    submit_section(driver, user, "resources", MORE_HOURS)  # the part around the member's note, rewritten
    said(driver, user, plan.messages["canvas_updated"], 2)

    text = canvases.text(canvas_id)
    assert OWN_NOTE in text and text.rstrip().endswith(LAST_WORD)
    assert "Instagram" in text and "![](@U0DORA)" in text  # both saves are in the canvas
    assert hours_line not in text and "![](@U0CARL)" not in text  # the old part 3 is gone
    assert [c.method for c in driver.fake.calls if c.method.startswith("canvases.")].count("canvases.create") == 1
    assert all(c.args["canvas_id"] == canvas_id for c in inserted(driver.fake.calls))
    assert not any(c.args["changes"][0].get("section_id") is None for c in driver.fake.calls_to("canvases.edit"))


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_part_a_person_rewrote_is_kept_and_the_member_is_told(coach_server: SlackDriver, language: str) -> None:
    driver, plan = coach_server, load_bundle(language).plan
    user = user_in(driver, language, "THEIRS")
    canvas_id, hours_line = canvas_with_part_3(driver, user, plan)
    their_words = "Anna and Ben share it, about four hours a week."
    driver.fake.canvases.person_rewrites(canvas_id, hours_line, their_words)

    submit_section(driver, user, "resources", MORE_HOURS)
    heading = f"3. {plan.section('resources').title}"
    said(driver, user, plan.messages["canvas_kept"].replace("{parts}", f"*{heading}*"), 1)
    text = driver.fake.canvases.text(canvas_id)
    assert their_words in text and "![](@U0DORA)" not in text  # theirs kept, the coach's new lines not written
    assert driver.fake.calls_to("canvases.edit") == []


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_the_channel_canvas_keeps_what_people_add_when_republished(coach_server: SlackDriver, language: str) -> None:
    """``/coach plan #channel`` again after a change edits only the coach's parts of the channel canvas."""
    driver, plan = coach_server, load_bundle(language).plan
    admin = user_in(driver, language, "CHIEF")
    driver.fake.users[admin]["is_admin"] = True
    _canvas, hours_line = canvas_with_part_3(driver, admin, plan)
    assert driver.command_reply(admin, "plan <#C0SHOP|shop>")["text"]
    (published,) = driver.fake.calls_to("conversations.canvases.create")
    channel_canvas = published.response["canvas_id"]
    canvases = driver.fake.canvases
    canvases.person_adds(channel_canvas, OWN_NOTE, after_text=hours_line)  # inside the coach's part 3
    canvases.person_adds(channel_canvas, LAST_WORD)

    submit_section(driver, admin, "networks", NETWORKS)
    submit_section(driver, admin, "resources", MORE_HOURS)
    said(driver, admin, plan.messages["canvas_updated"], 2)
    driver.command_reply(admin, "plan <#C0SHOP|shop>")

    text = canvases.text(channel_canvas)
    assert OWN_NOTE in text and text.rstrip().endswith(LAST_WORD)
    assert "Instagram" in text and "![](@U0DORA)" in text and hours_line not in text
    assert len(driver.fake.calls_to("conversations.canvases.create")) == 1
    channel_edits = [c for c in driver.fake.calls_to("canvases.edit") if c.args["canvas_id"] == channel_canvas]
    assert channel_edits and all(c.args["changes"][0].get("section_id") or c.args["changes"][0]["operation"]
                                 == "insert_at_end" for c in channel_edits)  # fmt: skip
    assert not any(c.args["changes"][0]["operation"] == "replace" for c in channel_edits)


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_channel_canvas_part_a_person_rewrote_is_kept_and_the_admin_is_told(
    coach_server: SlackDriver, language: str
) -> None:
    driver, plan = coach_server, load_bundle(language).plan
    admin = user_in(driver, language, "HEAD")
    driver.fake.users[admin]["is_admin"] = True
    _canvas, hours_line = canvas_with_part_3(driver, admin, plan)
    driver.command_reply(admin, "plan <#C0DESK|desk>")
    channel_canvas = driver.fake.calls_to("conversations.canvases.create")[0].response["canvas_id"]
    their_words = "Anna and Ben share it, about four hours a week."
    driver.fake.canvases.person_rewrites(channel_canvas, hours_line, their_words)

    submit_section(driver, admin, "resources", MORE_HOURS)
    said(driver, admin, plan.messages["canvas_updated"], 1)
    reply = driver.command_reply(admin, "plan <#C0DESK|desk>")["text"]
    heading = f"3. {plan.section('resources').title}"
    assert reply == plan.text("publish_kept", channel="C0DESK", parts=f"*{heading}*")
    assert their_words in driver.fake.canvases.text(channel_canvas)


def retaken(driver: SlackDriver, user: str, taken: int) -> None:
    """The member takes the assessment again by typing (the same day, the same answers as before)."""
    driver.dm(user, "retake")  # are you sure?
    driver.messages_with(user, load_bundle().messages.text("restart_question")[:20], count=taken)
    driver.dm(user, "yes")
    for count in range(taken * 6 + 1, taken * 6 + 7):
        driver.click(user, driver.wait_question(user, count), "answer:ready")


def test_the_same_verdict_twice_a_day_in_the_canvas_is_edited_line_by_line(coach_server: SlackDriver, settings) -> None:
    driver, bundle = coach_server, load_bundle()
    user = user_in(driver, "en", "TWICE")
    take_assessment(driver, user, "en-US", {})
    canvas_id, _hours = canvas_with_part_3(driver, user, bundle.plan)
    retaken(driver, user, 1)  # two verdicts the same day: two identical lines in the canvas's look back
    point = bundle.messages.text(
        "verdict_point", date=format_date(bundle, TEST_NOW), verdict=bundle.assessment.verdicts["ready"].title
    )
    canvases = driver.fake.canvases
    driver.fake.wait_until(lambda _c: canvases.text(canvas_id).count(point) == 2 or None, expected="two lines")
    retaken(driver, user, 2)  # a third: the look back rewritten, both identical lines deleted
    driver.fake.wait_until(lambda _c: canvases.text(canvas_id).count(point) == 3 or None, expected="three lines")
    submit_section(driver, user, "networks", NETWORKS)  # and a part saved after it
    driver.fake.wait_until(lambda _c: "Instagram" in canvases.text(canvas_id) or None, expected="part 2")
    assert canvases.text(canvas_id).count(point) == 3
    assert not [c for c in driver.fake.calls if c.method.startswith("files.")]  # never the Markdown file instead
