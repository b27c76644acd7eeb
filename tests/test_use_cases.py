"""The use cases on a real SQLite file, without Slack: every branch of the coach and the journey."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.store import Store, send_key
from bot.usecases.assessment import Coach
from bot.usecases.journey import CHECKIN_KIND, Journey
from bot.usecases.prompts import OpenPrompts
from flows.content import QUESTION_IDS, load_bundle
from flows.outcomes import (
    Ask,
    CheckinAsk,
    CheckinClosed,
    Closed,
    Notice,
    QuizSuggest,
    StageCards,
    StageCoaching,
    Summary,
)
from flows.values import MemberKey
from tests.conftest import FrozenClock

MEMBER = MemberKey("T0001", "U0UNIT")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "coach.db")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def coach(store: Store, clock: FrozenClock) -> Coach:
    return Coach(store, load_bundle(), clock)


@pytest.fixture
def journey(store: Store, clock: FrozenClock) -> Journey:
    return Journey(store, load_bundle(), clock)


def kinds(outcomes: list) -> list[str]:
    return [o.key if isinstance(o, Notice) else type(o).__name__ for o in outcomes]


def open_assessment(coach: Coach) -> int:
    outcomes = coach.start(MEMBER)
    ask = outcomes[-1]
    assert isinstance(ask, Ask)
    return ask.assessment_id


def test_start_begins_then_resumes_then_recalls(coach: Coach) -> None:
    assert kinds(coach.start(MEMBER)) == ["Intro", "Ask"]
    assert kinds(coach.start(MEMBER)) == ["intro_resume", "Ask"]
    for question_id in QUESTION_IDS:
        coach.answer(MEMBER, question_id, "ready")
    recalled = coach.start(MEMBER)
    assert kinds(recalled) == ["Summary"] and isinstance(recalled[0], Summary) and recalled[0].recalled


def test_start_again_a_moment_after_it_began_points_at_the_question_already_sent(
    coach: Coach, store: Store, clock: FrozenClock
) -> None:
    prompts = OpenPrompts(store, clock)
    prompts.note(MEMBER, coach.retake(MEMBER))  # Intro and question 1, now the open prompt
    assert kinds(coach.retake(MEMBER)) == ["assessment_just_begun"]  # a double click
    assert kinds(coach.start(MEMBER, repeat=True)) == ["intro_resume", "Ask"]  # a new terminal session
    clock.now += timedelta(minutes=2)
    assert kinds(coach.retake(MEMBER)) == ["intro_resume", "Ask"]  # back later: asked again
    clock.now -= timedelta(minutes=2)
    prompts.close(MEMBER)  # something else asked since: the question is no longer what is open
    assert kinds(coach.retake(MEMBER)) == ["intro_resume", "Ask"]


def test_answer_closes_the_question_and_asks_the_next(coach: Coach, store: Store) -> None:
    assessment_id = open_assessment(coach)
    closed, ask = coach.answer(MEMBER, "reason", "partly", assessment_id)
    assert isinstance(closed, Closed) and closed.how == "answered" and closed.rating == "partly"
    assert isinstance(ask, Ask) and (ask.question_id, ask.number) == ("networks", 2)
    assert store.answers(assessment_id) == {"reason": "partly"}


def test_a_second_click_on_an_answered_question_changes_nothing(coach: Coach, store: Store) -> None:
    assessment_id = open_assessment(coach)
    coach.answer(MEMBER, "reason", "ready", assessment_id)
    assert kinds(coach.answer(MEMBER, "reason", "not_yet", assessment_id)) == ["already_answered"]
    assert store.answers(assessment_id) == {"reason": "ready"}


def test_a_click_on_an_older_assessment_is_refused(coach: Coach) -> None:
    assessment_id = open_assessment(coach)
    assert kinds(coach.answer(MEMBER, "reason", "ready", assessment_id + 1)) == ["old_assessment"]


def test_nothing_to_answer_without_an_assessment(coach: Coach) -> None:
    assert kinds(coach.skip(MEMBER)) == ["nothing_in_progress"]
    assert kinds(coach.handle_text(MEMBER, "yes")) == ["nothing_in_progress"]


def test_skip_forgets_an_earlier_answer_and_back_keeps_it(coach: Coach, store: Store) -> None:
    assessment_id = open_assessment(coach)
    coach.answer(MEMBER, "reason", "ready")
    coach.back(MEMBER)
    assert store.answers(assessment_id) == {"reason": "ready"}
    closed, _ask = coach.skip(MEMBER)
    assert isinstance(closed, Closed) and closed.how == "skipped"
    assert store.answers(assessment_id) == {}


def test_back_on_the_first_question(coach: Coach) -> None:
    open_assessment(coach)
    assert kinds(coach.back(MEMBER)) == ["first_question"]


def test_restart_clears_every_answer(coach: Coach, store: Store) -> None:
    assessment_id = open_assessment(coach)
    coach.answer(MEMBER, "reason", "ready")
    coach.answer(MEMBER, "networks", "ready")
    assert kinds(coach.restart(MEMBER)) == ["Closed", "restarted", "Ask"]
    assert store.answers(assessment_id) == {}


def test_the_last_answer_completes_with_a_summary(coach: Coach, store: Store) -> None:
    assessment_id = open_assessment(coach)
    for question_id in QUESTION_IDS[:-1]:
        coach.answer(MEMBER, question_id, "ready")
    outcomes = coach.answer(MEMBER, QUESTION_IDS[-1], "partly")
    assert kinds(outcomes) == ["Closed", "Summary", "PlanOffer"]  # from verdict to plan
    finished = store.assessment(assessment_id)
    assert finished is not None and finished.completed_at is not None


def test_status_in_progress_and_completed(coach: Coach) -> None:
    assert kinds(coach.status(MEMBER)) == ["nothing_in_progress"]
    open_assessment(coach)
    coach.answer(MEMBER, "reason", "ready")
    (progress,) = coach.status(MEMBER)
    assert isinstance(progress, Notice) and progress.params["number"] == 2 and progress.params["answered"] == 1


def test_typed_words(coach: Coach) -> None:
    assert kinds(coach.handle_text(MEMBER, "help")) == ["text_help"]
    assert kinds(coach.handle_text(MEMBER, "dance")) == ["not_understood"]
    assert kinds(coach.handle_text(MEMBER, "start")) == ["Intro", "Ask"]
    assert kinds(coach.handle_text(MEMBER, "yes")) == ["Closed", "Ask"]


def test_prompt_posted_is_remembered_for_closing(coach: Coach, store: Store) -> None:
    assessment_id = open_assessment(coach)
    coach.prompt_posted(assessment_id, "reason", "D1", "1.5")
    closed, _ask = coach.answer(MEMBER, "reason", "ready")
    assert isinstance(closed, Closed) and (closed.prompt_channel, closed.prompt_ts) == ("D1", "1.5")


def test_a_late_record_of_an_older_question_never_closes_the_wrong_message(coach: Coach) -> None:
    assessment_id = open_assessment(coach)
    coach.prompt_posted(assessment_id, "reason", "D1", "1.5")
    coach.answer(MEMBER, "reason", "ready")  # question 2 is asked; the member types before it is on record
    closed, _ask = coach.answer(MEMBER, "networks", "ready")
    assert isinstance(closed, Closed) and closed.prompt_ts is None  # not question 1's message
    coach.prompt_posted(assessment_id, "networks", "D1", "2.5")  # the record of question 2 arrives late
    closed, _ask = coach.answer(MEMBER, "resources", "ready")
    assert isinstance(closed, Closed) and closed.prompt_ts is None  # and is not taken for question 3's


def test_place_records_the_change_with_its_source(journey: Journey, store: Store) -> None:
    (coaching,) = journey.place(MEMBER, 3, "quiz")
    assert isinstance(coaching, StageCoaching) and coaching.changed and coaching.stage == 3
    assert [(c["to_stage"], c["source"]) for c in store.stage_changes(MEMBER)] == [(3, "quiz")]


def test_tips_rotate_each_time_coaching_is_shown(journey: Journey, store: Store) -> None:
    tips = []
    for _ in range(3):
        OpenPrompts(store, journey.clock).note(MEMBER, journey.cards(MEMBER))  # the cards asked each time
        tips.append(journey.place(MEMBER, 2, "placement")[0].tip_index)  # type: ignore[union-attr]
    assert len(set(tips)) == 3


def test_the_stage_already_held_picked_when_nothing_asks_is_refused(journey: Journey, store: Store) -> None:
    journey.place(MEMBER, 2, "placement")
    assert journey.place(MEMBER, 2, "placement") == [Notice("stage_already", {"stage": 2})]
    OpenPrompts(store, journey.clock).note(MEMBER, [QuizSuggest(2)])
    (coaching,) = journey.place(MEMBER, 2, "quiz")  # the quiz suggested it: confirming it is fair
    assert isinstance(coaching, StageCoaching) and coaching.stage == 2
    assert [c["to_stage"] for c in store.stage_changes(MEMBER)] == [2, 2]


def test_two_clicks_racing_for_the_same_stage_coach_once(journey: Journey, store: Store) -> None:
    journey.place(MEMBER, 2, "placement")
    stale = store.member(MEMBER)
    assert stale is not None
    (winner,) = journey.place(MEMBER, 5, "placement")
    assert isinstance(winner, StageCoaching) and winner.stage == 5
    assert journey._change(stale, "place_5", "placement") == [Notice("stage_already", {"stage": 5})]
    (other,) = journey._change(stale, "place_3", "placement")  # lost to another stage: where it left them
    assert isinstance(other, StageCoaching) and other.stage == 5 and not other.changed


def issue_checkin(journey: Journey, store: Store, clock: FrozenClock) -> str:
    (ask,) = journey.checkin_now(MEMBER)
    assert isinstance(ask, CheckinAsk) and ask.send_key == send_key(MEMBER, CHECKIN_KIND, ask.period)
    return ask.period


@pytest.mark.parametrize(
    ("outcome", "stage_after", "second"),
    [
        ("forward", 4, "StageCoaching"),
        ("back", 2, "StageCoaching"),
        ("same", 3, "StageCoaching"),
        ("skip", 3, "checkin_skipped"),
        ("pick", 3, "StageCards"),
    ],
)
def test_checkin_answers(
    journey: Journey, store: Store, clock: FrozenClock, outcome: str, stage_after: int, second: str
) -> None:
    journey.place(MEMBER, 3, "placement")
    period = issue_checkin(journey, store, clock)
    outcomes = journey.checkin_answer(MEMBER, period, outcome)  # type: ignore[arg-type]
    assert isinstance(outcomes[0], CheckinClosed) and kinds(outcomes)[1] == second
    assert store.member(MEMBER).stage == stage_after  # type: ignore[union-attr]
    assert kinds(journey.checkin_answer(MEMBER, period, outcome)) == ["checkin_already"]  # type: ignore[arg-type]


def test_checkin_from_an_older_week_is_refused(journey: Journey, store: Store, clock: FrozenClock) -> None:
    journey.place(MEMBER, 3, "placement")
    period = issue_checkin(journey, store, clock)
    clock.now += timedelta(days=7)
    issue_checkin(journey, store, clock)
    assert kinds(journey.checkin_answer(MEMBER, period, "forward")) == ["checkin_old"]


def test_moving_forward_from_the_top_stays_there(journey: Journey, store: Store, clock: FrozenClock) -> None:
    journey.place(MEMBER, 6, "placement")
    period = issue_checkin(journey, store, clock)
    assert kinds(journey.checkin_answer(MEMBER, period, "forward")) == ["CheckinClosed", "stage_top", "StageCoaching"]


def test_checkin_now_before_placement_shows_the_cards(journey: Journey) -> None:
    assert kinds(journey.checkin_now(MEMBER)) == ["StageCards"]


def test_settings_are_checked_and_saved(journey: Journey, store: Store) -> None:
    journey.place(MEMBER, 2, "placement")
    assert kinds(journey.save_settings(MEMBER, 2, "25:00", False)) == ["settings_bad_time"]
    assert kinds(journey.save_settings(MEMBER, 9, "09:00", False)) == ["settings_bad_day"]
    assert kinds(journey.save_settings(MEMBER, 2, "14:30", False, share=True)) == ["settings_saved"]
    form = journey.settings_form(MEMBER)
    assert (form.weekday, form.time, form.paused, form.share) == (2, "14:30", False, True)
    assert kinds(journey.pause(MEMBER)) == ["paused"] and journey.settings_form(MEMBER).paused
    assert kinds(journey.resume(MEMBER)) == ["resumed"] and not journey.settings_form(MEMBER).paused


def test_cards_show_the_current_stage(journey: Journey) -> None:
    assert journey.cards(MEMBER) == [StageCards(current=None)]
    journey.place(MEMBER, 4, "placement")
    assert journey.cards(MEMBER) == [StageCards(current=4)]


def test_only_losing_the_bot_stops_a_workspace(store: Store, clock: FrozenClock) -> None:
    from bot.usecases.workspaces import Workspaces

    workspaces = Workspaces(store, None, clock)
    workspaces.app_left("T0001", None, "tokens_revoked", bot_token_revoked=False)  # a user's token only
    assert store.workspace_active("T0001")
    workspaces.app_left("T0001", None, "tokens_revoked", bot_token_revoked=True)
    assert not store.workspace_active("T0001")
    workspaces.app_left("T0002", None, "app_uninstalled", bot_token_revoked=False)
    assert not store.workspace_active("T0002")


def test_checkin_now_says_placed_today_on_the_day_of_placement_and_last_week_after(
    journey: Journey, store: Store, clock: FrozenClock
) -> None:
    store.ensure_member(MEMBER, clock())
    store.update_member(MEMBER, tz="Pacific/Auckland")  # the member's own date, not UTC's
    journey.place(MEMBER, 2, "placement")
    (today,) = journey.checkin_now(MEMBER)
    assert isinstance(today, CheckinAsk) and today.placed_today
    clock.now += timedelta(days=7)
    (later,) = journey.checkin_now(MEMBER)
    assert isinstance(later, CheckinAsk) and not later.placed_today


def test_after_not_for_now_the_plan_is_not_offered(coach: Coach) -> None:
    coach.start(MEMBER)
    outcomes: list = []
    for question_id in QUESTION_IDS:
        outcomes = coach.answer(MEMBER, question_id, "not_yet" if question_id == "resources" else "ready")
    summary = next(o for o in outcomes if isinstance(o, Summary))
    assert summary.result.verdict == "better_elsewhere"
    assert kinds(outcomes)[-1] == "after_not_for_now" and "PlanOffer" not in kinds(outcomes)


def test_resume_before_any_stage_promises_no_checkin(journey: Journey, store: Store) -> None:
    """Probe: an unplaced member was told "back on: every Monday at 09:00 (UTC)", and none ever came."""
    journey.pause(MEMBER)
    assert journey.resume(MEMBER) == [Notice("resumed_unplaced")]
    journey.place(MEMBER, 3, "placement")
    (resumed,) = journey.resume(MEMBER)
    assert isinstance(resumed, Notice) and resumed.key == "resumed"


def test_a_checkin_click_after_forget_says_nothing_is_kept(journey: Journey, store: Store, clock: FrozenClock) -> None:
    """Attack probe: this week's check-in clicked after /coach forget was "from an earlier week"."""
    journey.place(MEMBER, 3, "placement")
    period = issue_checkin(journey, store, clock)
    store.forget_member(MEMBER)
    assert kinds(journey.checkin_answer(MEMBER, period, "forward")) == ["forgotten_button"]
    assert store.member(MEMBER) is None
