"""Actions with owners and dates, end to end in every language: a verdict's next step becomes an
action (its form: the step as the title, a user picker, a date picker), its owner is asked about it in
their weekly check-in of its week (``coach tick --now``), marks it done by a signed click, and App
Home shows it done; export includes it and forget deletes it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from bot.store import Store
from bot.views.actions import due_text, in_sentence
from bot.views.common import escape
from flows.content import load_bundle
from flows.values import MemberKey
from tests.blocks import all_text
from tests.conftest import TEST_NOW
from tests.slack_driver import Reply, SlackDriver
from tests.test_e2e_follow_up import home_showing
from tests.test_e2e_home_privacy import home_opened
from tests.test_e2e_journey import place
from tests.test_e2e_plan import RESOURCES, finish_assessment, submit_section, user_in, wait_dm

DUE = "2026-12-02"  # the Wednesday after TEST_NOW: its week's check-in is Monday 30 November
MONDAY_CHECKIN = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 09:00 in Helsinki


def forget(driver: SlackDriver, user: str) -> None:
    """``/coach forget``, confirmed with a signed click on the private question's button."""
    question = driver.command_reply(user, "forget")
    carrier = driver.fake.calls_to("users.info")[0]  # any recorded call can carry the ephemeral blocks
    carrier.args.update(channel="C0GENERAL", blocks=question["blocks"])
    carrier.response["ts"] = "1.1"
    assert driver.click(user, carrier, "forget_confirm").status == 200


def submit_form(driver: SlackDriver, user: str, values: dict[str, Any]) -> Reply:
    """The form's ``view_submission``, carrying its source as Slack gives it back (``private_metadata``)."""
    payload = json.loads(parse_qs(driver.view_submission_body(user, "action_form", values))["payload"][0])
    payload["view"]["private_metadata"] = "step:measurement"
    return driver.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def action_form(driver: SlackDriver, user: str) -> dict:
    summary = wait_dm(driver, user, "action_new")
    assert driver.click(user, summary, "action_new", "step:measurement").status == 200
    view = driver.fake.wait_until(
        lambda calls: next((c.args["view"] for c in calls if c.method == "views.open"), None), expected="the form"
    )
    assert view["callback_id"] == "action_form" and view["private_metadata"] == "step:measurement"
    return view


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_a_next_step_becomes_an_action_its_owner_is_asked_about_and_marks_done(
    coach_server: SlackDriver, tick, settings, language: str
) -> None:
    driver, bundle = coach_server, load_bundle(language)
    messages = bundle.messages
    user, owner = user_in(driver, language, "MAKER"), user_in(driver, language, "OWNER")
    store = Store(settings.coach_db)
    place(store, MemberKey("T0001", owner), 3, "Europe/Helsinki", TEST_NOW)
    finish_assessment(driver, user)  # measurement answered "not yet": its next step is offered as an action

    view = action_form(driver, user)
    step = bundle.assessment.question("measurement").advice["not_yet"].next_step
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["title"]["initial_value"] == step and elements["owner"]["initial_user"] == user
    values = {
        "title": {"title": {"type": "plain_text_input", "value": step}},
        "owner": {"owner": {"type": "users_select", "selected_user": owner}},
        "due": {"due": {"type": "datepicker", "selected_date": DUE}},
    }
    assert submit_form(driver, user, values).status == 200
    title = escape(in_sentence(step))
    saved = messages.text("action_saved", title=title, owner=f"<@{owner}>", date=due_text(bundle, DUE))
    driver.messages_with(user, saved)  # the owner is placed: their check-in will ask about it

    (made,) = driver.fake.wait_for("slackLists.create")
    list_id = made.response["list_id"]
    driver.fake.wait_for("slackLists.items.create")
    assert driver.fake.lists.lists[list_id]["shared_with"] == [user]
    assert driver.fake.lists.items(list_id) == [{"title": step, "owner": [owner], "due": [DUE], "done": False}]

    tick(MONDAY_CHECKIN)
    (asked,) = driver.messages_with(owner, messages.text("actions_due_title"))
    assert in_sentence(step) in all_text(asked.args["blocks"])
    assert driver.click(owner, asked, "action_answer:done").status == 200
    driver.messages_with(owner, messages.text("action_answered_done", title=in_sentence(step)).split(":")[0])
    home_opened(driver, owner)
    line = messages.text("home_action", title=in_sentence(step), owner=f"<@{owner}>", date=due_text(bundle, DUE))
    home_showing(driver, owner, f"✅ {line}")

    driver.fake.wait_until(lambda _c: driver.fake.lists.items(list_id)[0]["done"] or None, expected="ticked")
    # Attack probe: "Not yet" on the same old message reopened the action, and each click applied again.
    assert driver.click(owner, asked, "action_answer:not_yet").status == 200
    driver.messages_with(owner, messages.text("action_already", title=step).split("(")[0])
    assert [(a.status) for a in store.actions.of_member(MemberKey("T0001", owner))] == ["done"]

    exported = store.export_member(MemberKey("T0001", owner))["actions_owned"]
    assert [(a["title"], a["status"], a["due"]) for a in exported] == [(step, "done", DUE)]
    forget(driver, user)  # the maker: their actions go, and the List's items with them
    driver.fake.wait_until(lambda _c: driver.fake.lists.items(list_id) == [] or None, expected="items deleted")
    assert store.export_member(MemberKey("T0001", owner))["actions_owned"] == []


