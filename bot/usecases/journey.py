"""The adoption-journey use cases: placement (cards or quiz) and check-in answers (its settings:
``bot.usecases.checkin_settings``).

Shared by the Slack listeners, the scheduler and the terminal; every change to a member's stage is a
compare-and-set on the member row, recorded with its time and source.
"""

from __future__ import annotations

from bot.store import MemberRow, parse_time, send_key
from bot.store.interfaces import CoachStore
from bot.usecases.actions import due_actions
from bot.usecases.checkin_settings import CheckinSettings
from bot.usecases.lookback import latest_verdict
from bot.usecases.plan import Plans
from bot.usecases.prompts import OpenPrompts
from flows.actions import ActionsAsk
from flows.content import Bundle
from flows.journey import CHECKIN_TRIGGERS, CheckinOutcome, Source, move, next_tip, quiz_step
from flows.machines import InvalidMove
from flows.options import read_stage
from flows.outcomes import (
    CheckinAsk,
    CheckinClosed,
    Notice,
    Outcome,
    QuizAsk,
    QuizSuggest,
    StageCards,
    StageCoaching,
)
from flows.prompts import quiz_ref, split_offer
from flows.reading import tokens
from flows.schedule import parse_clock, previous_checkin, week_key, zone
from flows.values import Clock, MemberKey, utc_now
from flows.verdicts import gets_weekly_checkins

CHECKIN_KIND = "checkin"
STAGE_ASKING = ("stages", "suggest", "checkin")  # open prompts that a stage answers


STAGE_WORDS = 2  # "/coach stage 3", "/coach stage evangelist", "/coach stage omg tools": a placement


