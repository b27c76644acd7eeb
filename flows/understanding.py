"""What a typed reply means at the prompt the coach last asked, and only there.

One reader per prompt kind, all pure and bounded (``flows.reading.tokens`` reads a fixed-size start
of any reply): a rating at one of the six questions, an outcome at the check-in, an answer at a quiz
question (``flows.options``), a value at a plan field (``flows.options``), or, when nothing is open,
what the member wants (an intent). Everywhere, a question back ("what do you mean?", "give me an
example", "why does this matter?") is recognised when the reply is not an answer.

Never a guess: a reading is clear, or it is unsure and may carry the option most likely meant
(``guess``), to offer first when asking back. The words are data in ``content/<lang>/reading.toml``;
a member's own language and English are read, never a third (see ``flows.reading.languages_read``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from flows.content import ACTION_WORDS, CHECKIN_WORDS, LANGUAGES, QuestionBack, ReadingWords, load_bundle
from flows.matching import Hit, Matcher, build_matcher, covered, find, holds
from flows.reading import languages_read, lexicon_for, plain_pronouns, read_words, tokens
from flows.schedule_words import read_schedule, weekday_names
from flows.values import whole_number

COMMAND_INTENTS = {"start": "start", "status": "status", "help": "help", "restart": "restart", "forget": "forget"}
STAGES = range(1, 7)


@dataclass(frozen=True)
class Understanding:
    """What a reply says at one prompt; at most one of choice, command and question is set."""

    choice: str | None = None  # the option meant (a rating, a check-in outcome, "stage_4", a quiz answer's number…)
    command: str | None = None  # a command at a prompt, or an intent when nothing is open
    question: QuestionBack | None = None  # a question back about the prompt
    guess: str | None = None  # when unsure: the option to offer first, if one is likely

    @property
    def unsure(self) -> bool:
        return self.choice is None and self.command is None and self.question is None


def words_read(locale: str) -> tuple[tuple[str, ReadingWords], ...]:
    """(language, words) for the member's language first, then English."""
    return tuple((language, load_bundle(language).reading) for language in languages_read(locale))


@cache
def negators(locale: str) -> frozenset[str]:
    return frozenset(w for _, words in words_read(locale) for p in words.markers.negators for w in tokens(p))


@cache
def stopwords(locale: str) -> frozenset[str]:
    return frozenset(w for _, words in words_read(locale) for p in words.stopwords for w in tokens(p))


@cache
def _questions(locale: str) -> Matcher:
    named = [(k, p, lang) for lang, words in words_read(locale) for k, ps in words.questions.items() for p in ps]
    return build_matcher(named, languages_read(locale))


def question_back(words: tuple[str, ...], locale: str) -> QuestionBack | None:
    """A question about the prompt: asked with a question mark, opening the reply, or making most of it."""
    hits = [h for h in find(words, _questions(locale), fuzzy=False)]
    if not hits:
        return None
    hit = hits[0]
    if "?" in words or hit.start == 0 or hit.size * 3 >= len(words):
        return hit.key  # type: ignore[return-value]
    return None


def command_of(words: tuple[str, ...], locale: str) -> str | None:
    """A command typed as the whole message (in the member's language or English)."""
    bare = tuple(w for w in words if w != "?") or words
    return lexicon_for(locale).commands.get(bare)


def negated(words: tuple[str, ...], hits: list[Hit], locale: str, refusing: bool = False) -> bool:
    """A negative word the hits do not account for ("not better"); with ``refusing``, a plain "no" word
    too ("ei menty eteenpäin", "niente pausa"), where a request or a check-in answer is read."""
    inside, against = covered(hits), negators(locale) | (refusals(locale) if refusing else frozenset())
    return any(w in against and i not in inside for i, w in enumerate(words))


def refused(words: tuple[str, ...], hits: list[Hit], locale: str) -> bool:
    """A plain "no" word of the member's own language just before a phrase it does not hold ("ei menty
    eteenpäin", "nessun passo avanti", "no better"): the phrase is turned round. One later in the reply
    ("worse, nobody posted anything") or in another language (Finnish "no" is "well") is not."""
    own, inside = _own_refusals(locale), covered(hits)
    return any(
        words[i] in own and i not in inside for hit in hits for i in range(max(0, hit.start - 3), hit.start)
    )


@cache
def _own_refusals(locale: str) -> frozenset[str]:
    return frozenset(w for p in load_bundle(locale).reading.markers.refusals for w in tokens(p))


def excluding(words: tuple[str, ...], locale: str) -> bool:
    """Whether the reply names something left out ("except", "paitsi", "tranne")."""
    return any(holds(words, phrase) for phrase in _excluding(locale))


@cache
def _excluding(locale: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tokens(p) for _, w in words_read(locale) for p in w.markers.excluding)


