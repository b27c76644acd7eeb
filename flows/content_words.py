"""The content models that need nothing of the others: the base of every content model, the small
marker words of a reply, and the words of a typed pause (``away.toml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Markers(Frozen):
    negators: tuple[str, ...]
    contrast: tuple[str, ...]
    doubt: tuple[str, ...]
    unfinished: tuple[str, ...] = ()  # about an action: words that keep *done* from being clear ("almost")
    every: tuple[str, ...] = ()  # about actions: the answer is about every one asked ("all done")
    # Plain "no" words that turn a request or a stage around ("ei taukoa", "niente pausa"), apart from
    # the negators, which also weigh a readiness answer.
    refusals: tuple[str, ...] = ()
    excluding: tuple[str, ...] = ()  # "everything except LinkedIn": a list named by what it leaves out


class AwayWords(Frozen):
    phrases: tuple[str, ...] = Field(min_length=1)  # asking for a pause until a date (away.toml), see flows.away
    pause_words: tuple[str, ...] = ()  # a word of a pause ("pause", "tauko", "ferie"), with a date or a span
    until_words: tuple[str, ...] = ()  # "until", "asti", "fino": a pause whose date could not be read
    weeks: tuple[str, ...] = ()  # "2 weeks", "kaksi viikkoa", "due settimane"
    days: tuple[str, ...] = ()
    months: tuple[str, ...] = ()  # "a month", "kuukaudeksi", "un mese": calendar months
    numbers: tuple[tuple[str, ...], ...] = ()  # the words for 1, 2, 3… (digits are read anyway)
    amount_links: tuple[str, ...] = ()  # between an amount and its unit: "a couple of weeks", "un paio di mesi"
    couple: tuple[str, ...] = ()  # about two, only right before a unit ("a couple of things" names no time)
    articles: tuple[str, ...] = ()  # number words that are also articles: "a week" is one, "a pause" no time
    lead_words: tuple[str, ...] = ()  # words before a pause word that change nothing ("please pause …")
    # Words that say when a pause ends other than by a date ("christmas", "tammikuuhun", "ensi"); a * ending
    # a word stands for any ending. A pause asked with one is asked again, never taken as one for good.
    when_words: tuple[str, ...] = ()
    first_day: tuple[str, ...] = ()  # the first of a month in words: "first of January", "primo gennaio"
    open_ended: tuple[str, ...] = ()  # a pause with no end ("for now", "toistaiseksi", "per ora"): until resumed
