"""Reading what a member typed: a rating with a confidence, a command, or "unsure".

Pure and fast (it runs before Slack gets its acknowledgement). The words are data in
``content/<lang>/reading.toml``; this module only knows how to combine them:

- a command counts only when it is the whole message, in the member's language or English;
- the option labels, numbers and a few everyday one-word answers count only as the whole reply (the
  latter two, like the small marker words below, only in the member's language and English);
- otherwise answer phrases are found anywhere (longest first, in all three languages, since members
  mix them), and small words around them decide how sure the reading is: a leftover negation
  ("I'm not saying yes"), a wish ("we should"), a "but" after a yes, two answers that disagree, a
  question mark, a typo or a long reply whose answer comes late all make it "unsure", never a guess
  that gets recorded. Unsure readings may carry the option most likely meant, to offer first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from typing import Literal

from rapidfuzz.distance import OSA

from flows.content import DEFAULT_LOCALE, LANGUAGES, RATINGS, Bundle, Rating, ReadingWords, load_bundle

CLEAR = 0.8  # a reading at or above this confidence is recorded without asking back
READ_CHARS = 1_000  # only a reply's start is read: a long one is clear only if its answer comes first
MAX_TOKENS = 60  # ... and never more words than this, so a reading costs the same for any reply
MAX_WORD = 24  # longer "words" (text without spaces, links) are never corrected as typos
KEPT_MARKS = {"\u0308", "\u030a"}  # ä, ö, å are letters of their own in Finnish: "mä" is not "ma"
LATE_ANSWER_TOKENS = 6  # past this many words, an answer word must come first to be clear
EMOJI = {  # emoji and Slack's shortcodes for them, as the word they stand for
    "👍": "yes", "✅": "yes", "✔": "yes", "💯": "yes", ":+1:": "yes", ":thumbsup:": "yes",
    ":white_check_mark:": "yes", ":heavy_check_mark:": "yes", ":100:": "yes",
    "👎": "no", "❌": "no", "🚫": "no", ":-1:": "no", ":thumbsdown:": "no", ":x:": "no", ":no_entry_sign:": "no",
    "🤷": "hmm", ":shrug:": "hmm", "🤔": "hmm", ":thinking_face:": "hmm",
}  # fmt: skip
_SHORTCODE = re.compile(r":[a-z0-9_+\-]+:")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+|\?|#")
_HELD = re.compile(r"(\w)\1{2,}")  # "yesss" -> "yes"
Signal = Literal["ready", "partly", "not_yet", "unsure", "negator", "contrast", "doubt"]


@dataclass(frozen=True)
class Reading:
    """What a reply says. ``rating`` or ``command`` is set only when the reading is clear."""

    rating: Rating | None = None
    command: str | None = None
    confidence: float = 0.0
    guess: Rating | None = None  # when unsure: the option to offer first, if one is likely

    @property
    def unsure(self) -> bool:
        return self.rating is None and self.command is None


UNSURE = Reading()


def _fold(text: str) -> str:
    """Lower case, without accents (but with ä, ö and å), with letters held down shortened."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'").replace("`", "'"))
    text = "".join(c for c in text if c in KEPT_MARKS or not unicodedata.combining(c))
    return _HELD.sub(r"\1", unicodedata.normalize("NFC", text))


def tokens(text: str) -> tuple[str, ...]:
    """The words of a reply's start (at most ``READ_CHARS`` characters and ``MAX_TOKENS`` words)."""
    text = text[:READ_CHARS]
    for emoji, word in EMOJI.items():
        if emoji in text:
            text = text.replace(emoji, f" {word} ")
    text = _SHORTCODE.sub(" ", text.lower())
    return tuple(match.group() for match in islice(_TOKEN.finditer(_fold(text)), MAX_TOKENS))


@dataclass(frozen=True)
class Lexicon:
    """Every phrase of one reader, folded to token tuples for fast look-up."""

    commands: Mapping[tuple[str, ...], str]
    chat_commands: Mapping[tuple[str, ...], str]
    whole: Mapping[tuple[str, ...], Rating]
    phrases: Mapping[tuple[str, ...], tuple[Signal, Rating | None]]
    longest: int
    vocabulary: frozenset[str]  # every word of every phrase
    near: Mapping[str, str]  # answer words a slip may have meant, by each spelling with a letter dropped
    spellings: Mapping[str, tuple[str, ...]]  # other ways of writing a word ("nn" for "non")
    fillers: frozenset[str] = frozenset()  # words that mean nothing when others follow (Finnish "no": "well")
    pronouns: frozenset[str] = frozenset()  # answer words that are also a pronoun when typed unaccented


def _key(phrase: str) -> tuple[str, ...]:
    return tokens(phrase)


