"""Finding the phrases a reply contains, whatever their inflection or a slip of the keyboard.

Two well-kept libraries do the language work (see the README's "Reading typed replies"):

- ``snowballstemmer`` (the Snowball project's stemmers, pure Python) reduces a word to its stem in
  Finnish, Italian and English, so that "esimerkin", "esimerkki" and "esimerkkejä" are one word, and
  "slipped" is "slip". A phrase is stemmed with its own language's stemmer; a reply with the
  member's and with English's (members mix them).
- ``rapidfuzz`` gives the edit distance for a word a letter away from a known one ("instgram").

A match is found longest phrase first, left to right. The cost is linear in the reply's words, and
``flows.reading.tokens`` never yields more than a fixed number of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from flows.reading import MAX_WORD, tokens

STEMMERS = {"en": "english", "fi": "finnish", "it": "italian"}
MIN_FUZZY = 5  # a word this long or longer may be a letter away from the one meant
MIN_STEM = 4  # shorter stems say too little ("en" is Finnish "ennen" cut down, and English "en")


@cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(STEMMERS[language])


@lru_cache(maxsize=8192)
def stem(word: str, language: str) -> str:
    if word.isdigit() or len(word) > MAX_WORD:
        return word
    return str(_stemmer(language).stemWord(word))


def canonical(word: str, language: str) -> str:
    """The word's stem, unless stemming cut it below 4 letters ("ennen" to "en"): then the word."""
    stemmed = stem(word, language)
    return stemmed if len(stemmed) >= MIN_STEM else word


@dataclass(frozen=True)
class Hit:
    key: str
    start: int
    size: int
    fuzzy: bool = False  # found only by allowing one slip


@dataclass(frozen=True)
class Matcher:
    """Phrases (as surface words and as stems) mapped to what they name."""

    index: Mapping[tuple[str, ...], str]
    longest: int
    singles: tuple[str, ...]  # one-word phrases long enough to be looked up with a slip
    languages: tuple[str, ...]


def build_matcher(named: Iterable[tuple[str, str, str]], languages: Sequence[str]) -> Matcher:
    """``named``: (key, phrase, the phrase's language). A phrase listed twice keeps its first key."""
    index: dict[tuple[str, ...], str] = {}
    for key, phrase, language in named:
        words = tokens(phrase)
        if not words:
            continue
        index.setdefault(words, key)
        index.setdefault(tuple(canonical(w, language) for w in words), key)
    singles = tuple(sorted({k[0] for k in index if len(k) == 1 and len(k[0]) >= MIN_FUZZY and not k[0].isdigit()}))
    return Matcher(index, max(map(len, index), default=1), singles, tuple(languages))


def _forms(words: tuple[str, ...], languages: Sequence[str]) -> list[tuple[str, ...]]:
    return [words, *(tuple(canonical(w, language) for w in words) for language in languages)]


def find(words: tuple[str, ...], matcher: Matcher, fuzzy: bool = True) -> list[Hit]:
    """Every phrase found, longest first, left to right, never overlapping."""
    forms = _forms(words, matcher.languages)
    hits: list[Hit] = []
    i = 0
    while i < len(words):
        hit = _hit_at(forms, i, matcher)
        if hit is None and fuzzy:
            hit = _slip_at(words, i, matcher)
        if hit is None:
            i += 1
            continue
        hits.append(hit)
        i += hit.size
    return hits


def _hit_at(forms: list[tuple[str, ...]], i: int, matcher: Matcher) -> Hit | None:
    for size in range(min(matcher.longest, len(forms[0]) - i), 0, -1):
        for form in forms:
            key = matcher.index.get(form[i : i + size])
            if key is not None:
                return Hit(key, i, size)
    return None


def _slip_at(words: tuple[str, ...], i: int, matcher: Matcher) -> Hit | None:
    word = words[i]
    if not MIN_FUZZY <= len(word) <= MAX_WORD or word.isdigit():
        return None
    found = process.extractOne(word, matcher.singles, scorer=OSA.distance, score_cutoff=1)
    if found is None:
        return None
    return Hit(matcher.index[(found[0],)], i, 1, fuzzy=True)


def covered(hits: Iterable[Hit]) -> set[int]:
    """The positions of the words the hits cover."""
    return {i for hit in hits for i in range(hit.start, hit.start + hit.size)}


def holds(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` stands among ``words``, its words side by side."""
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))
