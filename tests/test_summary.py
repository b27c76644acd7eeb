"""Every sentence of a summary is true of the member's answers, in Slack and in the terminal."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from bot.terminal.chat import render_text
from bot.views.assessment import plan_item_text, summary, weakest_link_text
from flows.assessment import AssessmentResult, evaluate
from flows.content import LANGUAGES, QUESTION_IDS, RATINGS, Bundle, Rating, load_bundle
from flows.outcomes import Summary
from flows.summary import claims_hold, summary_text
from tests.blocks import all_text, model_text

WHEN = datetime(2026, 11, 23, tzinfo=UTC)
READY: dict[str, Rating] = dict.fromkeys(QUESTION_IDS, "ready")


def every_result() -> list[AssessmentResult]:
    results = []
    for combination in itertools.product((*RATINGS, None), repeat=len(QUESTION_IDS)):
        answers: dict[str, Rating] = {q: r for q, r in zip(QUESTION_IDS, combination, strict=True) if r}
        results.append(evaluate(QUESTION_IDS, answers))
    return results


RESULTS = every_result()


def slack_text(bundle: Bundle, result: AssessmentResult) -> str:
    return all_text(summary(bundle, Summary(1, result, WHEN)).block_dicts())


def slack_model_text(bundle: Bundle, result: AssessmentResult) -> str:
    """What ``slack_text`` reads, from the blocks as built (4,096 results a language: no ``to_dict``)."""
    return model_text(summary(bundle, Summary(1, result, WHEN)).blocks)


def untrue_sentences(bundle: Bundle, result: AssessmentResult, shown: str) -> list[str]:
    counts = {"answered": result.answered, "skipped": result.skipped, "total": len(result.results)}
    return [
        sentence.text
        for verdict in bundle.assessment.verdicts.values()
        for sentence in verdict.summary
        if sentence.text.format(**counts) in shown and not claims_hold(sentence, result)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_summary_sentence_shown_is_true_of_the_answers(language: str) -> None:
    """All 4,096 ways to answer, rendered for Slack and for the terminal."""
    bundle = load_bundle(language)
    for result in RESULTS:
        for shown in (slack_model_text(bundle, result), render_text(bundle, Summary(1, result, WHEN))):
            assert untrue_sentences(bundle, result, shown) == [], (result.verdict, result.results)


def test_the_blocks_read_as_built_say_what_slack_is_sent() -> None:
    bundle = load_bundle("fi")
    for result in RESULTS[::97]:
        assert sorted(slack_model_text(bundle, result).split("\n")) == sorted(slack_text(bundle, result).split("\n"))


def test_the_truth_check_can_fail() -> None:
    bundle = load_bundle("en")
    glancing = evaluate(QUESTION_IDS, {**READY, "measurement": "partly"})
    claim = "Keep an eye on the figures you chose and check them against your goal every month."
    assert untrue_sentences(bundle, glancing, claim) == [claim]


def test_ready_summary_speaks_of_chosen_figures_only_to_members_who_chose_them() -> None:
    bundle = load_bundle("en")
    tracking = slack_text(bundle, evaluate(QUESTION_IDS, READY))
    glancing = slack_text(bundle, evaluate(QUESTION_IDS, {**READY, "measurement": "partly"}))
    assert "figures you chose" in tracking and "firm up" not in tracking
    assert "figures you chose" not in glancing and "firm up" in glancing


def test_better_elsewhere_is_kind_and_says_what_to_do_instead() -> None:
    answers: dict[str, Rating] = {**READY, "reason": "not_yet", "resources": "not_yet", "pipeline": "not_yet"}
    text = render_text(load_bundle("en"), Summary(1, evaluate(QUESTION_IDS, answers), WHEN))
    assert "Your social media readiness: Not for now" in text
    assert "not a failure" in text and "what already brings you customers" in text
    assert "If you come back to it later" in text


def test_cant_tell_yet_counts_the_skipped_questions() -> None:
    text = slack_text(load_bundle("en"), evaluate(QUESTION_IDS, {"reason": "ready", "policy": "partly"}))
    assert "Can't tell yet" in text and "You skipped 4 of the 6 questions" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_weakest_link_line_never_repeats_the_first_plan_item(language: str) -> None:
    bundle = load_bundle(language)
    for result in RESULTS:
        if result.weakest is None:
            continue
        line = weakest_link_text(bundle, result)
        first = plan_item_text(bundle, result.plan[0])
        assert result.plan[0] == result.weakest
        sentences = {s.strip() for s in line.replace("\n", ". ").split(". ")}
        assert not any(len(s) > 20 and s in first for s in sentences), line


THIS_WEEK = {"en": "week", "fi": "viiko", "it": "settiman"}  # "this week" / "first week" in each language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_verdict_gives_a_first_step_for_this_week(language: str) -> None:
    """Whatever the answers, a verdict (other than "can't tell yet", which asks for answers first)
    names something to do this week, not just "close the gaps"."""
    bundle = load_bundle(language)
    for result in RESULTS:
        if result.verdict == "cant_tell":
            continue
        text = summary_text(bundle.assessment.verdicts[result.verdict], result).lower()
        assert THIS_WEEK[language] in text, (result.verdict, result.results)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_ready_member_with_only_a_hunch_about_networks_is_not_told_of_the_network_they_picked(
    language: str,
) -> None:
    """Helper-found: *Ready* with networks answered "We have a hunch" said "post twice on the network
    you picked"; that member is told to pick the one where their customers are."""
    bundle = load_bundle(language)
    picked, hunch = (
        [s.text for s in bundle.assessment.verdicts["ready"].summary if s.when.get("networks") == (rating,)][0]
        for rating in ("ready", "partly")
    )
    result = evaluate(QUESTION_IDS, {**READY, "networks": "partly"})
    assert result.verdict == "ready"
    shown = slack_text(bundle, result)
    assert hunch in shown and picked not in shown
    assert picked in slack_text(bundle, evaluate(QUESTION_IDS, READY))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_summary_never_names_a_first_step_other_than_the_weakest_link(language: str) -> None:
    """Chat probe: "Start with a route for customer feedback" above "Weakest link: The right networks
    … It comes first in the steps below". Only the weakest-link line says where to start."""
    bundle = load_bundle(language)
    starts = {"en": "start with", "fi": "aloita", "it": "comincia"}[language]
    for verdict in bundle.assessment.verdicts.values():
        for sentence in verdict.summary:
            assert not sentence.text.lower().startswith(starts), sentence.text
