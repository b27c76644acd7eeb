"""The App Home use case: what a member's dashboard shows, read from the store in one place."""

from __future__ import annotations

from datetime import datetime

from bot.store.interfaces import CoachStore
from bot.usecases.checkin_settings import settings_of
from bot.usecases.lookback import previous_completed, verdict_history
from bot.usecases.plan import Plans
from flows.assessment import evaluate
from flows.content import Bundle
from flows.outcomes import HomeTab, SettingsForm, StageChange
from flows.plan_document import done_sections
from flows.schedule import DEFAULT_TIME, DEFAULT_WEEKDAY
from flows.values import MemberKey

TIMELINE_LENGTH = 12  # the most recent stage changes shown; older ones stay in the export


def home_tab(store: CoachStore, bundle: Bundle, member: MemberKey) -> HomeTab:
    row = store.member(member)
    question_ids = [q.id for q in bundle.assessment.questions]
    open_question = None
    result, completed_at, words, previous = None, None, {}, None
    for assessment in store.recent_assessments(member, limit=2):
        if assessment.completed_at is None and open_question is None:
            open_question = question_ids.index(assessment.state) + 1 if assessment.state in question_ids else 1
        elif assessment.completed_at is not None and result is None:
            result = evaluate(question_ids, store.answers(assessment.id))
            completed_at = assessment.completed_at
            words = store.answer_texts(assessment.id)
            if (earlier := previous_completed(store, assessment)) is not None:
                previous = evaluate(question_ids, store.answers(earlier.id))
    changes = store.stage_changes(member)[-TIMELINE_LENGTH:]
    timeline = tuple(StageChange(datetime.fromisoformat(c["at"]), c["to_stage"]) for c in changes)
    stage = row.stage if row is not None else None
    last_tip = None
    if stage is not None:
        shown = store.tips_shown(member, stage)
        last_tip = shown[-1] if shown else None
    schedule = (
        settings_of(row)
        if row is not None
        else SettingsForm(DEFAULT_WEEKDAY, DEFAULT_TIME.strftime("%H:%M"), False, False)
    )
    tz = (row.tz if row is not None else None) or "UTC"
    plans = Plans(store, bundle)
    document = plans.plans.document(member)
    return HomeTab(
        open_question,
        result,
        completed_at,
        stage,
        timeline,
        last_tip,
        schedule,
        tz,
        plan_order=plans.order(member),
        plan_done=done_sections(bundle.plan, plans.plans.answers(member)),
        plan_link=document.link if document else None,
        latest_words=words,
        actions=tuple(store.actions.of_member(member)),
        previous_result=previous,
        history=verdict_history(store, member),
    )
