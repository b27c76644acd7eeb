"""Typed answers at two questions of their own: about the member's actions ("done", "ei vielä",
"lascia perdere 2"), and to the offer to take the assessment again (yes, no, later).

Read by ``flows.answers`` (the check-in's reader over other words) and acted on by the same use cases
a click calls, so typing and clicking end in the same state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.store.interfaces import CoachStore
from bot.usecases.actions import Actions, due_actions
from bot.usecases.assessment import Coach
from bot.usecases.lookback import decline_lookback
from flows.actions import ActionLine, ActionsAsk, action_answer, asked_ids, pending_answer, pick_action
from flows.answers import read_action, read_offer
from flows.assessment import evaluate
from flows.content import QUESTION_IDS, Bundle
from flows.outcomes import Notice, Outcome, RevisitAsk
from flows.prompts import OpenPrompt
from flows.values import Clock, MemberKey, utc_now
from flows.verdicts import gets_weekly_checkins

MAX_ECHO = 200


class TypedAnswers:
    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock = utc_now) -> None:
        self.store = store
        self.locale = bundle.locale
        self.clock = clock
        self.actions = Actions(store, bundle, clock)
        self.coach = Coach(store, bundle, clock)

    # Actions

    def due(self, member: MemberKey) -> tuple[ActionLine, ...]:
        """The open actions the member owns that this week's check-in asks about (due by its Sunday)."""
        row = self.store.member(member)
        return due_actions(self.store, member, row.tz if row is not None else None, self.clock())

    def owned(self, member: MemberKey) -> tuple[ActionLine, ...]:
        """Every open action the member owns, in the order "actions" lists them."""
        return tuple(self.store.actions.due_for_owner(member, date.max))

    def listed(self, member: MemberKey) -> list[Outcome]:
        """"actions": every open action the member owns, to answer by button or by typing."""
        self.store.ensure_member(member, self.clock())  # what is listed is what "done 2" answers
        owned = self.owned(member)
        return [ActionsAsk(owned, listed=True)] if owned else [Notice("actions_none")]

    def asked(self, member: MemberKey, prompt: OpenPrompt) -> tuple[ActionLine, ...]:
        """The actions an "actions" prompt listed that are still open, in the order shown."""
        found = (self.store.actions.action(member.team_id, i) for i in asked_ids(prompt.ref))
        return tuple(a for a in found if a is not None and a.status == "open" and a.owner_id == member.user_id)

    def action(
        self, member: MemberKey, text: str, asked: Sequence[ActionLine], ask_back: bool, given: str = ""
    ) -> list[Outcome] | None:
        """An answer about one of ``asked`` (or all of them: "all done"); asked back, with the actions
        again, when it does not say which one (or, ``ask_back``: the member listed them, says something
        unclear); None when it says no such thing. ``given``: the prompt's ref when the member was asked
        which one they meant; a number alone then picks the action for the answer given before."""
        reading = read_action(text, self.locale)
        answer = action_answer(reading.understood.choice)
        if answer is None and reading.understood.guess is None and reading.number is not None:
            answer = pending_answer(given)
        one = pick_action(asked, reading.number, named=reading.whole)
        picked = asked if reading.every else [a for a in [one] if a is not None]
        if answer is not None and picked:
            rest = tuple(a for a in asked if a not in picked)  # asked again, numbered afresh
            again = [ActionsAsk(rest, listed=ask_back)] if rest else []
            return [*(o for a in picked for o in self.actions.answer(member, a.id, answer)), *again]
        if not asked or (answer is None and not ask_back):
            return None
        key = "action_which" if answer is not None else "action_unclear"
        echo = {"text": text.strip()[:MAX_ECHO]}
        return [Notice(key, echo), ActionsAsk(tuple(asked), listed=ask_back, answer=answer)]

    # The offer to look again

    def offer(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome] | None:
        """Yes (the assessment again), no, or later, to the offer about assessment ``prompt.ref``; None
        when the reply is none of them."""
        choice = read_offer(text, self.locale).choice
        if choice is None:
            return None
        if choice == "yes":
            return self.coach.retake(member)
        if choice == "later":  # each answer closes the offer (``flows.prompts.CLOSING_NOTICES``)
            return [Notice("offer_later")]
        if self._quarterly(prompt):
            return decline_lookback()
        return self.coach.decline_revisit(member)

    def offer_again(self, prompt: OpenPrompt, text: str) -> list[Outcome]:
        """A reply to the offer that is not clearly yes, no or later: asked what it meant, and the offer again."""
        row = self.store.assessment(int(prompt.ref)) if prompt.ref.isdigit() else None
        unclear = Notice("choice_unclear", {"text": text.strip()[:MAX_ECHO]})
        if row is None or row.completed_at is None:
            return [unclear]
        return [unclear, RevisitAsk(row.completed_at, quarterly=self._quarterly(prompt))]

    def _quarterly(self, prompt: OpenPrompt) -> bool:
        """Whether the offer is the quarterly look back of a member on weekly check-ins."""
        row = self.store.assessment(int(prompt.ref)) if prompt.ref.isdigit() else None
        verdict = evaluate(QUESTION_IDS, self.store.answers(row.id)).verdict if row is not None else None
        return verdict is not None and gets_weekly_checkins(verdict)
