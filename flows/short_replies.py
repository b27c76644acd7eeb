"""Short replies read the same at every prompt: a plain yes or no (to "Did you mean …?"), "I don't
know" (no answer to pick for the member), "resume" on its own, and a clear go-ahead to what cannot
be undone."""

from __future__ import annotations

from functools import cache
from typing import Literal

from flows.content import load_bundle
from flows.matching import Matcher, build_matcher, find
from flows.reading import languages_read, lexicon_for, tokens
from flows.understanding import read_rating, words_read


@cache
def _not_knowing(locale: str) -> Matcher:
    named = [("not_knowing", p, lang) for lang, words in words_read(locale) for p in words.not_knowing]
    return build_matcher(named, languages_read(locale))


def not_knowing(text: str, locale: str) -> bool:
    """The reply says the member does not know ("idk", "en tiedä", "boh"): no answer to pick for them."""
    spellings = lexicon_for(locale).spellings
    words = tuple(token for word in tokens(text) for token in spellings.get(word, (word,)))
    return bool(find(words, _not_knowing(locale), fuzzy=False))


def resume_word(text: str, locale: str) -> bool:
    """"resume", "jatka", "riprendi" as the whole message (in the member's language or English)."""
    return tokens(text) in {tokens(p) for _, words in words_read(locale) for p in words.resume_words}


@cache
def _picks(locale: str) -> frozenset[tuple[str, ...]]:
    """Whole replies that pick an option by its place ("1", "the first", "toinen"): ``reading.toml``'s
    ``[whole]`` table but its yes and no words (``whole_yes_no``: "on", "en", "mai")."""
    picks: set[tuple[str, ...]] = set()
    for _, words in words_read(locale):
        yes_no = {tokens(phrase) for phrase in words.whole_yes_no}
        picks |= {tokens(phrase) for phrases in words.whole.values() for phrase in phrases} - yes_no
    return frozenset(picks)


@cache
def _affirming(locale: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tokens(phrase) for _, words in words_read(locale) for phrase in words.affirm)


SHORT_REPLY_WORDS = 3  # "yes", "yes it is", "ei se ole": a yes or no on its own, naming no answer


def plain_yes_or_no(text: str, locale: str) -> bool | None:
    """A short yes (True) or no (False) that names nothing else ("yes", "joo", "esatto", "nope",
    "not really"); None for anything longer, less sure, or asked with a question mark."""
    typed = tokens(text)
    words = tuple(word for word in typed if word != "?")
    if words in _affirming(locale) and "?" not in typed:  # "pretty much", "juuri se", "quella"; not "right?"
        return True
    if len(words) > SHORT_REPLY_WORDS or words in _picks(locale):  # "1", "the first", "toinen": a pick
        return None
    choice = read_rating(text, locale).choice
    return {"ready": True, "not_yet": False}.get(choice or "")


Irreversible = Literal["forget", "restart"]
# The buttons that do the act, whose labels name it too ("Delete everything", "Poista").
ACT_BUTTONS: dict[Irreversible, tuple[str, ...]] = {"forget": ("button_forget", "forget_confirm_yes"), "restart": ()}


@cache
def _go_ahead(locale: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tokens(p) for _, words in words_read(locale) for p in words.go_ahead)


@cache
def _act_words(locale: str, act: Irreversible) -> frozenset[tuple[str, ...]]:
    """The act's own words: what a member says for it, its command, and its buttons' labels. Forget's
    command alone is not among them: at its own question "ok, forget it" means the opposite."""
    phrases = [p for _, words in words_read(locale) for p in (*words.commands[act], *words.intents.get(act, ()))]
    for language in languages_read(locale):
        phrases += [load_bundle(language).messages.text(label) for label in ACT_BUTTONS[act]]
    bare = {tokens(p) for _, words in words_read(locale) for p in words.commands[act] if len(tokens(p)) == 1}
    return frozenset(tokens(p) for p in phrases) - (bare if act == "forget" else set())


@cache
def _courtesy(locale: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tokens(p) for _, words in words_read(locale) for p in words.courtesy)


def go_ahead(text: str, locale: str, act: Irreversible) -> bool:
    """A clear yes to ``act``, which cannot be undone: the reply is yeses ("yes", "joo kyllä", "sì sì"),
    the act's own words ("delete everything", "aloita alusta"), or both, with courtesy words beside
    them ("yes please do", "sì grazie"). Anything else is no go-ahead: "yes, keep it", "joo älä poista",
    "sì tieni tutto", "ok, forget it", "yes?"."""
    typed = tokens(text)
    if not typed or "?" in typed:
        return False
    kinds = ((_go_ahead(locale), True), (_act_words(locale, act), True), (_courtesy(locale), False))
    reached = {0: False}  # how far the reply is read, and whether a yes or the act was among it
    for start in range(len(typed)):
        if start not in reached:
            continue
        for phrases, says_yes in kinds:
            for phrase in phrases:
                if typed[start : start + len(phrase)] == phrase:
                    end = start + len(phrase)
                    reached[end] = reached.get(end, False) or reached[start] or says_yes
    return reached.get(len(typed), False)