@cache
def refusals(locale: str) -> frozenset[str]:
    return frozenset(w for _, words in words_read(locale) for p in words.markers.refusals for w in tokens(p))


# The six questions


def wholly_question_back(words: tuple[str, ...], locale: str) -> QuestionBack | None:
    """A question about the prompt that makes at least two thirds of the reply ("I don't understand",
    "I don't get the question"): read before any answer words it holds ("don't" is no answer there)."""
    bare = [word for word in words if word != "?"]
    hits = find(words, _questions(locale), fuzzy=False)
    if hits and sum(hit.size for hit in hits) * 3 >= len(bare) * 2:  # "huh, I don't understand"
        return hits[0].key  # type: ignore[return-value]
    return None


def read_rating(text: str, locale: str) -> Understanding:
    words = tokens(text)
    asked = wholly_question_back(words, locale)
    if asked is not None:
        return Understanding(question=asked)
    lexicon = lexicon_for(locale)
    reading = read_words(words, lexicon, plain_pronouns(text, lexicon))
    if reading.rating is not None or reading.command is not None:
        return Understanding(choice=reading.rating, command=reading.command)
    question = question_back(words, locale)
    return Understanding(question=question) if question else Understanding(guess=reading.guess)


# The weekly check-in


# Buttons whose labels are read as the answer they give, by the kind of answer
BUTTON_LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "checkin": tuple((k, f"button_checkin_{k}") for k in CHECKIN_WORDS),
    "actions": tuple((k, f"button_action_{k}") for k in ACTION_WORDS),
    "offer": (
        ("yes", "button_lookback_yes"),
        ("no", "button_lookback_no"),
        ("yes", "button_revisit_yes"),
        ("no", "button_revisit_no"),
    ),
}
ChoiceKind = Literal["checkin", "actions", "offer"]


@cache
def choices_matcher(locale: str, kind: ChoiceKind) -> Matcher:
    """The phrases of one kind of answer (``reading.toml``'s table of that name) and its buttons' labels."""
    named = [(k, p, lang) for lang, words in words_read(locale) for k, ps in getattr(words, kind).items() for p in ps]
    for language in languages_read(locale):
        messages = load_bundle(language).messages
        named += [(k, messages.text(label), language) for k, label in BUTTON_LABELS[kind]]
    return build_matcher(named, languages_read(locale))


def checkin_matcher(locale: str) -> Matcher:
    return choices_matcher(locale, "checkin")


def one_choice(words: tuple[str, ...], hits: list[Hit], locale: str, unsure: bool = False) -> Understanding:
    """The one option the hits name, when clear: no other option named, nothing negating it, no slip, no
    question mark; else a question back, or the likeliest option as a guess."""
    keys = list(dict.fromkeys(h.key for h in hits))
    unsure = unsure or negated(words, hits, locale) or "?" in words
    if len(keys) == 1 and not unsure and not any(h.fuzzy for h in hits):
        return Understanding(choice=keys[0])
    question = question_back(words, locale) if not keys else None
    if question is not None:
        return Understanding(question=question)
    return Understanding(guess=keys[0] if keys else None)


@cache
def _stage_words(locale: str) -> frozenset[str]:
    return frozenset(w for _, words in words_read(locale) for p in words.stage_words for w in tokens(p))


def stage_named(words: tuple[str, ...], locale: str) -> int | None:
    """The stage a reply names ("stage 4", "vaihe 4", "fase 4", "4th stage", "moved up to 5"), if exactly one."""
    last = whole_number(words[-1]) if len(words) >= 2 else None
    if last in STAGES and words[-2] in {w for _, r in words_read(locale) for w in r.to_words}:
        return last  # "slipped back to 1": the number ends the reply ("moved to 3 networks" names none)
    named = set()
    for i, word in enumerate(words):
        if word in _stage_words(locale):
            for near in words[max(0, i - 1) : i + 3]:
                number = whole_number(near)
                if number in STAGES:
                    named.add(number)
    return named.pop() if len(named) == 1 else None


@cache
def places(locale: str) -> dict[tuple[str, ...], int]:
    """Whole replies that name an option by its place ("the second one", "toinen", "la seconda"); the
    member's own language wins where English gives a phrase another place."""
    read = reversed(words_read(locale))
    ordinals = ((place, phrases) for _, words in read for place, phrases in enumerate(words.ordinals, 1))
    return {tokens(phrase): place for place, phrases in ordinals for phrase in phrases}


def by_place(text: str, locale: str, count: int) -> int | None:
    """The place (1 to ``count``) a whole reply names in words, if it names one."""
    place = places(locale).get(tokens(text))
    return place if place is not None and place <= count else None


