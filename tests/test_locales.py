"""Every message of every flow, rendered in Finnish and Italian, with no English left in it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from bot.terminal.chat import render_text
from bot.views.common import format_date, format_time, weekday_name
from bot.views.home import home_view
from bot.views.journey import settings_modal
from bot.views.render import render
from flows.actions import ACTION_ANSWERS, ActionAnswered, ActionLine, ActionsAsk, ActionSaved
from flows.assessment import evaluate
from flows.content import QUESTION_IDS, Bundle, Rating, language_for, load_bundle, placeholders
from flows.outcomes import (
    Ask,
    CheckinAsk,
    CheckinClosed,
    Closed,
    Explanation,
    ExportFile,
    ForgetConfirm,
    HomeTab,
    Intro,
    Notice,
    Nudge,
    Outcome,
    QuizAsk,
    QuizSuggest,
    Report,
    RestartConfirm,
    RevisitAsk,
    SettingsAsk,
    SettingsForm,
    StageCards,
    StageChange,
    StageCoaching,
    Summary,
)
from flows.reading import read_intent
from flows.report import SharedMember, TeamReport
from tests.blocks import all_text

WHEN = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
READY: dict[str, Rating] = dict.fromkeys(QUESTION_IDS, "ready")
ONE_OF_EACH_VERDICT: list[dict[str, Rating]] = [
    READY,
    {**READY, "measurement": "partly"},
    {**READY, "policy": "partly"},
    {**READY, "reason": "not_yet", "resources": "not_yet", "policy": "not_yet"},
    {**READY, "reason": "not_yet", "resources": "not_yet", "pipeline": "not_yet"},
    {"reason": "ready"},
]


def every_outcome(bundle: Bundle) -> list[Outcome]:
    mixed = evaluate(QUESTION_IDS, {"reason": "ready", "networks": "partly", "resources": "not_yet"})
    report = TeamReport(
        members=5,
        assessed=4,
        verdicts=Counter({"ready": 1, "getting_there": 2, "not_yet": 1}),
        stages=Counter({2: 2, 4: 2}),
        placed=4,
        moved_forward=1,
        slipped_back=1,
        common_gap="pipeline",
        shared=(SharedMember("U1", "ready", 4), SharedMember("U2", None, None)),
    )
    outcomes: list[Outcome] = [Intro(), ForgetConfirm(), ExportFile("x.json", "{}")]
    outcomes += [Ask(1, qid, i + 1, 6) for i, qid in enumerate(QUESTION_IDS)]
    outcomes += [Closed(1, "policy", 5, 6, how, "partly", None, None) for how in ("answered", "skipped", "left")]
    outcomes += [Summary(1, mixed, WHEN), Summary(1, mixed, WHEN, recalled=True)]
    outcomes += [Summary(1, mixed, WHEN, previous=evaluate(QUESTION_IDS, {}), previous_at=WHEN)]
    outcomes += [RevisitAsk(WHEN), RevisitAsk(WHEN, quarterly=True)]
    outcomes += [Summary(1, evaluate(QUESTION_IDS, answers), WHEN) for answers in ONE_OF_EACH_VERDICT]
    outcomes += [StageCards(current=3), StageCards(invite=True)]
    outcomes += [QuizAsk(q.id) for q in bundle.stages.quiz] + [QuizSuggest(n) for n in range(1, 7)]
    outcomes += [StageCoaching(n, i, changed) for n in range(1, 7) for i in range(5) for changed in (True, False)]
    outcomes += [CheckinAsk("2026-W48", n) for n in range(1, 7)]
    outcomes += [CheckinClosed(o) for o in ("same", "forward", "back", "pick", "skip")]
    outcomes += [Explanation(qid, kind) for qid in QUESTION_IDS for kind in ("explain", "example", "why")]
    outcomes += [RestartConfirm(), SettingsAsk()]
    outcomes += [Nudge(2, 6, False), Nudge(2, 6, True), Report(report), Report(report, digest=True)]
    step = question_step(bundle)
    outcomes += [ActionSaved(step, "U1", "2026-12-02"), ActionsAsk((ActionLine(1, step, "U1", "2026-12-02"),))]
    outcomes += [ActionAnswered(step, answer) for answer in ACTION_ANSWERS]
    sample = sample_params(bundle)
    outcomes += [
        Notice(key, {name: sample[name] for name in placeholders(template)})
        for key, template in bundle.messages.messages.items()
    ]
    return outcomes


def question_step(bundle: Bundle) -> str:
    return bundle.assessment.questions[0].advice["partly"].next_step


def sample_params(bundle: Bundle) -> dict[str, object]:
    """A value for every placeholder, taken from the same locale's content where it is text."""
    question, stage = bundle.assessment.questions[0], bundle.stages.stage(1)
    return {
        "number": 2,
        "total": 6,
        "answered": 1,
        "score": 8,
        "max_score": 12,
        "command": "dance",
        "option": question.answers[0].label,
        "text": stage.trap,
        "title": question.title,
        "answer": question.answers[0].label,
        "verdict": "ready",
        "date": WHEN,
        "advice": question.advice["partly"].advice,
        "next_step": question.advice["partly"].next_step,
        "name": stage.name,
        "prompt": bundle.stages.quiz[0].prompt,
        "explain": bundle.stages.quiz[0].explain,
        "tip": stage.tips[0],
        "weekday": 2,
        "time": "14:30",
        "tz": "Europe/Rome",
        "assessed": 3,
        "members": 5,
        "ready": 1,
        "getting_there": 1,
        "not_yet": 1,
        "better_elsewhere": 0,
        "cant_tell": 1,
        "counts": "1: 2",
        "count": 2,
        "forward": 1,
        "back": 0,
        "user": "U1",
        "stage": 3,
        "channel": "C1",
        "choices": "en, fi, it",
        "owner": "<@U1>",
        "open": 2,
        "overdue": 1,
        "done": 3,
        "dropped": 0,
        "before": "Not yet",
        "after": "Ready",
    }


