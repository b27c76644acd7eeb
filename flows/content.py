"""Content models: every user-facing text is data under ``content/<locale>/``, validated here."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from flows.content_words import AwayWords, Frozen, Markers
from flows.plan import PlanContent

Rating = Literal["ready", "partly", "not_yet"]
RATINGS: tuple[Rating, ...] = ("ready", "partly", "not_yet")
SKIPPED: Literal["skipped"] = "skipped"
AnswerState = Literal["ready", "partly", "not_yet", "skipped"]  # a rating, or the question was skipped
QUESTION_IDS = ("reason", "networks", "resources", "pipeline", "policy", "measurement")
VERDICT_KEYS = ("ready", "getting_there", "not_yet", "better_elsewhere", "cant_tell")
SUMMARY_PLACEHOLDERS = frozenset({"answered", "skipped", "total"})
Command = Literal["back", "skip", "restart", "forget", "quit", "help", "status", "start"]
COMMANDS: tuple[Command, ...] = ("back", "skip", "restart", "forget", "quit", "help", "status", "start")
INTENT_KEYS = (*RATINGS, *COMMANDS)
QuestionBack = Literal["explain", "example", "why"]
QUESTIONS_BACK: tuple[QuestionBack, ...] = ("explain", "example", "why")
CheckinWord = Literal["same", "forward", "back", "pick", "skip"]
CHECKIN_WORDS: tuple[CheckinWord, ...] = ("same", "forward", "back", "pick", "skip")  # the check-in's outcomes
ActionWord = Literal["done", "not_yet", "drop"]
ACTION_WORDS: tuple[ActionWord, ...] = ("done", "not_yet", "drop")  # an answer about an action
OfferWord = Literal["yes", "no", "later"]
OFFER_WORDS: tuple[OfferWord, ...] = ("yes", "no", "later")  # an answer to the offer to look again
# What a member may want when nothing is open (typed in the DM or `coach chat`).
Intent = Literal[
    "start", "status", "plan", "stage", "quiz", "checkin", "settings", "pause", "resume", "help", "about", "restart",
    "forget", "actions",
]  # fmt: skip
DEFAULT_LOCALE = "en"
LANGUAGES = ("en", "fi", "it")


def content_root() -> Path:
    """The content folder: beside the packages in a checkout, inside ``flows`` in an installed wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "content", here / "content_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no content folder found near {here}")


class Answer(Frozen):
    rating: Rating
    label: str = Field(min_length=1, max_length=75)
    words: tuple[str, ...] = ()  # how members say this answer to this question, in their own words


class Advice(Frozen):
    advice: str = Field(min_length=1)
    next_step: str = Field(min_length=1)


class Question(Frozen):
    id: str
    title: str = Field(min_length=1, max_length=60)
    prompt: str = Field(min_length=1)
    guidance: tuple[str, ...] = Field(min_length=1)
    answers: tuple[Answer, ...]
    advice: Mapping[Literal["partly", "not_yet"], Advice]
    # Answers to questions back ("what do you mean?", "give me an example", "why does this matter?").
    explain: str = Field(min_length=1)
    example: str = Field(min_length=1)
    why: str = Field(min_length=1)

    @model_validator(mode="after")
    def _three_answers_in_order(self) -> Question:
        if tuple(a.rating for a in self.answers) != RATINGS:
            raise ValueError(f"question {self.id!r}: answers must be rated {RATINGS} in that order")
        if set(self.advice) != {"partly", "not_yet"}:
            raise ValueError(f"question {self.id!r}: advice is needed for partly and not_yet")
        return self

    def answer(self, rating: Rating) -> Answer:
        return next(a for a in self.answers if a.rating == rating)


class Intro(Frozen):
    title: str
    body: str


class SummarySentence(Frozen):
    """One sentence of a verdict's summary, shown only when every question in ``when`` was answered one
    of the ways listed ("skipped" included): a sentence about a member's answers claims them here, so it
    is never shown to someone it is not true of (``coach check`` renders every combination to prove it)."""

    text: str = Field(min_length=1)
    when: Mapping[str, tuple[AnswerState, ...]] = Field(default_factory=dict)


class Verdict(Frozen):
    title: str
    summary: tuple[SummarySentence, ...] = Field(min_length=1)
    plan_title: str | None = None  # instead of the usual action-plan heading


class AssessmentContent(Frozen):
    intro: Intro
    questions: tuple[Question, ...]
    verdicts: Mapping[str, Verdict]

    @model_validator(mode="after")
    def _known_ids(self) -> AssessmentContent:
        ids = tuple(q.id for q in self.questions)
        if ids != QUESTION_IDS:
            raise ValueError(f"questions must be {QUESTION_IDS} in that order, found {ids}")
        if set(self.verdicts) != set(VERDICT_KEYS):
            raise ValueError(f"verdicts must be exactly {VERDICT_KEYS}")
        for key, verdict in self.verdicts.items():
            for sentence in verdict.summary:
                if set(sentence.when) - set(QUESTION_IDS):
                    raise ValueError(f"verdict {key!r}: a summary sentence claims unknown questions {sentence.when}")
                if placeholders(sentence.text) - SUMMARY_PLACEHOLDERS:
                    raise ValueError(f"verdict {key!r}: summary placeholders must be in {sorted(SUMMARY_PLACEHOLDERS)}")
        return self

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


