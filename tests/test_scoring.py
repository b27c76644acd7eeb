"""Scoring that follows the readiness article: the verdict rules, the plan and the weakest link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.assessment import evaluate
from flows.content import QUESTION_IDS, Rating, load_bundle
from flows.summary import summary_text
from flows.verdicts import VERDICT_RULES

README = Path(__file__).resolve().parents[1] / "README.md"

# Questions in order: reason, networks, resources, pipeline, policy, measurement.


def answers(*ratings: str | None) -> dict[str, Rating]:
    return {qid: rating for qid, rating in zip(QUESTION_IDS, ratings, strict=True) if rating is not None}  # type: ignore[misc]


@pytest.mark.parametrize(
    ("ratings", "verdict", "score"),
    [
        (("ready",) * 6, "ready", 12),
        (("ready", "ready", "ready", "ready", "ready", "partly"), "ready", 11),
        (("partly", "ready", "ready", "ready", "ready", "partly"), "ready", 10),
        (("ready", "ready", "ready", "partly", "partly", "partly"), "getting_there", 9),
        # One not_yet caps the verdict below Ready however strong the rest is: the weakest link.
        (("ready", "ready", "ready", "ready", "ready", "not_yet"), "getting_there", 10),
        (("ready", "ready", "ready", "ready", "ready", None), "getting_there", 10),
        (("ready", "ready", "ready", "not_yet", "not_yet", "not_yet"), "not_yet", 6),
        (("partly", "partly", "partly", "partly", "partly", "not_yet"), "not_yet", 5),
        (("partly", "not_yet", "partly", "not_yet", "not_yet", "not_yet"), "not_yet", 2),
        (("ready", "ready", "partly", "partly", "not_yet", "not_yet"), "getting_there", 6),
        (("ready", "partly", "partly", "partly", "not_yet", "not_yet"), "not_yet", 5),
    ],
)
def test_verdicts(ratings: tuple[str | None, ...], verdict: str, score: int) -> None:
    result = evaluate(QUESTION_IDS, answers(*ratings))
    assert (result.verdict, result.score, result.max_score) == (verdict, score, 12)


@pytest.mark.parametrize("policy", ["partly", "not_yet", None])
def test_no_ready_without_a_written_policy(policy: str | None) -> None:
    """The article calls the policy vital: a policy only "in our heads" keeps a business from Ready."""
    result = evaluate(QUESTION_IDS, answers("ready", "ready", "ready", "ready", policy, "ready"))
    assert result.verdict == "getting_there"


def test_no_goal_with_everything_else_ready_is_not_ready_and_says_not_to_start_until_there_is_one() -> None:
    """Article, question 1: without a goal social media is a waste of time; work out the goal first."""
    result = evaluate(QUESTION_IDS, answers("not_yet", "ready", "ready", "ready", "ready", "ready"))
    assert result.verdict == "better_elsewhere"
    summary = summary_text(load_bundle("en").assessment.verdicts[result.verdict], result)
    assert "don't start until you have one" in summary
    assert "stop here" not in summary  # the people are there: only the goal is missing


def test_nobody_to_keep_it_going_is_told_to_stop_now() -> None:
    """Article, question 3: if you will not stick with it, stop now; don't waste time starting."""
    result = evaluate(QUESTION_IDS, answers("ready", "ready", "not_yet", "ready", "ready", "ready"))
    assert result.verdict == "better_elsewhere"
    summary = summary_text(load_bundle("en").assessment.verdicts[result.verdict], result)
    assert "better to stop here" in summary and "don't start until" not in summary


@pytest.mark.parametrize(
    "ratings",
    [
        ("not_yet", "ready", "not_yet", "not_yet", "ready", "ready"),
        ("not_yet", "partly", "partly", "partly", "partly", "partly"),
        ("partly", "partly", "not_yet", "ready", "ready", "ready"),
        ("not_yet",) * 6,
        ("not_yet", None, "not_yet", "not_yet", None, None),  # three clear noes suffice to judge
    ],
)
def test_no_reason_or_no_people_is_reason_enough_not_to_start(ratings: tuple[str | None, ...]) -> None:
    assert evaluate(QUESTION_IDS, answers(*ratings)).verdict == "better_elsewhere"


