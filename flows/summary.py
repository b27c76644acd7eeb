"""The verdict's summary: only the sentences that are true of this member's answers."""

from __future__ import annotations

from flows.assessment import AssessmentResult
from flows.content import SKIPPED, AnswerState, SummarySentence, Verdict


def answer_state(result: AssessmentResult, question_id: str) -> AnswerState:
    return result.rating_of(question_id) or SKIPPED


def claims_hold(sentence: SummarySentence, result: AssessmentResult) -> bool:
    """Whether every answer the sentence claims is one this member gave."""
    return all(answer_state(result, qid) in allowed for qid, allowed in sentence.when.items())


def summary_sentences(verdict: Verdict, result: AssessmentResult) -> tuple[str, ...]:
    counts = {"answered": result.answered, "skipped": result.skipped, "total": len(result.results)}
    return tuple(s.text.format(**counts) for s in verdict.summary if claims_hold(s, result))


def summary_text(verdict: Verdict, result: AssessmentResult) -> str:
    return " ".join(summary_sentences(verdict, result))