def _one_typo_away(word: str) -> set[str]:
    """The word with one letter dropped: two words sharing one of these are a typo apart."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def build_lexicon(
    commands: Iterable[ReadingWords], words: Sequence[ReadingWords], labels: Iterable[tuple[str, Rating]]
) -> Lexicon:
    """Later word lists win where two give a phrase different meanings: pass the member's own last."""
    own = list(commands)
    command_map = {_key(p): name for w in own for name, ps in w.commands.items() for p in ps}
    chat_map = {_key(p): name for w in own for name, ps in w.chat.items() for p in ps}
    whole: dict[tuple[str, ...], Rating] = {}
    phrases: dict[tuple[str, ...], tuple[Signal, Rating | None]] = {}
    for w in own:
        # Small words are read only in the member's language and English: whole-reply words ("en" is
        # Finnish for "I don't", and English's language code) and markers (Italian "ma" is what the
        # Finnish "mä" folds to).
        for rating in RATINGS:
            whole.update({_key(p): rating for p in w.whole[rating]})
        for kind in ("negators", "contrast", "doubt"):
            signal: Signal = "negator" if kind == "negators" else kind  # type: ignore[assignment]
            phrases.update({_key(p): (signal, None) for p in getattr(w.markers, kind)})
    for w in words:
        for rating in RATINGS:
            phrases.update({_key(p): (rating, rating) for p in w.answers[rating]})
        for guess, ps in w.unsure.items():
            phrases.update({_key(p): ("unsure", None if guess == "none" else guess) for p in ps})
    whole.update({_key(label): rating for label, rating in labels})
    vocabulary = frozenset(word for key in phrases for word in key)
    near: dict[str, str] = {}
    for key, (signal, _) in sorted(phrases.items()):
        if signal in (*RATINGS, "unsure"):  # a slip is corrected only towards an answer's own words
            for word in key if len(key) == 1 else (w for w in key if len(w) >= 5):
                for variant in _one_typo_away(word) | {word}:
                    near.setdefault(variant, word)
    spellings = {_fold(k): _key(v) for w in words for k, v in w.spellings.items()}
    fillers = frozenset(_fold(f) for f in words[-1].fillers)  # the member's own language's
    pronouns = frozenset(_fold(p) for p in words[-1].pronouns)
    longest = max(map(len, phrases))
    return Lexicon(command_map, chat_map, whole, phrases, longest, vocabulary, near, spellings, fillers, pronouns)


def languages_read(locale: str) -> tuple[str, ...]:
    """A member's own language first, then English (members mix it in); never a third language,
    whose words can mean something else in theirs (English "en", Finnish "mä" and Italian "ma")."""
    own = locale if locale in LANGUAGES else DEFAULT_LOCALE
    return (own,) if own == DEFAULT_LOCALE else (own, DEFAULT_LOCALE)


@cache
def lexicon_for(locale: str) -> Lexicon:
    """The reader for a member coached in ``locale``: the words of their language, then English ones.

    Phrases of the member's own language win where both languages have one."""
    bundles = [load_bundle(language) for language in reversed(languages_read(locale))]  # own language last
    labels = [(a.label, a.rating) for b in bundles for q in b.assessment.questions for a in q.answers]
    return build_lexicon([b.reading for b in bundles], [b.reading for b in bundles], labels)


Found = list[tuple[int, Signal, Rating | None, int]]  # where, what, which rating, how many words


def _signals(words: tuple[str, ...], lexicon: Lexicon) -> tuple[Found, list[str]]:
    """Longest phrases first, left to right; returns the signals found and the words left over."""
    found: Found = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(lexicon.longest, len(words) - i), 0, -1):
            hit = lexicon.phrases.get(words[i : i + size])
            if hit is not None:
                found.append((i, *hit, size))
                i += size
                break
        else:
            rest.append(words[i])
            i += 1
    return found, rest


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter dropped, added, changed, or two neighbours swapped (optimal string alignment)."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _held(word: str, known: str) -> bool:
    """``word`` is ``known`` with one letter typed twice."""
    return any(word[i] == word[i + 1] and word[:i] + word[i + 1 :] == known for i in range(len(word) - 1))


def _corrected(words: tuple[str, ...], lexicon: Lexicon) -> tuple[str, ...] | None:
    """The words with each unknown one replaced by a known word one typo away; None if none was."""
    fixed, changed = list(words), False
    for index, word in enumerate(words):
        if not 4 <= len(word) <= MAX_WORD or word in lexicon.vocabulary:
            continue
        for variant in (word, *_one_typo_away(word)):
            known = lexicon.near.get(variant)
            if known is not None and len(known) < 4 and not _held(word, known):
                continue  # a short word is only taken as held down ("yess"), never as "year" for "yea"
            if known is not None and _one_edit_apart(word, known):
                fixed[index], changed = known, True
                break
    return tuple(fixed) if changed else None