def read_checkin(text: str, locale: str) -> Understanding:
    words = tokens(text)
    number = whole_number(text.strip())
    if number is None:
        number = by_place(text, locale, len(CHECKIN_WORDS))  # "the second one", "toinen", "la seconda"
    if number is not None:
        return Understanding(choice=CHECKIN_WORDS[number - 1]) if 1 <= number <= len(CHECKIN_WORDS) else Understanding()
    hits = find(words, checkin_matcher(locale))
    command = command_of(words, locale)
    if command is not None and not hits:
        return Understanding(command=command)
    stage = stage_named(words, locale)
    turned = negated(words, hits, locale) or refused(words, hits, locale)
    unsure = turned or "?" in words
    if stage is not None:
        return Understanding(guess=f"stage_{stage}") if unsure else Understanding(choice=f"stage_{stage}")
    if turned and hits:  # "we did not move forward": asked back with every option, not the one turned round
        return Understanding()
    return one_choice(words, hits, locale, unsure)


# Nothing open: what the member wants


@cache
def _intents(locale: str) -> Matcher:
    named = [(k, p, lang) for lang, words in words_read(locale) for k, ps in words.intents.items() for p in ps]
    return build_matcher(named, languages_read(locale))


LATE_PAUSE_WORD = 3  # "I'd like to pause" asks; a pause word later in a sentence tells of a break
ANYWHERE = ("stage", "quiz", "checkin", "settings", "pause", "resume", "plan", "actions")  # never an answer to anything


@cache
def _whole_intents(locale: str) -> dict[tuple[str, ...], str]:
    return {
        tokens(p): intent
        for _, words in reversed(words_read(locale))
        for intent, phrases in words.intents.items()
        if intent in ANYWHERE
        for p in phrases
    }


def journey_word(text: str, locale: str) -> str | None:
    """"stage", "quiz", "check in", "settings", "pause", "plan"… as the whole message: it acts at any prompt."""
    words = tokens(text)
    return lexicon_for(locale).chat_commands.get(words) or _whole_intents(locale).get(words)


def read_intent(text: str, locale: str) -> Understanding:
    """What a member wants when the coach asked nothing: the longest intent phrase decides; a tie asks."""
    words = tokens(text)
    command = command_of(words, locale)
    if command in COMMAND_INTENTS:
        return Understanding(command=COMMAND_INTENTS[command])
    chat = lexicon_for(locale).chat_commands.get(words)
    if chat is not None:
        return Understanding(command=chat)
    hits = find(words, _intents(locale))
    if not hits or negated(words, hits, locale, refusing=True):  # "don't pause", "ei taukoa": no request
        return Understanding()
    longest = max(h.size for h in hits)
    keys = list(dict.fromkeys(h.key for h in hits if h.size == longest))
    if "forget" in keys and _more_than_asked(words, hits, locale):
        return Understanding()  # "forget 3", "unohda 3": deleting everything is asked for in so many words only
    if keys == ["pause"] and longest == 1 and min(h.start for h in hits if h.key == "pause") > LATE_PAUSE_WORD:
        return Understanding()  # "a volte facciamo una pausa di 2 settimane": a break told of, not asked for
    if len(keys) == 1 and not any(h.fuzzy for h in hits if h.size == longest):
        return Understanding(command=keys[0])
    return Understanding(guess=keys[0])


def _more_than_asked(words: tuple[str, ...], hits: list[Hit], locale: str) -> bool:
    """Words beside the phrases found other than common or polite ones ("forget 3", not "please forget me")."""
    inside, common = covered(hits), _common_or_polite(locale)
    return any(i not in inside and w not in common for i, w in enumerate(words))


@cache
def _common_or_polite(locale: str) -> frozenset[str]:
    """Stopwords, and words that ask nicely ("please", "voitko", "per favore": ``away.toml``'s lead words)."""
    phrases = (p for language in languages_read(locale) for p in load_bundle(language).away.lead_words)
    return stopwords(locale) | frozenset(w for p in phrases for w in tokens(p))


def warm_up(locale: str) -> None:
    """Build this module's tables for ``locale`` now, not on a member's first reply."""
    builders = (
        _questions,
        checkin_matcher,
        _intents,
        _whole_intents,
        weekday_names,
        _stage_words,
        negators,
        stopwords,
        _own_refusals,
        _common_or_polite,
    )
    for build in builders:
        build(locale)
    for kind in ("actions", "offer"):
        choices_matcher(locale, kind)


def stranger_language(text: str, default: str) -> str:
    """The language to read someone in whose language the coach has not learned (no row: a first DM,
    or just after "forget"): the first, the default before the others, in which the words ask for
    something (a command, a journey word, a day and a time); the default when none reads them."""
    for language in (default, *(other for other in LANGUAGES if other != default)):
        if journey_word(text, language) or read_intent(text, language).command or read_schedule(text, language):
            return language
    return default
