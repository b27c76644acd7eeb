"""Actions with an owner and a date: made from a verdict's next step or a plan part, answered in the
owner's weekly check-in (done, not yet, drop) and listed on App Home."""

from __future__ import annotations

from datetime import date

from bot.store.interfaces import CoachStore
from bot.usecases.plan import Plans
from flows.actions import (
    AFTER_ANSWER,
    DEFAULT_DUE_IN,
    MAX_TITLE,
    ActionAnswer,
    ActionAnswered,
    ActionForm,
    ActionLine,
    ActionSaved,
    action_problem,
    parse_source,
)
from flows.away import local_today
from flows.content import QUESTION_IDS, Bundle
from flows.outcomes import Notice, Outcome
from flows.values import Clock, MemberKey, utc_now


class Actions:
    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock = utc_now) -> None:
        self.store = store
        self.bundle = bundle
        self.clock = clock

    def _today(self, member: MemberKey) -> date:
        row = self.store.member(member)
        return local_today(self.clock(), row.tz if row is not None else None)

    def form(self, member: MemberKey, source: str) -> ActionForm | None:
        """The form for an action made of ``source``, its title the next step or the part's name."""
        parsed = parse_source(source)
        if parsed is None:
            return None
        kind, ref = parsed
        due = (self._today(member) + DEFAULT_DUE_IN).isoformat()
        return ActionForm(source, self._title(member, kind, ref)[:MAX_TITLE], member.user_id, due)

    def _title(self, member: MemberKey, kind: str, ref: str) -> str:
        if kind == "plan":
            sections = {s.id: s for s in self.bundle.plan.sections}
            return sections[ref].title if ref in sections else ""
        if ref not in QUESTION_IDS:
            return ""
        latest = self.store.latest_completed_assessment(member)
        rating = self.store.answers(latest.id).get(ref) if latest is not None else None
        advice = self.bundle.assessment.question(ref).advice
        return advice["partly" if rating == "partly" else "not_yet"].next_step

    def create(self, member: MemberKey, source: str, title: str, owner_id: str, due: date | None) -> list[Outcome]:
        if parse_source(source) is None or not owner_id:
            return [Notice("stale_button")]
        if problem := action_problem(title, due, self._today(member)):
            return [Notice(problem)]
        assert due is not None
        self.store.ensure_member(member, self.clock())
        self.store.actions.create(member, owner_id, source, title.strip()[:MAX_TITLE], due, self.clock())
        return [ActionSaved(title.strip()[:MAX_TITLE], owner_id, due.isoformat()), *self._checklist(member)]

    def answer(self, member: MemberKey, action_id: int, answer: ActionAnswer) -> list[Outcome]:
        changed = self.store.actions.set_status(member, action_id, AFTER_ANSWER[answer], self.clock())
        if changed is None:
            return [Notice("stale_button")]
        return [ActionAnswered(changed.title, answer), *self._checklist(member)]

    def _checklist(self, member: MemberKey) -> list[Outcome]:
        """The member's plan canvas, with its checklist of actions brought up to date (when they have one)."""
        plans = Plans(self.store, self.bundle, self.clock)
        return [plans.document(member)] if self.store.plans.document(member) is not None else []

    def listed(self, member: MemberKey) -> tuple[ActionLine, ...]:
        return tuple(self.store.actions.of_member(member))