def _combine(ratings: set[Rating]) -> tuple[Rating | None, Rating | None]:
    """Several answer words in one reply: (clear rating, guess)."""
    if len(ratings) == 1:
        (only,) = ratings
        return only, only
    if ratings == {"ready", "partly"}:
        return "partly", "partly"  # "yes, partly", "osittain kyllä", "in parte sì"
    if ratings == {"partly", "not_yet"}:
        return None, "partly"
    return None, None


def plain_pronouns(text: str, lexicon: Lexicon) -> frozenset[str]:
    """The lexicon's pronoun-like answer words typed in ``text`` without their accent ("si", not "sì")."""
    lowered = text[:READ_CHARS].lower()
    return frozenset(p for p in lexicon.pronouns if re.search(rf"(?<![\w']){p}(?![\w'])", lowered))


def read_words(words: tuple[str, ...], lexicon: Lexicon, plain: frozenset[str] = frozenset()) -> Reading:
    words = tuple(token for word in words for token in lexicon.spellings.get(word, (word,)))
    if words and words[0] in lexicon.fillers:
        words = words[1:]  # Finnish "no on": "well, yes"; "no" alone is only "well…", so it is asked back
    if not words:
        return UNSURE
    bare = tuple(w for w in words if w != "?") or words
    if bare in lexicon.commands:
        return Reading(command=lexicon.commands[bare], confidence=1.0)
    if bare in lexicon.whole:
        return Reading(rating=lexicon.whole[bare], confidence=1.0, guess=lexicon.whole[bare])
    reading = _read_phrases(bare, lexicon, asked="?" in words, plain=plain)
    corrected = _corrected(bare, lexicon)
    if corrected is None:
        return reading
    # A typo is never read as a clear answer: at most, what it most likely means is offered first.
    fixed = _read_phrases(corrected, lexicon, asked=True, plain=plain)
    if reading.unsure and not reading.guess:
        return Reading(guess=fixed.guess)
    return reading if fixed.guess == reading.rating else Reading(guess=None)


def _read_phrases(bare: tuple[str, ...], lexicon: Lexicon, asked: bool, plain: frozenset[str] = frozenset()) -> Reading:
    found, _ = _signals(bare, lexicon)
    pronoun_at = {i for i, _, _, size in found if size == 1 and bare[i] in plain}  # an unaccented "si"
    found = [hit for hit in found if hit[0] == 0 or hit[0] not in pronoun_at]  # "quando si può": no yes
    ratings = {r for _, s, r, _ in found if s in RATINGS and r is not None}
    if not ratings:
        guesses = [(i, r) for i, s, r, _ in found if s == "unsure" and r]
        if guesses and any(s == "negator" and i < guesses[0][0] for i, s, _, _ in found):
            return UNSURE  # "non direi": the hunch it turns round is not offered first
        return Reading(guess=guesses[0][1] if guesses else None)
    if len(bare) > 1 and all(i in pronoun_at for i, s, _, _ in found if s in RATINGS):
        return UNSURE  # "si perde tutto": a yes, or the pronoun of a sentence that says otherwise
    rating, guess = _combine(ratings)
    if rating is None:
        return Reading(guess=guess)
    first = min(i for i, s, _, _ in found if s in RATINGS)
    kinds = {s for _, s, _, _ in found}
    negated = any(s == "negator" and i < first for i, s, _, _ in found)
    if ("negator" in kinds and rating != "not_yet") or negated or "doubt" in kinds:
        return UNSURE  # "I'm not saying yes", "we should have one": no answer worth offering first
    if any(s == "contrast" and i > first for i, s, _, _ in found) and rating != "partly":
        return Reading(guess="partly" if rating == "ready" else rating)
    if "unsure" in kinds or asked or (first > 2 and len(bare) > LATE_ANSWER_TOKENS):
        return Reading(guess=rating, confidence=0.5)
    return Reading(rating=rating, confidence=0.9, guess=rating)


def signals_in(words: tuple[str, ...], lexicon: Lexicon) -> frozenset[Signal]:
    """Which kinds of answer words and markers a reply holds (a negation, a wish, a "but"…)."""
    return frozenset(signal for _, signal, _, _ in _signals(words, lexicon)[0])


def read_reply(text: str, locale: str) -> Reading:
    """Read a member's reply to a rating question (or a command), for a member coached in ``locale``."""
    lexicon = lexicon_for(locale if locale in LANGUAGES else "en")
    return read_words(tokens(text), lexicon, plain_pronouns(text, lexicon))


def read_chat_command(text: str, locale: str) -> str | None:
    """A terminal-only command (stage, quiz, check in), as the whole message, or None."""
    return lexicon_for(locale if locale in LANGUAGES else "en").chat_commands.get(tokens(text))


def read_intent(typed: str, preferred: Bundle) -> str | None:
    """What a typed message clearly means (a rating or a command), or None.

    Answers are read in every language, since members mix them; commands only in the member's
    language and English, and only as the whole message.
    """
    reading = read_reply(typed, preferred.locale)
    return reading.rating or reading.command