class Messages(Frozen):
    """Interface strings, keyed by name."""

    messages: Mapping[str, str]

    def text(self, key: str, **params: object) -> str:
        return self.messages[key].format(**params)


class ReadingWords(Frozen):
    """The words ``flows.reading`` reads typed replies with (``reading.toml``)."""

    commands: Mapping[Command, tuple[str, ...]]
    answers: Mapping[Rating, tuple[str, ...]]
    whole: Mapping[Rating, tuple[str, ...]]
    unsure: Mapping[Literal["none", "ready", "partly", "not_yet"], tuple[str, ...]]
    markers: Markers
    chat: Mapping[Literal["stage", "quiz", "checkin"], tuple[str, ...]]  # terminal-only commands
    spellings: Mapping[str, str] = Field(default_factory=dict)  # other ways of writing a word, and common slips
    fillers: tuple[str, ...] = ()  # words that mean nothing when more follow (Finnish "no", "well")
    # Answer words that, typed without their accent, are also a pronoun (Italian "si" for "sì"): then a
    # yes only as the first word, and a clear one only alone or beside other answer words.
    pronouns: tuple[str, ...] = ()
    not_knowing: tuple[str, ...] = ()  # "idk": no answer to a quiz (at the six questions, not yet)
    resume_words: tuple[str, ...] = ()  # "resume" alone: paused check-ins back, else the assessment
    afternoon: tuple[str, ...] = ()  # words that put a time of 1 to 11 after noon ("at 3 in the afternoon")
    half_past: tuple[str, ...] = ()  # words that put a whole hour's half after it ("alle 8 e mezza")
    half_before: tuple[str, ...] = ()  # words before an hour that mean half an hour earlier ("puoli 9": 8:30)
    unread_minutes: tuple[str, ...] = ()  # "quarter past 9": minutes said in words, not read (asked again)
    hours: tuple[tuple[str, ...], ...] = ()  # an hour in words, a list an hour from 1 ("at eight", "kahdeksalta")
    unread_bounds: tuple[str, ...] = ()  # "before 10", "entro le 10": an hour that bounds, not read (asked again)
    # A time of day said without a number, by the time it is read as ("tuesday evening": 18:00), at the
    # question that asks for the check-in's day and time only (the confirmation says the time chosen).
    times_of_day: Mapping[str, tuple[str, ...]] = Field(default_factory=dict)
    affirm: tuple[str, ...] = ()  # whole replies that confirm the answer offered ("pretty much", "quella")
    whole_yes_no: tuple[str, ...] = ()  # [whole] replies that are a yes or no ("on", "en"), not a pick
    checkin: Mapping[CheckinWord, tuple[str, ...]] = Field(default_factory=dict)  # check-in answers, anywhere
    stage_words: tuple[str, ...] = ()  # "stage": with a number, a check-in answer that names the stage
    every_other: tuple[str, ...] = ()  # "every other Friday": check-ins come weekly, and the member is told
    to_words: tuple[str, ...] = ()  # "moved up to 5": with a number that ends the reply, the stage it names
    actions: Mapping[ActionWord, tuple[str, ...]] = Field(default_factory=dict)  # about an action, anywhere
    offer: Mapping[OfferWord, tuple[str, ...]] = Field(default_factory=dict)  # to the offer to look again
    new_action: tuple[str, ...] = ()  # `coach chat`: "action 2" makes next step 2 an action
    intents: Mapping[Intent, tuple[str, ...]] = Field(default_factory=dict)  # what a member wants, nothing open
    questions: Mapping[QuestionBack, tuple[str, ...]] = Field(default_factory=dict)  # questions back
    cancel: tuple[str, ...] = ()  # leave a form (the terminal plan), keeping what is saved
    ordinals: tuple[tuple[str, ...], ...] = ()  # whole replies naming an option by its place: first, second, …
    # A clear go-ahead to what cannot be undone (deleting everything, clearing this round's answers):
    # the whole reply one of these, the act's own words, or one of these and then those.
    go_ahead: tuple[str, ...] = ()
    courtesy: tuple[str, ...] = ()  # words beside a go-ahead that change nothing ("please", "kiitos", "grazie")
    # Reading options (``flows.options``); a ``*`` ending a word stands for any ending ("päiv*").
    number_words: tuple[str, ...] = ()  # before an option's number, the whole reply: "number 4", "nro 4"
    more_than: tuple[str, ...] = ()  # before a number, everything above it: "more than 10", "oltre 10"
    and_words: tuple[str, ...] = ()  # join several options picked by their numbers: "1 and 4"
    or_words: tuple[str, ...] = ()  # and these too, in a list of options typed by name (never by number)
    other_units: tuple[str, ...] = ()  # an amount not in hours a week: "30 min a day" reads no range
    stopwords: tuple[str, ...] = ()  # words too common to tell two options apart

    @model_validator(mode="after")
    def _every_command_and_rating(self) -> ReadingWords:
        missing: list[str] = [c for c in COMMANDS if not self.commands.get(c)]
        missing += [r for r in RATINGS if not self.answers.get(r) or not self.whole.get(r)]
        if missing:
            raise ValueError(f"words missing for: {missing}")
        return self

    @field_validator("times_of_day")
    @classmethod
    def _clock_times(cls, value: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
        for at in value:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
                raise ValueError(f"times_of_day: {at!r} is no time of day (HH:MM)")
        return value


STAGE_NUMBERS = (1, 2, 3, 4, 5, 6)
MIN_TIPS_PER_STAGE = 4


class Stage(Frozen):
    number: int = Field(ge=1, le=6)
    name: str = Field(min_length=1, max_length=60)
    one_line: str = Field(min_length=1)
    looks_like: str = Field(min_length=1)
    trap: str = Field(min_length=1)
    next_move: str = Field(min_length=1)
    tips: tuple[str, ...] = Field(min_length=MIN_TIPS_PER_STAGE)


class QuizAnswer(Frozen):
    label: str = Field(min_length=1, max_length=75)
    stages: tuple[int, ...] = Field(min_length=1)  # the stages whose card this answer matches
    words: tuple[str, ...] = ()  # other ways members say this answer


class QuizQuestion(Frozen):
    id: str = Field(pattern=r"^[a-z_]+$")
    prompt: str = Field(min_length=1)
    explain: str = ""  # what the question means, for "what do you mean?"
    yes_no: bool = False  # asked as a yes-or-no question: a plain yes or no picks the answer that says it
    answers: tuple[QuizAnswer, ...] = Field(min_length=2, max_length=5)


class StagesContent(Frozen):
    stages: tuple[Stage, ...]
    quiz: tuple[QuizQuestion, ...] = Field(min_length=4, max_length=5)

    @model_validator(mode="after")
    def _six_stages_and_a_quiz_that_weighs_them(self) -> StagesContent:
        if tuple(s.number for s in self.stages) != STAGE_NUMBERS:
            raise ValueError(f"stages must be numbered {STAGE_NUMBERS} in order")
        for question in self.quiz:
            for answer in question.answers:
                if not set(answer.stages) <= set(STAGE_NUMBERS):
                    raise ValueError(f"quiz question {question.id!r}: stages must be among {STAGE_NUMBERS}")
        return self

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def quiz_question(self, question_id: str) -> QuizQuestion:
        for question in self.quiz:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


class Bundle(Frozen):
    locale: str
    assessment: AssessmentContent
    stages: StagesContent
    messages: Messages
    plan: PlanContent
    reading: ReadingWords
    away: AwayWords

    @model_validator(mode="after")
    def _one_plan_section_per_question(self) -> Bundle:
        if tuple(s.id for s in self.plan.sections) != QUESTION_IDS:
            raise ValueError(f"plan sections must be {QUESTION_IDS} in that order")
        return self


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def available_locales(root: Path | None = None) -> tuple[str, ...]:
    base = root or content_root()
    return tuple(sorted(p.name for p in base.iterdir() if p.is_dir()))


def _read(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_bundle_from(folder: Path) -> Bundle:
    return Bundle(
        locale=folder.name,
        assessment=AssessmentContent.model_validate(_read(folder / "assessment.toml")),
        stages=StagesContent.model_validate(_read(folder / "stages.toml")),
        messages=Messages.model_validate(_read(folder / "messages.toml")),
        plan=PlanContent.model_validate(_read(folder / "plan.toml")),
        reading=ReadingWords.model_validate(_read(folder / "reading.toml")),
        away=AwayWords.model_validate(_read(folder / "away.toml")),
    )


@cache
def load_bundle(locale: str = DEFAULT_LOCALE) -> Bundle:
    """The validated content for one locale, read once per process."""
    return load_bundle_from(content_root() / locale)


def language_for(slack_locale: str | None, chosen: str | None = None) -> str:
    """The member's language: their own choice, else Slack's locale (``fi-FI`` -> ``fi``), else English."""
    if chosen in LANGUAGES:
        return chosen
    prefix = (slack_locale or "").split("-")[0].lower()
    return prefix if prefix in LANGUAGES else DEFAULT_LOCALE


def all_bundles() -> tuple[Bundle, ...]:
    return tuple(load_bundle(language) for language in LANGUAGES)