def test_an_action_in_the_past_or_without_words_is_refused_in_the_form(coach_server: SlackDriver) -> None:
    driver, messages = coach_server, load_bundle("en").messages
    user = user_in(driver, "en", "HASTY")
    finish_assessment(driver, user)
    action_form(driver, user)
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "  "}},
        "owner": {"owner": {"type": "users_select", "selected_user": user}},
        "due": {"due": {"type": "datepicker", "selected_date": "2026-11-01"}},
    }
    refused = submit_form(driver, user, values).json()
    assert refused == {"response_action": "errors", "errors": {"title": messages.text("action_no_title")}}
    values["title"] = {"title": {"type": "plain_text_input", "value": "Ask five customers"}}
    refused = submit_form(driver, user, values).json()
    assert refused == {"response_action": "errors", "errors": {"due": messages.text("action_date_past")}}


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_without_a_list_the_actions_are_a_checklist_in_the_plan_canvas(
    coach_server: SlackDriver, tick, settings, language: str
) -> None:
    driver, bundle = coach_server, load_bundle(language)
    user = user_in(driver, language, "LISTLESS")
    place(Store(settings.coach_db), MemberKey("T0001", user), 3, "Europe/Helsinki", TEST_NOW)
    driver.fake.fail("slackLists.create", error="access_denied")  # a free workspace: no Lists
    finish_assessment(driver, user)
    submit_section(driver, user, "resources", RESOURCES)
    canvas_id = driver.fake.wait_for("canvases.create")[0].response["canvas_id"]
    store, member = Store(settings.coach_db), MemberKey("T0001", user)
    driver.fake.wait_until(lambda _c: store.plans.document(member), expected="the canvas recorded")
    driver.fake.canvases.person_adds(canvas_id, "Our own note, kept.")
    action_form(driver, user)
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "Ask five customers *where* they found us"}},
        "owner": {"owner": {"type": "users_select", "selected_user": user}},
        "due": {"due": {"type": "datepicker", "selected_date": DUE}},
    }
    submit_form(driver, user, values)
    heading = f"## {bundle.plan.text('canvas_actions_heading')}"
    driver.fake.wait_until(lambda _c: heading in driver.fake.canvases.text(canvas_id) or None, expected="a checklist")
    text = driver.fake.canvases.text(canvas_id)
    assert "Our own note, kept." in text and any(line.startswith("- [ ] Ask five") for line in text.splitlines())

    tick(MONDAY_CHECKIN)
    (asked,) = driver.messages_with(user, bundle.messages.text("actions_due_title"))
    driver.click(user, asked, "action_answer:done")
    driver.fake.wait_until(
        lambda _c: "- [x] Ask five" in driver.fake.canvases.text(canvas_id) or None, expected="the item ticked"
    )
    assert "Our own note, kept." in driver.fake.canvases.text(canvas_id)
    assert len(driver.fake.calls_to("slackLists.create")) == 1  # refused once, not asked again


def count_the_likes(driver: SlackDriver, user: str, owner: str) -> None:
    """The open action form sent with "Count the likes" for ``owner``."""
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "Count the likes"}},
        "owner": {"owner": {"type": "users_select", "selected_user": owner}},
        "due": {"due": {"type": "datepicker", "selected_date": DUE}},
    }
    assert submit_form(driver, user, values).status == 200


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_an_action_for_someone_without_check_ins_says_no_one_will_ask_them(
    coach_server: SlackDriver, tick, settings, language: str
) -> None:
    """Probe (over HTTP): the maker was told "I'll ask @X about it in their weekly check-in", but X, with
    no stage, gets no check-in and was never asked."""
    driver, bundle = coach_server, load_bundle(language)
    user, owner = user_in(driver, language, "MAKER2"), user_in(driver, language, "NOSTAGE")
    finish_assessment(driver, user)
    action_form(driver, user)
    count_the_likes(driver, user, owner)
    said = {"title": "Count the likes", "owner": f"<@{owner}>", "date": due_text(bundle, DUE)}
    driver.messages_with(user, bundle.messages.text("action_saved_unplaced", **said))
    promised = bundle.messages.text("action_saved", **said)
    assert not [c for c in driver.fake.messages_to(f"D{user}") if promised in c.args.get("text", "")]


@pytest.mark.parametrize("language", ["en", "fi", "it"])
def test_an_action_of_ones_own_before_any_stage_says_when_it_will_be_asked(
    coach_server: SlackDriver, settings, language: str
) -> None:
    """Review: the maker as owner, with no stage yet, was told to invite themselves."""
    driver, bundle = coach_server, load_bundle(language)
    user = user_in(driver, language, "SELFMADE")
    finish_assessment(driver, user)
    action_form(driver, user)
    count_the_likes(driver, user, user)
    said = {"title": "Count the likes", "owner": f"<@{user}>", "date": due_text(bundle, DUE)}
    driver.messages_with(user, bundle.messages.text("action_saved_own_unplaced", **said))
