"""Scoring that follows the readiness article: the verdict rules, the plan and the weakest link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.assessment import evaluate
from flows.content import QUESTION_IDS, Rating, load_bundle

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
        (("partly", "not_yet", "not_yet", "not_yet", "not_yet", "not_yet"), "not_yet", 1),
        (("ready", "ready", "not_yet", "partly", "partly", "not_yet"), "getting_there", 6),
        (("ready", "partly", "not_yet", "partly", "partly", "not_yet"), "not_yet", 5),
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


@pytest.mark.parametrize(
    "ratings",
    [
        ("not_yet", "ready", "not_yet", "not_yet", "ready", "ready"),
        ("not_yet", "partly", "not_yet", "not_yet", "partly", "partly"),
        ("not_yet",) * 6,
    ],
)
def test_no_reason_no_people_no_route_means_better_elsewhere(ratings: tuple[str, ...]) -> None:
    """However the rest is answered: without a reason, people and a feedback route, it will not pay."""
    assert evaluate(QUESTION_IDS, answers(*ratings)).verdict == "better_elsewhere"


@pytest.mark.parametrize(
    "ratings",
    [
        ("not_yet", "not_yet", "not_yet", "partly", "not_yet", "not_yet"),  # there is some route
        ("not_yet", "not_yet", None, "not_yet", "not_yet", "not_yet"),  # a skip is not a "no"
    ],
)
def test_better_elsewhere_needs_all_three_answered_no(ratings: tuple[str | None, ...]) -> None:
    assert evaluate(QUESTION_IDS, answers(*ratings)).verdict == "not_yet"


@pytest.mark.parametrize(
    ("ratings", "verdict"),
    [
        (("ready", "ready", None, None, None, None), "cant_tell"),
        (("not_yet", None, None, "not_yet", None, None), "cant_tell"),
        (("not_yet", None, "not_yet", "not_yet", None, None), "better_elsewhere"),  # three clear noes suffice
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
    assert [by_title[t] for t in titles] == ["cant_tell", "better_elsewhere", "ready", "not_yet", "getting_there"]
