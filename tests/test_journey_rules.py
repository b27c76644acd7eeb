"""The journey's pure rules without Slack or a database: the stage machine, the quiz, tip rotation
and the check-in time maths across time zones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from flows.content import LANGUAGES, StagesContent, load_bundle
from flows.journey import UNPLACED, journey_config, move, next_tip, quiz_step, stage_number, stage_state
from flows.machines import InvalidMove
from flows.schedule import due_checkin, next_checkin, parse_clock, previous_checkin, week_key

NINE = time(9, 0)


def test_stage_states_round_trip() -> None:
    assert stage_state(None) == UNPLACED and stage_number(UNPLACED) is None
    assert [stage_number(stage_state(n)) for n in range(1, 7)] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("stage", "trigger", "expected"),
    [(None, "place_4", 4), (6, "place_1", 1), (2, "advance", 3), (2, "slip_back", 1), (5, "advance", 6)],
)
def test_moves_along_the_journey(stage: int | None, trigger: str, expected: int) -> None:
    assert move(stage, trigger) == expected


@pytest.mark.parametrize(("stage", "trigger"), [(6, "advance"), (1, "slip_back"), (None, "advance"), (3, "fly")])
def test_moves_past_either_end_are_refused(stage: int | None, trigger: str) -> None:
    with pytest.raises(InvalidMove):
        move(stage, trigger)


def test_placing_is_allowed_from_every_state() -> None:
    config = journey_config()
    assert all(config.next_state(state, "place_3") == "stage_3" for state in config.states)


def quiz_by_labels(stages: StagesContent, labels: list[str]) -> int | None:
    """Walk the quiz answering each question with the answer of that label; the suggested stage."""
    earlier: tuple[int, ...] = ()
    for question, label in zip(stages.quiz, labels, strict=True):
        index = [a.label for a in question.answers].index(label)
        step = quiz_step(stages, question.id, index, earlier)
        earlier = step.answers
    return step.suggested_stage


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_quiz_always_asks_every_question_it_promised(locale: str) -> None:
    stages = load_bundle(locale).stages
    for index in range(len(stages.quiz[0].answers)):  # even "we don't post" goes on to the next question
        step = quiz_step(stages, stages.quiz[0].id, index)
        assert (step.next_question, step.suggested_stage) == (stages.quiz[1].id, None)


def test_steady_weekly_posting_with_no_results_yet_is_not_the_card_of_posting_when_you_feel_like_it() -> None:
    """The case measured on main: these answers placed a member at stage 3 ("you post when you feel like it")."""
    stages = load_bundle("en").stages
    labels = [
        "Every week, without fail",
        "A person posts and replies at set times",
        "No, it feels like wasted effort",
        "No, we go by feel",
        "Not really",
    ]
    assert quiz_by_labels(stages, labels) == 4


@pytest.mark.parametrize(
    ("answers", "stage"),
    [
        ((0, 0, 0, 0, 0), 1),  # don't post, don't see why
        ((1, 1, 0, 0, 0), 2),  # now and then, automatic, not really tried
        ((1, 2, 1, 0, 0), 3),  # by hand when we feel like it, no results
        ((2, 3, 2, 0, 0), 4),  # every week at set times, results, no tools
        ((2, 3, 2, 1, 0), 5),  # ... and tools
        ((2, 3, 2, 1, 1), 6),  # ... and others come for advice
    ],
)
@pytest.mark.parametrize("locale", LANGUAGES)
def test_each_stage_cards_own_description_places_at_that_stage(
    locale: str, answers: tuple[int, ...], stage: int
) -> None:
    stages = load_bundle(locale).stages
    earlier: tuple[int, ...] = ()
    for question, index in zip(stages.quiz, answers, strict=True):
        step = quiz_step(stages, question.id, index, earlier)
        earlier = step.answers
    assert step.suggested_stage == stage


def test_quiz_refuses_earlier_answers_that_do_not_fit() -> None:
    stages = load_bundle().stages
    with pytest.raises(IndexError):
        quiz_step(stages, stages.quiz[1].id, 0)  # the first question's answer is missing
    with pytest.raises(IndexError):
        quiz_step(stages, stages.quiz[1].id, 0, (9,))


def test_quiz_refuses_unknown_questions_and_answers() -> None:
    stages = load_bundle().stages
    with pytest.raises(KeyError):
        quiz_step(stages, "nonsense", 0)
    with pytest.raises(IndexError):
        quiz_step(stages, stages.quiz[0].id, 99)
    with pytest.raises(IndexError):
        quiz_step(stages, stages.quiz[0].id, -1)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [([], 0), ([0], 1), ([0, 1, 2, 3], 4), ([0, 1, 2, 3, 4], 0), ([0, 1, 2, 3, 4, 0], 1), ([3, 0], 1)],
)
def test_tips_never_repeat_within_a_round(shown: list[int], expected: int) -> None:
    assert next_tip(5, shown) == expected


def test_a_full_rotation_shows_every_tip_once() -> None:
    shown: list[int] = []
    for _ in range(5):
        shown.append(next_tip(5, shown))
    assert sorted(shown) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        # Helsinki: 09:00 is 07:00 UTC in winter and 06:00 UTC in summer.
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), "Europe/Helsinki", datetime(2026, 11, 30, 7, 0, tzinfo=UTC)),
        (datetime(2026, 3, 24, 12, 0, tzinfo=UTC), "Europe/Helsinki", datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        # Across the spring change (29 March 2026 in Europe) the wall clock stays at 09:00.
        (datetime(2026, 3, 27, 12, 0, tzinfo=UTC), "Europe/Helsinki", datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        # Los Angeles: across the autumn change (1 November 2026).
        (datetime(2026, 10, 30, 12, 0, tzinfo=UTC), "America/Los_Angeles", datetime(2026, 11, 2, 17, 0, tzinfo=UTC)),
        # Exactly at the slot: the next one is a week later.
        (datetime(2026, 11, 30, 7, 0, tzinfo=UTC), "Europe/Helsinki", datetime(2026, 12, 7, 7, 0, tzinfo=UTC)),
        # An unknown zone falls back to UTC.
        (datetime(2026, 11, 24, 12, 0, tzinfo=UTC), "Mars/Olympus", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    ],
)
def test_next_checkin_stays_at_nine_local(now: datetime, tz: str, expected: datetime) -> None:
    assert next_checkin(now, tz, 0, NINE) == expected


def test_previous_checkin_is_at_or_before_now() -> None:
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert previous_checkin(monday, "Europe/Helsinki", 0, NINE) == monday
    assert previous_checkin(monday - timedelta(seconds=1), "Europe/Helsinki", 0, NINE) == monday - timedelta(days=7)


def test_a_checkin_missed_by_less_than_a_day_is_still_due() -> None:
    monday = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert due_checkin(monday + timedelta(hours=23), "Europe/Helsinki", 0, NINE) == ("2026-W49", monday)
    assert due_checkin(monday + timedelta(hours=24), "Europe/Helsinki", 0, NINE) is None


def test_week_key_is_the_iso_week_in_the_members_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # already Monday in Helsinki
    assert week_key(sunday_night_utc, "Europe/Helsinki") == "2026-W49"
    assert week_key(sunday_night_utc, "UTC") == "2026-W48"


@pytest.mark.parametrize(
    ("text", "expected"), [("09:00", time(9, 0)), ("17:30", time(17, 30)), ("9", None), ("", None)]
)
def test_parse_clock(text: str, expected: time | None) -> None:
    assert parse_clock(text) == expected
