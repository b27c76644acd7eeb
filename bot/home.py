"""What the App Home shows a member, read from the store in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.store import AssessmentRow, MemberKey, MemberRow, Store
from flows.assessment import AssessmentResult, evaluate
from flows.content import Bundle

TIMELINE_LENGTH = 12  # the most recent stage changes shown; older ones stay in the export


@dataclass(frozen=True)
class StageChange:
    at: datetime
    stage: int


@dataclass(frozen=True)
class HomeData:
    member: MemberRow | None
    open_assessment: AssessmentRow | None
    latest_result: AssessmentResult | None
    latest_completed_at: datetime | None
    timeline: tuple[StageChange, ...]
    last_tip: int | None  # index into the current stage's tips
    latest_words: Mapping[str, str] = field(default_factory=dict)  # the member's own words, by question

    @property
    def first_visit(self) -> bool:
        return self.open_assessment is None and self.latest_result is None and not self.timeline


def home_data(store: Store, bundle: Bundle, member: MemberKey) -> HomeData:
    row = store.member(member)
    question_ids = [q.id for q in bundle.assessment.questions]
    open_assessment = None
    result, completed_at, words = None, None, {}
    for assessment in store.recent_assessments(member, limit=2):
        if assessment.completed_at is None and open_assessment is None:
            open_assessment = assessment
        elif assessment.completed_at is not None and result is None:
            result = evaluate(question_ids, store.answers(assessment.id))
            completed_at = assessment.completed_at
            words = store.answer_texts(assessment.id)
    changes = store.stage_changes(member)[-TIMELINE_LENGTH:]
    timeline = tuple(StageChange(datetime.fromisoformat(c["at"]), c["to_stage"]) for c in changes)
    last_tip = None
    if row is not None and row.stage is not None:
        shown = store.tips_shown(member, row.stage)
        last_tip = shown[-1] if shown else None
    return HomeData(row, open_assessment, result, completed_at, timeline, last_tip, words)
