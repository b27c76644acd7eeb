"""Block Kit builders, tested on their output."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import DividerBlock

from bot.views.actions import action_modal
from bot.views.assessment import closed_question, question, scorecard_lines, summary
from bot.views.common import Rendered, escape, notice
from bot.views.journey import settings_modal
from flows.actions import ActionForm
from flows.assessment import evaluate
from flows.content import LANGUAGES, QUESTION_IDS, load_bundle
from flows.outcomes import Ask, Closed, Summary

BUNDLE = load_bundle()


def test_question_has_one_button_per_answer_keyed_by_question() -> None:
    rendered = question(BUNDLE, Ask(assessment_id=7, question_id="pipeline", number=4, total=6))
    blocks = rendered.block_dicts()
    answers = blocks[2]
    assert answers["block_id"] == "answer:7:pipeline"
    assert [e["value"] for e in answers["elements"]] == ["pipeline:ready", "pipeline:partly", "pipeline:not_yet"]
    assert [e["action_id"] for e in blocks[3]["elements"]] == ["assessment_back", "assessment_skip"]
    assert rendered.text.startswith("*Question 4 of 6: A route for customer feedback*")


def test_first_question_offers_no_back_button() -> None:
    blocks = question(BUNDLE, Ask(assessment_id=1, question_id="reason", number=1, total=6)).block_dicts()
    assert [e["action_id"] for e in blocks[3]["elements"]] == ["assessment_skip"]


def test_closed_question_has_no_buttons_and_shows_the_choice() -> None:
    closed = Closed(1, "policy", 5, 6, "answered", "partly", "D1", "1.0")
    blocks = closed_question(BUNDLE, closed).block_dicts()
    assert all(b["type"] != "actions" for b in blocks)
    assert "In our heads, not on paper" in blocks[-1]["elements"][0]["text"]


def test_summary_shows_verdict_scorecard_weakest_link_and_plan() -> None:
    result = evaluate(QUESTION_IDS, {"reason": "ready", "networks": "not_yet", "resources": "partly"})
    rendered = summary(BUNDLE, Summary(3, result, datetime(2026, 11, 23, tzinfo=UTC)))
    text = str(rendered.block_dicts())
    assert rendered.text == "Your social media readiness: Not yet"
    assert "The right networks: Not yet" in text and "Weakest link: *The right networks*" in text
    assert "Next step:" in text and "assessment_retake" in text


def test_notice_escapes_member_text() -> None:
    rendered = notice(BUNDLE, "not_understood", {"text": "<!channel> & <@U1>"})
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in rendered.text
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_more_than_fifty_blocks_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="50"):
        Rendered(text="x", blocks=[DividerBlock()] * 51)


def test_long_typed_answers_never_push_questions_off_the_scorecard() -> None:
    bundle = load_bundle()
    result = evaluate(QUESTION_IDS, {qid: "ready" for qid in QUESTION_IDS})
    words = {qid: "yes " + "&" * 600 for qid in QUESTION_IDS}
    rendered = summary(bundle, Summary(1, result, datetime(2026, 11, 23, tzinfo=UTC), words=words))
    shown = [block["text"]["text"] for block in rendered.block_dicts() if block["type"] == "section"]
    assert all(len(text) <= 3000 and not text.endswith("…") for text in shown)  # nothing cut off
    for qid in QUESTION_IDS:
        assert any(bundle.assessment.question(qid).title in text for text in shown)
    assert max(len(line) for line in scorecard_lines(bundle, result, words)) < 600  # each quote is short


def test_only_words_that_say_more_than_the_answer_are_quoted_back() -> None:
    bundle = load_bundle()
    result = evaluate(QUESTION_IDS, {qid: "ready" for qid in QUESTION_IDS})
    words = {"reason": "yes", "networks": "yes, Instagram mostly"}
    text = "\n".join(scorecard_lines(bundle, result, words))
    assert 'In your words: "yes, Instagram mostly"' in text and 'In your words: "yes"' not in text


def test_the_settings_form_shows_a_checkin_time_typed_off_its_half_hours() -> None:
    """Probe: "sunday at 20:15" typed in the DM showed as 09:00 in the form, and saving it stored 09:00."""
    view = settings_modal(load_bundle(), 6, "20:15", False).to_dict()
    (select,) = [b["element"] for b in view["blocks"] if b.get("block_id") == "time"]
    values = [o["value"] for o in select["options"]]
    assert select["initial_option"]["value"] == "20:15"
    assert values[values.index("20:15") - 1 : values.index("20:15") + 2] == ["20:00", "20:15", "20:30"]
    standard = settings_modal(load_bundle(), 0, "09:00", False).to_dict()
    (usual,) = [b["element"] for b in standard["blocks"] if b.get("block_id") == "time"]
    assert len(usual["options"]) == 32 and usual["initial_option"]["value"] == "09:00"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_forms_title_fits_slacks_limit_whole(language: str) -> None:
    """A modal's title longer than Slack's 24 characters is cut to fit; none of the content's should be."""
    bundle = load_bundle(language)
    settings = settings_modal(bundle, 0, "09:00", False)
    action = action_modal(bundle, ActionForm("plan", "Post twice a week", "U0ONE", "2026-12-14"))
    assert settings.title is not None and settings.title.text == bundle.messages.text("settings_title")
    assert action.title is not None and action.title.text == bundle.messages.text("action_form_title")
