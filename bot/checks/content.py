"""Checks on what the content *says*, beyond its shape: true summaries, one form of address per
locale, wording that fits everyone in Italian, and option labels that fit on Slack's buttons.

``coach check`` runs them (through ``bot.checks.content_problems``); the word lists they use are data,
in ``content/<locale>/style.toml``.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from pydantic import Field

from flows.assessment import AssessmentResult, evaluate
from flows.content import QUESTION_IDS, RATINGS, Bundle, Rating
from flows.content_words import Frozen
from flows.summary import claims_hold, summary_sentences

MAX_OPTION_LABEL = 75  # Slack's limit for a button's text
WORD = re.compile(r"[^\W\d_]+")
STYLE_FILE = "style.toml"


class WordList(Frozen):
    """Words (and word endings) that must not appear; ``allow`` lists the exceptions to the endings."""

    use: str = ""
    avoid_words: tuple[str, ...] = ()
    avoid_endings: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()

    def offending(self, text: str) -> list[str]:
        words = [w.lower() for w in WORD.findall(text)]
        return [
            w
            for w in words
            if w in self.avoid_words or (w not in self.allow and any(w.endswith(e) for e in self.avoid_endings))
        ]


class Style(Frozen):
    address: WordList
    masculine_only: WordList = Field(default_factory=WordList)
    # Words that must not stand right before a date: Babel writes the date in full ("8 dicembre"), so
    # a hand-made article or preposition ("del 8 dicembre") cannot agree with every day of the month.
    before_date: tuple[str, ...] = ()


def load_style(folder: Path) -> Style:
    with (folder / STYLE_FILE).open("rb") as handle:
        return Style.model_validate(tomllib.load(handle))


def member_facing_texts(bundle: Bundle) -> Iterator[tuple[str, str]]:
    """Every text a member reads, with where it lives (typed-word lists are not shown, so not here)."""
    assessment, stages = bundle.assessment, bundle.stages
    yield "assessment.toml intro", f"{assessment.intro.title}\n{assessment.intro.body}"
    for q in assessment.questions:
        yield f"assessment.toml {q.id}", "\n".join([q.title, q.prompt, *q.guidance])
        for answer in q.answers:
            yield f"assessment.toml {q.id} answer", answer.label
        for rating, advice in q.advice.items():
            yield f"assessment.toml {q.id} {rating}", f"{advice.advice}\n{advice.next_step}"
    for key, verdict in assessment.verdicts.items():
        texts = [verdict.title, verdict.plan_title or "", *(s.text for s in verdict.summary)]
        yield f"assessment.toml verdict {key}", "\n".join(texts)
    for stage in stages.stages:
        texts = [stage.name, stage.one_line, stage.looks_like, stage.trap, stage.next_move, *stage.tips]
        yield f"stages.toml stage {stage.number}", "\n".join(texts)
    for quiz in stages.quiz:
        yield f"stages.toml quiz {quiz.id}", "\n".join([quiz.prompt, *(a.label for a in quiz.answers)])
    for key, text in bundle.messages.messages.items():
        yield f"messages.toml {key}", text
    yield from plan_texts(bundle)


def plan_texts(bundle: Bundle) -> Iterator[tuple[str, str]]:
    """Every text of the plan a member reads: its messages, and each section's fields and options."""
    plan = bundle.plan
    for key, text in plan.messages.items():
        yield f"plan.toml {key}", text
    for section in plan.sections:
        yield f"plan.toml {section.id}", "\n".join([section.title, section.short, section.intro])
        for item in section.fields:
            texts = [item.label, item.placeholder or "", item.line]
            texts += [t for o in item.options for t in (o.label, o.sentence or "")]
            yield f"plan.toml {section.id}.{item.id}", "\n".join(texts)


def date_problems(bundle: Bundle, style: Style) -> list[str]:
    """A ``{date}`` placed after a word of ``before_date`` (a hand-made "del {date}")."""
    problems = []
    for where, text in member_facing_texts(bundle):
        for match in re.finditer(r"(\w+)'?\s*\{date\}", text):
            if match.group(1).lower() in style.before_date:
                problems.append(
                    f"content/{bundle.locale}/{where}: {match.group(0)!r} writes its own word before the date;"
                    " let the date stand alone, e.g. in brackets"
                )
    return problems


def wording_problems(bundle: Bundle, style: Style) -> list[str]:
    problems = []
    for where, text in member_facing_texts(bundle):
        if words := style.address.offending(text):
            problems.append(
                f"content/{bundle.locale}/{where}: {sorted(set(words))} break the one form of address"
                f" ({style.address.use!r}) used throughout"
            )
        if words := style.masculine_only.offending(text):
            problems.append(f"content/{bundle.locale}/{where}: {sorted(set(words))} fit men only; word it for everyone")
    return problems


def label_problems(bundle: Bundle) -> list[str]:
    labels = [(f"assessment.toml {q.id}", a.label) for q in bundle.assessment.questions for a in q.answers]
    labels += [(f"stages.toml quiz {q.id}", a.label) for q in bundle.stages.quiz for a in q.answers]
    labels += [(f"messages.toml {k}", t) for k, t in bundle.messages.messages.items() if k.startswith("button_")]
    return [
        f"content/{bundle.locale}/{where}: option label {label!r} is {len(label)} characters; Slack shows at most"
        f" {MAX_OPTION_LABEL}"
        for where, label in labels
        if len(label) > MAX_OPTION_LABEL
    ]


def every_result() -> Iterator[AssessmentResult]:
    """The result of every possible way to answer (each question ready, partly, not yet or skipped)."""
    for combination in itertools.product((*RATINGS, None), repeat=len(QUESTION_IDS)):
        answers: dict[str, Rating] = {q: r for q, r in zip(QUESTION_IDS, combination, strict=True) if r is not None}
        yield evaluate(QUESTION_IDS, answers)


def summary_problems(bundles: Mapping[str, Bundle], results: Sequence[AssessmentResult] | None = None) -> list[str]:
    """Each verdict's summary, for every combination of answers: never empty, and each sentence shown
    only where its claims hold; each sentence can be shown to someone; every locale claims the same."""
    problems: list[str] = []
    reference = bundles.get("en")
    for locale, bundle in bundles.items():
        shown: set[tuple[str, int]] = set()
        for result in results if results is not None else every_result():
            verdict = bundle.assessment.verdicts[result.verdict]
            if not summary_sentences(verdict, result):
                problems.append(f"content/{locale}: verdict {result.verdict!r} has no summary sentence for {result}")
                break
            shown |= {(result.verdict, i) for i, s in enumerate(verdict.summary) if claims_hold(s, result)}
        for key, verdict in bundle.assessment.verdicts.items():
            for i, sentence in enumerate(verdict.summary):
                if (key, i) not in shown:
                    problems.append(
                        f"content/{locale}/assessment.toml: verdict {key!r} sentence {i + 1} claims"
                        f" {dict(sentence.when)}, which no answers reaching that verdict satisfy"
                    )
            if reference is not None and key in reference.assessment.verdicts:
                theirs = [dict(s.when) for s in verdict.summary]
                ours = [dict(s.when) for s in reference.assessment.verdicts[key].summary]
                if theirs != ours:
                    problems.append(
                        f"content/{locale}/assessment.toml: verdict {key!r} summary sentences must claim the same"
                        " answers, in the same order, as English"
                    )
    return problems