@pytest.mark.parametrize(
    "ratings",
    [
        ("ready", "ready", "ready", "not_yet", "ready", "ready"),  # 10 points, but feedback goes nowhere
        ("partly", "partly", "partly", "not_yet", "ready", "ready"),
    ],
)
def test_the_feedback_route_comes_before_going_online(ratings: tuple[str, ...]) -> None:
    """Article, question 4: build the route before you enter social media."""
    result = evaluate(QUESTION_IDS, answers(*ratings))
    assert result.verdict == "not_yet"
    assert "route for customer feedback" in summary_text(load_bundle("en").assessment.verdicts["not_yet"], result)


def test_a_skipped_reason_is_unknown_not_a_no() -> None:
    result = evaluate(QUESTION_IDS, answers(None, "ready", "ready", "ready", "ready", "ready"))
    assert result.verdict == "getting_there"


def test_the_policy_sentence_does_not_make_the_rest_optional() -> None:
    result = evaluate(QUESTION_IDS, answers("ready", "ready", "ready", "ready", "not_yet", "ready"))
    summary = summary_text(load_bundle("en").assessment.verdicts[result.verdict], result)
    assert "the one piece" not in summary and "house rules in writing" in summary
    assert "like the goal, the people and the feedback route" in summary


@pytest.mark.parametrize(
    ("ratings", "verdict"),
    [
        (("ready", "ready", None, None, None, None), "cant_tell"),
        (("not_yet", None, None, "not_yet", None, None), "cant_tell"),
        (("ready", None, "not_yet", "not_yet", None, None), "better_elsewhere"),  # a clear "nobody" suffices
        ((None,) * 6, "cant_tell"),
        (("ready", "ready", "ready", None, None, None), "not_yet"),  # half answered is enough to judge
    ],
)
def test_most_questions_skipped_means_cant_tell_yet(ratings: tuple[str | None, ...], verdict: str) -> None:
    assert evaluate(QUESTION_IDS, answers(*ratings)).verdict == verdict


def test_plan_lists_answered_gaps_weakest_first_then_skipped_ones() -> None:
    result = evaluate(QUESTION_IDS, answers("partly", "ready", "not_yet", None, "partly", "not_yet"))
    assert [r.question_id for r in result.plan] == ["resources", "measurement", "reason", "policy", "pipeline"]
    assert result.weakest is not None and result.weakest.question_id == "resources"
    assert (result.answered, result.skipped) == (5, 1)


def test_a_skipped_question_is_never_named_the_weakest_link() -> None:
    result = evaluate(QUESTION_IDS, answers("ready", "ready", None, "ready", "ready", "ready"))
    assert result.weakest is None and [r.question_id for r in result.plan] == ["resources"]


def test_no_weak_link_when_everything_is_ready() -> None:
    result = evaluate(QUESTION_IDS, answers(*("ready",) * 6))
    assert result.weakest is None and result.plan == ()


def test_readme_lists_the_verdicts_in_the_order_their_rules_apply() -> None:
    table = README.read_text(encoding="utf-8").split("<!-- verdicts:start -->")[1].split("<!-- verdicts:end -->")[0]
    titles = re.findall(r"^\| \*(.+?)\* \|", table, flags=re.MULTILINE)
    by_title = {v.title: key for key, v in load_bundle("en").assessment.verdicts.items()}
    assert [by_title[t] for t in titles] == [rule.verdict for rule in VERDICT_RULES]


def test_readme_states_each_verdict_rule_as_the_rules_table_has_it() -> None:
    table = README.read_text(encoding="utf-8").split("<!-- verdicts:start -->")[1].split("<!-- verdicts:end -->")[0]
    rows = re.findall(r"^\| \*(.+?)\* \| (.+) \|$", table, flags=re.MULTILINE)
    titles = {key: v.title for key, v in load_bundle("en").assessment.verdicts.items()}
    assert rows == [(titles[rule.verdict], rule.readme) for rule in VERDICT_RULES]