class Journey(CheckinSettings):
    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock = utc_now) -> None:
        self.store = store
        self.bundle = bundle
        self.clock = clock

    # Placement

    def cards(self, member: MemberKey) -> list[Outcome]:
        return [StageCards(current=self._member(member).stage)]

    def stage_command(self, member: MemberKey, args: list[str]) -> list[Outcome]:
        """``/coach stage``: the cards; ``/coach stage 3`` (or a stage's name) places the member there. A
        question or a sentence ("am I in stage 2?", "tell me about stage 4") shows the cards."""
        typed = " ".join(args)
        plain = 0 < len(tokens(typed)) <= STAGE_WORDS and "?" not in typed
        named = read_stage(typed, self.bundle.locale) if plain else None
        return self.place(member, named, "placement") if named is not None else self.cards(member)

    def quiz_start(self, member: MemberKey) -> list[Outcome]:
        self._member(member)
        return [QuizAsk(self.bundle.stages.quiz[0].id)]

    def quiz_answer(
        self, member: MemberKey, question_id: str, answer_index: int, earlier: tuple[int, ...] = ()
    ) -> list[Outcome]:
        """One quiz answer; the quiz keeps no state of its own, each button carries its question and
        the answers before it."""
        try:
            step = quiz_step(self.bundle.stages, question_id, answer_index, earlier)
        except (KeyError, IndexError):
            return [Notice("stale_button")]
        prompt = OpenPrompts(self.store, self.clock).current(member)
        if prompt is None or prompt.kind != "quiz" or split_offer(prompt.ref, 2)[0] != quiz_ref(question_id, earlier):
            return [Notice("quiz_old")]  # a question answered already, or a quiz since finished: no rewind
        if step.suggested_stage is not None:
            return [QuizSuggest(step.suggested_stage)]
        assert step.next_question is not None
        return [QuizAsk(step.next_question, step.answers)]

    def place(self, member: MemberKey, stage: int, source: Source) -> list[Outcome]:
        """The member says which stage is theirs. The stage they already hold, picked when nothing asks
        for one (a second click on "This is me", an old card), changes nothing and sends no coaching."""
        row = self._member(member)
        prompt = OpenPrompts(self.store, self.clock).current(member) if row.stage == stage else None
        if row.stage == stage and (prompt is None or prompt.kind not in STAGE_ASKING):
            return [Notice("stage_already", {"stage": stage})]
        return self._change(row, f"place_{stage}", source)

    def status(self, member: MemberKey) -> list[Outcome]:
        row = self.store.member(member)
        if row is None or row.stage is None:
            return [Notice("journey_unplaced")]
        return [Notice("journey_status", {"stage": row.stage})]

    # Check-ins

    def checkin_answer(self, member: MemberKey, period: str, outcome: CheckinOutcome) -> list[Outcome]:
        row = self.store.member(member)
        if row is None:  # forgotten since the check-in was sent: an old button recreates nothing
            return [Notice("forgotten_button")]
        latest = self.store.latest_sent_period(member, CHECKIN_KIND)
        if latest is None or period > latest:  # a week never sent: no button of the coach's says it
            return [Notice("stale_button")]
        if period != latest:
            return [Notice("checkin_old")]
        if not self.store.record_checkin(member, period, row.stage, outcome, self.clock()):
            return [Notice("checkin_already")]
        closed = CheckinClosed(outcome)
        if outcome == "skip":
            return [closed, Notice("checkin_skipped")]
        if outcome == "pick" or row.stage is None:
            return [closed, StageCards(current=row.stage, source="checkin")]
        tip = Plans(self.store, self.bundle, self.clock).weekly_tip(member)  # the plan's weakest gap
        if outcome == "same":
            return [closed, self._coaching(row.key, row.stage, changed=False), *tip]
        return [closed, *self._change(row, CHECKIN_TRIGGERS[outcome], "checkin"), *tip]

    def checkin_stage(self, member: MemberKey, period: str, stage: int) -> list[Outcome]:
        """A check-in answered by naming the stage ("we're at stage 4 now"): a pick, and that stage."""
        outcomes = self.checkin_answer(member, period, "pick")
        closed = [o for o in outcomes if isinstance(o, CheckinClosed)]
        if not closed:
            return outcomes  # an old or already answered check-in
        return [*closed, *self.place(member, stage, "checkin")]

    def stage_of(self, member: MemberKey) -> int | None:
        row = self.store.member(member)
        return row.stage if row is not None else None

    def checkin_if_due(self, member: MemberKey) -> list[Outcome] | None:
        """This week's check-in when its time has come and it is not answered (``coach chat`` has no
        scheduler: it asks when it starts); None otherwise."""
        row = self.store.member(member)
        at = parse_clock(row.checkin_time) if row is not None else None
        changes = self.store.stage_changes(member)
        if row is None or row.stage is None or row.paused or at is None or not changes:
            return None
        if not gets_weekly_checkins(latest_verdict(self.store, member)):
            return None  # none after *Not for now*
        now = self.clock()
        slot = previous_checkin(now, row.tz, row.checkin_weekday, at)
        answered = {week_key(slot, row.tz), week_key(now, row.tz)}  # as scheduled, or asked for since
        if parse_time(str(changes[-1]["at"])) >= slot or any(self.store.has_checkin(member, p) for p in answered):
            return None  # placed since the check-in's time came, or already answered
        return self.checkin_now(member)

    def checkin_now(self, member: MemberKey) -> list[Outcome]:
        """A check-in on demand (App Home). It counts as this week's, so the scheduler skips the week."""
        row = self._member(member)
        if row.stage is None:
            return [StageCards(current=None)]
        now = self.clock()
        period = week_key(now, row.tz)
        key = send_key(member, CHECKIN_KIND, period)
        today = self._stage_set_today(row)
        due = due_actions(self.store, member, row.tz, now)  # asked with it, as in the scheduled one
        actions: list[Outcome] = [ActionsAsk(due)] if due else []
        if self.store.claim_send(key, member, CHECKIN_KIND, period, now):
            return [CheckinAsk(period, row.stage, send_key=key, placed_today=today), *actions]
        if self.store.has_checkin(member, period):
            return [Notice("checkin_already"), *actions]  # this week's is answered: its actions may not be
        return [CheckinAsk(period, row.stage, placed_today=today), *actions]  # went out unanswered: asked again

    def _stage_set_today(self, row: MemberRow) -> bool:
        """Whether the member's stage was last set on today's date in their own time zone."""
        changes = self.store.stage_changes(row.key)
        if not changes:
            return False
        zone_of_member = zone(row.tz)
        last = parse_time(str(changes[-1]["at"]))
        return last.astimezone(zone_of_member).date() == self.clock().astimezone(zone_of_member).date()

    def current_checkin(self, member: MemberKey, asked: CheckinAsk) -> CheckinAsk | None:
        """A queued check-in as it stands when it is sent: it quotes the stage stored now (None when the
        member was unplaced or forgotten meanwhile)."""
        row = self.store.member(member)
        if row is None or row.stage is None:
            return None
        return CheckinAsk(asked.period, row.stage)

    def checkin_posted(self, send_key: str, channel: str, ts: str) -> None:
        """An on-demand check-in reached the member: its claimed send is done."""
        self.store.mark_sent(send_key, channel, ts, self.clock())

    # Internals

    def _change(self, row: MemberRow, trigger: str, source: Source) -> list[Outcome]:
        try:
            new_stage = move(row.stage, trigger)
        except InvalidMove:
            assert row.stage is not None
            edge = "stage_top" if trigger == "advance" else "stage_bottom"
            return [Notice(edge), self._coaching(row.key, row.stage, changed=False)]
        if not self.store.set_stage(row, new_stage, source, self.clock()):
            fresh = self._member(row.key)  # another click won the race; show where that left the member
            assert fresh.stage is not None
            if fresh.stage == new_stage:  # the same pick twice at once: the winner's coaching is enough
                return [Notice("stage_already", {"stage": new_stage})]
            return [self._coaching(row.key, fresh.stage, changed=False)]
        return [self._coaching(row.key, new_stage, changed=True)]

    def _coaching(self, member: MemberKey, stage: int, changed: bool) -> StageCoaching:
        tips = self.bundle.stages.stage(stage).tips
        index = next_tip(len(tips), self.store.tips_shown(member, stage))
        self.store.record_tip(member, stage, index, self.clock())
        return StageCoaching(stage=stage, tip_index=index, changed=changed)
