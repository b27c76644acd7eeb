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
    """Phrases mapped to what they name: as typed, and stemmed with their own language's stemmer."""

    index: Mapping[tuple[str, ...], str]  # the phrases as typed
    stems: Mapping[str, Mapping[tuple[str, ...], str]]  # by language: that language's phrases, stemmed
    longest: int
    slips: Mapping[str, str]  # one-word phrases (typed or stemmed) long enough to be found with a slip
    languages: tuple[str, ...]


def build_matcher(named: Iterable[tuple[str, str, str]], languages: Sequence[str]) -> Matcher:
    """``named``: (key, phrase, the phrase's language). A phrase listed twice keeps its first key."""
    index: dict[tuple[str, ...], str] = {}
    stems: dict[str, dict[tuple[str, ...], str]] = {}
    slips: dict[str, str] = {}
    for key, phrase, language in named:
        words = tokens(phrase)
        if not words:
            continue
        stemmed = tuple(canonical(w, language) for w in words)
        index.setdefault(words, key)
        stems.setdefault(language, {}).setdefault(stemmed, key)
        for form in (words, stemmed):
            if len(form) == 1 and len(form[0]) >= MIN_FUZZY and not form[0].isdigit():
                slips.setdefault(form[0], key)
    longest = max(map(len, index), default=1)
    return Matcher(index, stems, longest, dict(sorted(slips.items())), tuple(languages))


def find(words: tuple[str, ...], matcher: Matcher, fuzzy: bool = True) -> list[Hit]:
    """Every phrase found, longest first, left to right, never overlapping. A reply's words are stemmed
    with each language read and compared with that language's phrases only: Italian "passati" and
    English "pass" share a stem, not a meaning."""
    stemmed = [(language, tuple(canonical(w, language) for w in words)) for language in matcher.languages]
    hits: list[Hit] = []
    i = 0
    while i < len(words):
        hit = _hit_at(words, stemmed, i, matcher)
        if hit is None and fuzzy:
            hit = _slip_at(words, i, matcher)
        if hit is None:
            i += 1
            continue
        hits.append(hit)
        i += hit.size
    return hits


def _hit_at(words: tuple[str, ...], stemmed: list[tuple[str, tuple[str, ...]]], i: int, matcher: Matcher) -> Hit | None:
    for size in range(min(matcher.longest, len(words) - i), 0, -1):
        keys = (matcher.stems.get(language, {}).get(form[i : i + size]) for language, form in stemmed)
        key = matcher.index.get(words[i : i + size]) or next((k for k in keys if k is not None), None)
        if key is not None:
            return Hit(key, i, size)
    return None


def _slip_at(words: tuple[str, ...], i: int, matcher: Matcher) -> Hit | None:
    word = words[i]
    if not MIN_FUZZY <= len(word) <= MAX_WORD or word.isdigit():
        return None
    found = process.extractOne(word, matcher.slips.keys(), scorer=OSA.distance, score_cutoff=1)
    if found is None:
        return None
    return Hit(matcher.slips[found[0]], i, 1, fuzzy=True)


def covered(hits: Iterable[Hit]) -> set[int]:
    """The positions of the words the hits cover."""
    return {i for hit in hits for i in range(hit.start, hit.start + hit.size)}


def holds(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` stands among ``words``, its words side by side."""
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))
