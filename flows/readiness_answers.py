"""A reply to one of the six readiness questions: the general reader first, then the question's own
words (each answer's label and ``words`` in ``assessment.toml``), which may settle a reply the reader
is unsure of, or turn a yes that names a weaker answer into a question, but never decide alone on one
word, and never against a negation, a wish, a "but" or a hedge."""

from __future__ import annotations

from collections import Counter
from functools import cache

from flows.content import RATINGS, Rating, load_bundle
from flows.matching import find
from flows.options import Option, option_matcher, read_options
from flows.options import warm_up as warm_options
from flows.reading import lexicon_for, signals_in, tokens
from flows.understanding import Understanding, read_rating, words_read

CAUTIOUS: frozenset[str] = frozenset({"negator", "doubt", "contrast", "unsure"})
HEDGE_WORDS = 2  # words of a weaker answer's own that turn a yes into a question


@cache
def answer_options(question_id: str, locale: str) -> tuple[Option, ...]:
    """A readiness question's answers, named by their labels and the words content gives them."""
    options = []
    for rating in RATINGS:
        names, labels = [], []
        for language, _ in words_read(locale):
            answer = load_bundle(language).assessment.question(question_id).answer(rating)
            labels.append((answer.label, language))
            names += [(answer.label, language), *((w, language) for w in answer.words)]
        options.append(Option(rating, tuple(names), tuple(labels)))
    return tuple(options)


def _option_words(text: str, locale: str, question_id: str) -> Counter[str]:
    """How many of each answer's own words (its label's and its ``words``) the reply holds."""
    weight: Counter[str] = Counter()
    for hit in find(tokens(text), option_matcher(answer_options(question_id, locale), locale)):
        weight[hit.key] += hit.size
    return weight


def hedged_yes(text: str, locale: str, question_id: str) -> Rating | None:
    """A yes followed by a weaker answer's own words ("yes, we fit it in when we can", "yes if someone
    remembers"): that answer, to offer first instead of recording the yes. Two of its words at least,
    and none of the yes answer's, so a yes that merely names a network or a person stays a yes."""
    weight = _option_words(text, locale, question_id)
    weaker = [key for key in ("partly", "not_yet") if weight[key] >= HEDGE_WORDS]
    return weaker[0] if len(weaker) == 1 and not weight["ready"] else None  # type: ignore[return-value]


def read_answer(text: str, locale: str, question_id: str) -> Understanding:
    """A rating at one question. When the general reader is unsure, the question's own words
    ("it's all in my head" at the house rules) may settle it, but never against a negation, a wish,
    a "but" or a hedge the reply holds: then they only choose the option offered first."""
    general = read_rating(text, locale)
    if general.choice == "ready":
        hedged = hedged_yes(text, locale, question_id)
        return Understanding(guess=hedged) if hedged else general
    if not general.unsure:
        return general
    topical = read_options(text, locale, answer_options(question_id, locale))
    cautious = signals_in(tokens(text), lexicon_for(locale)) & CAUTIOUS
    if topical.choice is None:  # "not a clear one": the label it turns round is not offered first
        return Understanding(guess=general.guess if "negator" in cautious else general.guess or topical.guess)
    if _option_words(text, locale, question_id)[topical.choice] < HEDGE_WORDS:  # "la titolare ha tempo":
        return Understanding(guess=general.guess)  # one word of a label decides nothing, nor is offered first
    if not cautious and general.guess in (None, topical.choice):
        return Understanding(choice=topical.choice)
    if cautious & {"negator", "doubt"}:
        return Understanding(guess=general.guess)  # "we should have a clear goal": no answer to offer first
    return Understanding(guess=general.guess or topical.choice)


def warm_up(locale: str) -> None:
    """Build every reader's tables for ``locale`` now (at start-up), the six questions' included."""
    warm_options(locale)
    for question in load_bundle(locale).assessment.questions:
        option_matcher(answer_options(question.id, locale), locale)
