"""The plan use cases, shared by Slack and the terminal: offer the sections, save one, re-rate.

Each method reads the member's plan from the store, lets ``flows.plan_document`` decide, persists,
and returns outcomes to render; it never calls Slack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from bot.store.interfaces import CoachStore
from bot.store.plans import DM_DOCUMENT
from bot.usecases.lookback import latest_verdict, previous_completed, verdict_history
from bot.usecases.report import CHANNEL_MENTION, is_admin
from flows.actions import ActionLine
from flows.assessment import evaluate
from flows.content import RATINGS, Bundle
from flows.lookback import Change, changes
from flows.outcomes import Outcome, Summary
from flows.plan_document import FieldValue, SectionCheck, check_section, done_sections, next_missing, weakest_first
from flows.plan_outcomes import (
    ChannelPlan,
    PlanCanvasesForgotten,
    PlanDocument,
    PlanNotice,
    PlanOffer,
    PlanPlaced,
    PlanRerate,
    PlanTip,
)
from flows.values import Clock, MemberKey, utc_now
from flows.verdicts import follows_with_plan

USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


class Plans:
    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock = utc_now) -> None:
        self.store = store
        self.plans = store.plans
        self.bundle = bundle
        self.clock = clock

    def order(self, member: MemberKey) -> tuple[str, ...]:
        """Section ids, weakest readiness answer first (question order before any assessment)."""
        return weakest_first(self.bundle.plan, self.plans.ratings(member) or {})

    def offer(self, member: MemberKey, saved: str | None = None) -> PlanOffer:
        ratings = self.plans.ratings(member)  # None before any assessment: the parts in question order
        done = done_sections(self.bundle.plan, self.plans.answers(member))
        order = weakest_first(self.bundle.plan, ratings or {})
        gap = any(rating != "ready" for rating in (ratings or {}).values())  # skips name no weakest link
        return PlanOffer(order, done, saved, ranked=gap, assessed=ratings is not None)

    def show(self, member: MemberKey) -> list[Outcome]:
        """``/coach plan``: the sections to write, and the plan document brought up to date (after a
        *Not for now* verdict, which offered no plan, with a word that it is there all the same)."""
        self.store.ensure_member(member, self.clock())
        return [*self.after_not_for_now(member), self.document(member), self.offer(member)]

    def after_not_for_now(self, member: MemberKey) -> list[PlanNotice]:
        """The plan asked for after a *Not for now* verdict: a word that it is there all the same."""
        verdict = latest_verdict(self.store, member)
        if verdict is None or follows_with_plan(verdict):
            return []
        return [PlanNotice("plan_after_not_for_now", {"verdict": self.bundle.assessment.verdicts[verdict].title})]

    def document(self, member: MemberKey) -> PlanDocument:
        canvas = self.plans.document(member)
        return PlanDocument(
            member.team_id,
            member.user_id,
            self.plans.answers(member),
            canvas.canvas_id if canvas else None,
            canvas.link if canvas else None,
            dict(canvas.written) if canvas else {},
            self._checklist(member),
            *self._progress(member),
            verdict_history(self.store, member),
        )

    def look_back(self, member: MemberKey, summary: Summary) -> list[Outcome]:
        """After a result that follows an earlier one: the plan canvas, with its look back, brought up
        to date (when the member has a canvas)."""
        if summary.previous is None or self.plans.document(member) is None:
            return []
        return [self.document(member)]

    def _progress(self, member: MemberKey) -> tuple[tuple[Change, ...], datetime | None]:
        """The latest result against the one before it, for the canvas's look back (empty without one)."""
        latest = self.store.latest_completed_assessment(member)
        earlier = previous_completed(self.store, latest) if latest is not None else None
        if latest is None or earlier is None:
            return (), None
        ids = tuple(q.id for q in self.bundle.assessment.questions)
        before, after = evaluate(ids, self.store.answers(earlier.id)), evaluate(ids, self.store.answers(latest.id))
        return changes(before, after), earlier.completed_at

    def _checklist(self, member: MemberKey) -> tuple[ActionLine, ...]:
        """The member's actions for the canvas, where Slack refused them a List (else the List has them)."""
        found = self.store.actions.action_list(member)
        return tuple(self.store.actions.made_by(member)) if found is not None and found.refused else ()

    def section_answers(self, member: MemberKey, section_id: str) -> dict[str, FieldValue] | None:
        """What the member wrote in a section, to fill its modal; None for a section that does not exist."""
        if section_id not in {s.id for s in self.bundle.plan.sections}:
            return None
        return self.plans.answers(member).get(section_id) or {}

    def stop_sharing(self, member: MemberKey) -> list[Outcome]:
        """The member turned "share" off: the channel canvases an admin made of their plan go (the
        sender deletes them from Slack, as after ``/coach forget``); their own canvas stays."""
        withdrawn = self.plans.withdraw_from_channels(member)
        return [PlanCanvasesForgotten(withdrawn)] if withdrawn else []

    def placed(self, placed: PlanPlaced) -> None:
        """The sender put the plan in a canvas: remember it, so the next change edits the same one."""
        member = MemberKey(placed.team_id, placed.user_id)
        if self.store.member(member) is None:
            return  # forgotten meanwhile: nothing of theirs comes back
        channel = placed.channel_id or DM_DOCUMENT
        self.plans.save_document(member, placed.canvas_id, placed.link, self.clock(), channel, placed.written)

    def publish(
        self, admin: MemberKey, profile: Mapping[str, object] | None, args: list[str]
    ) -> PlanNotice | ChannelPlan:
        """``/coach plan #channel [@member]``: an owner or admin publishes a plan as a channel canvas, their
        own or that of a member who chose to share with admins."""
        if profile is None:
            return PlanNotice("publish_failed", {"channel": "?"})
        if not is_admin(profile):
            return PlanNotice("publish_not_admin")
        channel_match = CHANNEL_MENTION.match(args[0]) if args else None
        member_match = USER_MENTION.match(args[1]) if len(args) == 2 else None
        if channel_match is None or len(args) > 2 or (len(args) == 2 and member_match is None):
            return PlanNotice("publish_bad_channel")
        channel = channel_match.group(1)
        owner = admin
        if member_match is not None and member_match.group(1) != admin.user_id:
            owner = MemberKey(admin.team_id, member_match.group(1))
            row = self.store.member(owner)
            if row is None or not row.share_with_admins:
                return PlanNotice("publish_not_shared")
        answers = self.plans.answers(owner)
        if not answers:
            return PlanNotice("publish_empty")
        existing = self.plans.document(owner, channel)
        if existing is None:
            return ChannelPlan(owner.team_id, owner.user_id, channel, answers)
        return ChannelPlan(owner.team_id, owner.user_id, channel, answers, existing.canvas_id, existing.written)

    def published(self, plan: ChannelPlan, placed: PlanPlaced | str) -> PlanNotice:
        """The admin told how publishing went; ``placed`` is Slack's error code when it failed."""
        if placed == "channel_canvas_already_exists":  # a canvas of someone else's: no invitation helps
            return PlanNotice("publish_canvas_exists", {"channel": plan.channel_id})
        if isinstance(placed, str):
            return PlanNotice("publish_failed", {"channel": plan.channel_id})
        self.placed(placed)
        if placed.kept:  # never written over silently: the admin is told which parts were kept
            parts = ", ".join(f"*{heading}*" for heading in placed.kept)
            return PlanNotice("publish_kept", {"channel": plan.channel_id, "parts": parts})
        return PlanNotice("publish_done", {"channel": plan.channel_id})

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
        latest = self.store.latest_completed_assessment(member)  # its answers are the ratings
        if latest is not None and self.store.answers(latest.id).get(section_id) != "ready":
            outcomes.append(PlanRerate(section_id, latest.id))
        outcomes.append(self.offer(member, saved=section_id))
        return outcomes

    def keep_draft(self, member: MemberKey, section_id: str, answered: Mapping[str, FieldValue | None]) -> None:
        """A part answered half-way (``coach chat`` asks one question at a time): what is answered so
        far is kept, each answer checked as a whole part's would be, so a chat stopped in the middle
        goes on from the question it was at. An answer that would be refused keeps nothing."""
        check = check_section(self.bundle.plan.section(section_id), answered, people_are_ids=False)
        if check.values and all(key == "error_required" for key, _ in check.errors.values()):
            self.store.ensure_member(member, self.clock())
            self.plans.save_section(member, section_id, check.values, self.clock())

    def rerate(
        self, member: MemberKey, question_id: str, rating: str, assessment_id: int | None = None
    ) -> list[Outcome]:
        """A readiness answer given again after writing its part; from a button of an earlier result
        (``assessment_id`` no longer the latest finished), nothing changes and the member is told."""
        if rating not in RATINGS or question_id not in {s.id for s in self.bundle.plan.sections}:
            return [PlanNotice("rerate_no_assessment")]
        latest = self.store.latest_completed_assessment(member)
        if assessment_id is not None and (latest is None or latest.id != assessment_id):
            return [PlanNotice("rerate_old")]
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