def rendered_texts(bundle: Bundle) -> list[str]:
    texts = []
    for outcome in every_outcome(bundle):
        rendered = render(bundle, outcome)
        texts.append(rendered.text + "\n" + all_text(rendered.block_dicts()))
        if not isinstance(outcome, (Report, ForgetConfirm, ExportFile, StageCards, QuizAsk, QuizSuggest)):
            try:
                texts.append(render_text(bundle, outcome))
            except TypeError:
                pass  # journey outcomes are Slack-only
    schedule = SettingsForm(0, "09:00", False, False)
    result = evaluate(QUESTION_IDS, {"reason": "ready"})
    home = HomeTab(None, result, WHEN, 4, (StageChange(WHEN, 4),), 1, schedule, "Europe/Helsinki")
    texts.append(all_text(home_view(bundle, home).to_dict()["blocks"]))
    texts.append(all_text([settings_modal(bundle, 0, "09:00", False).to_dict()]))
    return texts


WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def phrases(text: str, size: int = 4) -> set[str]:
    code = r"`[^`]*`|<[^>]*>|:[a-z_]+:|/coach(?: [a-z]+(?:\|[a-z]+)*)?(?: #\w+)?"  # commands stay as typed
    words = [w.lower() for w in WORD.findall(re.sub(code, " ", text))]
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


ENGLISH = set().union(*(phrases(t) for t in rendered_texts(load_bundle("en"))))


@pytest.mark.parametrize("language", ["fi", "it"])
def test_no_english_left_in_any_rendered_message(language: str) -> None:
    leftovers = {
        phrase: text[:80] for text in rendered_texts(load_bundle(language)) for phrase in phrases(text) & ENGLISH
    }
    assert leftovers == {}


def test_the_english_check_can_fail() -> None:
    """The check above would catch an untranslated sentence."""
    assert phrases("Your readiness assessment is waiting at question 2") & ENGLISH


@pytest.mark.parametrize(
    ("locale", "chosen", "language"),
    [
        ("fi-FI", None, "fi"),
        ("it-IT", None, "it"),
        ("en-GB", None, "en"),
        ("sv-SE", None, "en"),
        (None, None, "en"),
        ("fi-FI", "it", "it"),
        ("it-IT", "en", "en"),
    ],
)
def test_language_from_slack_locale_or_the_members_choice(locale, chosen, language) -> None:
    assert language_for(locale, chosen) == language


@pytest.mark.parametrize(
    ("typed", "intent", "language"),
    [("Kyllä!", "ready", "fi"), ("osittain", "partly", "fi"), ("ei", "not_yet", "fi"), ("sì", "ready", "it"),
     ("in parte", "partly", "it"), ("yes", "ready", "en")],
)  # fmt: skip
def test_answers_are_read_in_the_members_language_and_in_english(typed: str, intent: str, language: str) -> None:
    assert read_intent(typed, load_bundle(language)) == intent
    assert read_intent("partly", load_bundle(language)) == "partly"


@pytest.mark.parametrize(("typed", "language"), [("en", "en"), ("ei", "it"), ("no", "fi"), ("sì", "fi")])
def test_a_third_languages_words_are_not_read(typed: str, language: str) -> None:
    """English "en" is not Finnish "I don't"; Finnish "no" alone is asked back (it is "well")."""
    assert read_intent(typed, load_bundle(language)) is None


@pytest.mark.parametrize(
    ("typed", "language", "intent"),
    [
        ("takaisin", "fi", "back"),
        ("ohita", "fi", "skip"),
        ("alusta", "fi", "restart"),
        ("apua", "fi", "help"),
        ("indietro", "it", "back"),
        ("salta", "it", "skip"),
        ("ricomincia", "it", "restart"),
        ("aiuto", "it", "help"),
        ("stato", "it", "status"),
        ("skip", "fi", "skip"),
        ("back", "it", "back"),
        ("salta", "en", None),
        ("ohita", "it", None),
        ("fine", "it", None),
        ("ciao", "it", None),
        ("avanti", "it", None),
        ("seuraava", "fi", None),
    ],
)
def test_commands_only_in_the_members_language_and_english(typed: str, language: str, intent: str | None) -> None:
    assert read_intent(typed, load_bundle(language)) == intent


def test_dates_and_times_are_localized() -> None:
    fi, it, en = load_bundle("fi"), load_bundle("it"), load_bundle("en")
    assert format_date(fi, WHEN) == "23. marraskuuta 2026"
    assert format_date(it, WHEN) == "23 novembre 2026"
    assert format_date(en, WHEN) == "23 November 2026"
    assert (format_time(fi, "09:00"), format_time(it, "09:00"), format_time(en, "09:00")) == ("9.00", "09:00", "09:00")
    assert [weekday_name(fi, 0), weekday_name(it, 6), weekday_name(en, 2)] == ["maanantai", "domenica", "Wednesday"]
    saved_fi = render(fi, Notice("settings_saved", {"weekday": 2, "time": "14:30", "tz": "Europe/Helsinki"})).text
    assert saved_fi == "Tallennettu. Viikkokatsaus tulee joka keskiviikko klo 14.30 (Europe/Helsinki)."
    saved_it = render(it, Notice("settings_saved", {"weekday": 4, "time": "08:30", "tz": "Europe/Rome"})).text
    assert saved_it == "Salvato. Il check-in arriverà ogni venerdì alle 08:30 (Europe/Rome)."
