"""The plan use cases, shared by Slack and the terminal: offer the sections, save one, re-rate.

Each method reads the member's plan from the store, lets ``flows.plan_document`` decide, persists,
and returns outcomes to render; it never calls Slack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from bot.plan_store import PlanStore
from bot.store import MemberKey, Store
from flows.content import RATINGS, Bundle
from flows.outcomes import Outcome
from flows.plan_document import FieldValue, SectionCheck, check_section, done_sections, next_missing, weakest_first
from flows.plan_outcomes import PlanDocument, PlanNotice, PlanOffer, PlanRerate, PlanTip


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Plans:
    def __init__(self, store: Store, bundle: Bundle, clock: Callable[[], datetime] = _utc_now) -> None:
        self.store = store
        self.plans = PlanStore(store)
        self.bundle = bundle
        self.clock = clock

    def order(self, member: MemberKey) -> tuple[str, ...]:
        """Section ids, weakest readiness answer first (question order before any assessment)."""
        return weakest_first(self.bundle.plan, self.plans.ratings(member) or {})

    def offer(self, member: MemberKey, saved: str | None = None) -> PlanOffer:
        return PlanOffer(self.order(member), done_sections(self.bundle.plan, self.plans.answers(member)), saved)

    def show(self, member: MemberKey) -> list[Outcome]:
        """``/coach plan``: the sections to write, and the plan document brought up to date."""
        self.store.ensure_member(member, self.clock())
        return [self.document(member), self.offer(member)]

    def document(self, member: MemberKey) -> PlanDocument:
        return PlanDocument(member.team_id, member.user_id, self.plans.answers(member))

    def save(
        self,
        member: MemberKey,
        section_id: str,
        submitted: Mapping[str, FieldValue | None],
        people_are_ids: bool = True,
    ) -> SectionCheck | list[Outcome]:
        """Save one section; a SectionCheck with errors (and nothing saved) when the input is not clean."""
        section = self.bundle.plan.section(section_id)
        check = check_section(section, submitted, people_are_ids)
        if check.errors:
            return check
        self.store.ensure_member(member, self.clock())
        self.plans.save_section(member, section_id, check.values, self.clock())
        outcomes: list[Outcome] = [self.document(member)]
        ratings = self.plans.ratings(member)
        if ratings is not None and ratings.get(section_id) != "ready":
            outcomes.append(PlanRerate(section_id))
        outcomes.append(self.offer(member, saved=section_id))
        return outcomes

    def rerate(self, member: MemberKey, question_id: str, rating: str) -> list[Outcome]:
        if rating not in RATINGS or question_id not in {s.id for s in self.bundle.plan.sections}:
            return [PlanNotice("rerate_no_assessment")]
        if not self.plans.rerate(member, question_id, rating, self.clock()):
            return [PlanNotice("rerate_no_assessment")]
        return [PlanNotice("rerate_saved", {"question_id": question_id, "rating": rating})]

    def weekly_tip(self, member: MemberKey) -> list[Outcome]:
        """The check-in's plan tip: the weakest section still unwritten, once there is a verdict to rank by."""
        ratings = self.plans.ratings(member)
        if ratings is None:
            return []
        order = weakest_first(self.bundle.plan, ratings)
        section_id = next_missing(order, done_sections(self.bundle.plan, self.plans.answers(member)))
        return [PlanTip(section_id)] if section_id else []
