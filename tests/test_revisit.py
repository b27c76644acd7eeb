"""Skip is "later": skipped questions are offered again, once each, before the verdict."""

from __future__ import annotations

from pathlib import Path

from bot.store import Store
from bot.usecases.assessment import Coach
from flows.assessment import REVIEW, SUMMARY, assessment_config, review_facts
from flows.content import QUESTION_IDS, load_bundle
from flows.outcomes import Ask, Notice, Summary
from flows.values import MemberKey

MEMBER = MemberKey("T1", "U1")
CONFIG = assessment_config(QUESTION_IDS)


def test_after_the_last_question_the_first_skipped_one_comes_back() -> None:
    facts = review_facts(QUESTION_IDS, "measurement", ["reason", "resources", "pipeline", "measurement"], False)
    assert CONFIG.next_state("measurement", "answer", facts) == REVIEW
    assert CONFIG.next_state(REVIEW, "revisit", facts) == "networks"


def test_in_the_review_round_only_later_skipped_questions_follow() -> None:
    facts = review_facts(QUESTION_IDS, "policy", ["reason", "resources", "measurement"], True)
    assert CONFIG.next_state("policy", "skip", facts) == REVIEW
    assert CONFIG.next_state(REVIEW, "revisit", facts) == SUMMARY  # networks and pipeline were offered already


def test_nothing_skipped_goes_straight_to_the_summary() -> None:
    facts = review_facts(QUESTION_IDS, "measurement", QUESTION_IDS, False)
    assert CONFIG.next_state("measurement", "answer", facts) == SUMMARY


def test_first_round_answers_move_on_as_before() -> None:
    facts = review_facts(QUESTION_IDS, "reason", ["reason"], False)
    assert CONFIG.next_state("reason", "answer", facts) == "networks"


def questions_asked(outcomes: list) -> list[str]:
    return [o.question_id for o in outcomes if isinstance(o, Ask)]


def test_the_coach_offers_each_skipped_question_again_once(tmp_path: Path) -> None:
    coach = Coach(Store(tmp_path / "r.db"), load_bundle())
    coach.start(MEMBER)
    replies = ["yes", "skip", "no", "skip", "yes", "partly"]
    asked = [questions_asked(coach.handle_text(MEMBER, reply)) for reply in replies]
    assert asked[-1] == ["networks"]  # after the last question, the first skipped one again
    revisit = coach.handle_text(MEMBER, "skip")  # left for good; the next skipped one follows
    assert questions_asked(revisit) == ["pipeline"]
    last = coach.handle_text(MEMBER, "yes")
    (summary,) = [o for o in last if isinstance(o, Summary)]
    assert summary.result.answered == 5
    row = coach.store.latest_assessment(MEMBER)
    assert row is not None and row.completed_at is not None


def test_the_review_round_is_announced_once_and_restart_ends_it(tmp_path: Path) -> None:
    coach = Coach(Store(tmp_path / "r.db"), load_bundle())
    coach.start(MEMBER)
    outcomes = [o for reply in ["skip", "skip", "yes", "yes", "yes", "yes"] for o in coach.handle_text(MEMBER, reply)]
    assert [o.key for o in outcomes if isinstance(o, Notice)] == ["revisit_skipped"]
    assert questions_asked(outcomes)[-1] == "reason"
    restarted = coach.handle_text(MEMBER, "restart")
    assert questions_asked(restarted) == ["reason"]
    row = coach.store.latest_assessment(MEMBER)
    assert row is not None and not row.reviewing
    asked = [questions_asked(coach.handle_text(MEMBER, "yes")) for _ in range(5)]
    assert asked[-1] == ["measurement"]  # a fresh first round, not the review round


def test_skipping_only_the_last_question_offers_it_again(tmp_path: Path) -> None:
    coach = Coach(Store(tmp_path / "r.db"), load_bundle())
    coach.start(MEMBER)
    for reply in ["yes"] * 5:
        coach.handle_text(MEMBER, reply)
    assert questions_asked(coach.handle_text(MEMBER, "skip")) == ["measurement"]
    assert any(isinstance(o, Summary) for o in coach.handle_text(MEMBER, "skip"))
