"""The plan's Block Kit: every section modal in every language passes slack_sdk's checks, filled or empty."""

from __future__ import annotations

import pytest

from bot.views.plan import home_blocks, offer, rerate, section_modal
from flows.content import LANGUAGES, QUESTION_IDS, load_bundle
from flows.plan_outcomes import PlanOffer, PlanRerate
from tests.test_plan_flows import complete_answers

ELEMENTS = {
    "text": "plain_text_input",
    "long_text": "plain_text_input",
    "person": "users_select",
    "choice": "static_select",
    "choices": "multi_static_select",
    "rules": "checkboxes",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_section_modal_is_valid_and_shows_earlier_answers(language: str) -> None:
    bundle = load_bundle(language)
    answers = complete_answers(bundle.plan)
    for section in bundle.plan.sections:
        for current in (None, answers[section.id]):
            view = section_modal(bundle, section.id, current).to_dict()
            inputs = view["blocks"][1:]
            assert [b["element"]["type"] for b in inputs] == [ELEMENTS[f.kind] for f in section.fields]
            assert [b["block_id"] for b in inputs] == [b["element"]["action_id"] for b in inputs]
        owner = section_modal(bundle, "resources", answers["resources"]).to_dict()["blocks"][1]["element"]
        assert owner["initial_user"] == "U0OWNER"


@pytest.mark.parametrize("language", LANGUAGES)
def test_offer_home_and_rerate_render_within_slacks_limits(language: str) -> None:
    bundle = load_bundle(language)
    everything = frozenset(QUESTION_IDS)
    for done in (frozenset(), frozenset({"reason"}), everything):
        rendered = offer(bundle, PlanOffer(QUESTION_IDS, done, saved="reason" if done else None))
        buttons = rendered.block_dicts()[1]["elements"]
        assert len(buttons) == len(QUESTION_IDS) + (0 if done == everything else 1)  # "Build my plan" until done
        assert [b.to_dict() for b in home_blocks(bundle, (), done, "https://x.slack.com/docs/T1/F1")]
    assert len(rerate(bundle, PlanRerate("policy")).block_dicts()[1]["elements"]) == 3
