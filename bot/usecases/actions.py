"""Actions with an owner and a date: made from a verdict's next step or a plan part, answered in the
owner's weekly check-in (done, not yet, drop) and listed on App Home."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.store.interfaces import CoachStore
from bot.usecases.lookback import latest_verdict
from bot.usecases.plan import Plans
from flows.actions import (
    AFTER_ANSWER,
    DEFAULT_DUE_IN,
    MAX_TITLE,
    ActionAnswer,
    ActionAnswered,
    ActionForm,
    ActionLine,
    ActionListed,
    ActionListSync,
    ActionSaved,
    action_problem,
    parse_source,
    week_end,
)
from flows.answers import read_new_action
from flows.assessment import evaluate
from flows.away import local_today
from flows.content import QUESTION_IDS, Bundle
from flows.outcomes import Notice, Outcome
from flows.values import Clock, MemberKey, utc_now
from flows.verdicts import gets_weekly_checkins


def due_actions(store: CoachStore, owner: MemberKey, tz: str | None, at: datetime) -> tuple[ActionLine, ...]:
    """The owner's open actions due in the week of ``at`` (in their time zone) or before: what that
    week's check-in asks about."""
    return tuple(store.actions.due_for_owner(owner, week_end(local_today(at, tz))))


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

    def from_typed(self, member: MemberKey, text: str) -> list[Outcome] | None:
        """``coach chat``'s "action 2 [date]" (None when ``text`` is not that): ``from_step``, or the
        date's format when the date typed cannot be read."""
        typed = read_new_action(text, self.bundle.locale, self._today(member))
        if typed is None:
            return None
        if not typed.readable:
            return [Notice("chat_action_date")]
        return self.from_step(member, typed.number, typed.due)

    def from_step(self, member: MemberKey, number: int, due: date | None = None) -> list[Outcome]:
        """``coach chat``'s "action 2": next step 2 of the latest result, the member's own, due in a
        week unless ``due`` says when."""
        latest = self.store.latest_completed_assessment(member)
        if latest is None:
            return [Notice("chat_action_no_result")]
        steps = evaluate(QUESTION_IDS, self.store.answers(latest.id)).plan
        if not steps:
            return [Notice("chat_action_no_steps")]
        if not 1 <= number <= len(steps):
            return [Notice("chat_action_no_step", {"number": number, "count": len(steps)})]
        source = f"step:{steps[number - 1].question_id}"
        form = self.form(member, source)
        assert form is not None
        return self.create(member, source, form.title, member.user_id, due or date.fromisoformat(form.due))

    def create(self, member: MemberKey, source: str, title: str, owner_id: str, due: date | None) -> list[Outcome]:
        if parse_source(source) is None or not owner_id:
            return [Notice("stale_button")]
        if problem := action_problem(title, due, self._today(member)):
            return [Notice(problem)]
        assert due is not None
        self.store.ensure_member(member, self.clock())
        title = title.strip()[:MAX_TITLE]
        action_id = self.store.actions.create(member, owner_id, source, title, due, self.clock())
        made = ActionLine(action_id, title, owner_id, due.isoformat())
        sync = ActionListSync(member.team_id, member.user_id, made)
        unasked = self._unasked(MemberKey(member.team_id, owner_id))
        saved = ActionSaved(title, owner_id, due.isoformat(), unasked, own=owner_id == member.user_id)
        return [saved, sync, *self._checklist(member)]

    def _unasked(self, owner: MemberKey) -> str:
        """Why the owner's weekly check-in will not ask about their action, or "" when it will: they
        have none after a *Not for now* verdict, nor before they are placed (a pause ends, so it counts)."""
        if not gets_weekly_checkins(latest_verdict(self.store, owner)):
            return "not_for_now"
        row = self.store.member(owner)
        return "unplaced" if row is None or row.stage is None else ""

    def answer(self, member: MemberKey, action_id: int, answer: ActionAnswer) -> list[Outcome]:
        """Only an open action is answered: a second click on an old message ("Not yet" after "Done")
        changes nothing and says so."""
        current = self.store.actions.action(member.team_id, action_id)
        if current is not None and current.owner_id == member.user_id and current.status != "open":
            return [Notice("action_already", {"title": current.title})]
        changed = self.store.actions.set_status(member, action_id, AFTER_ANSWER[answer], self.clock())
        if changed is None:
            return [Notice("stale_button")]
        maker = self.store.actions.maker(member.team_id, action_id) or member.user_id
        sync = ActionListSync(member.team_id, maker, changed)  # in the List of whoever made it
        canvas = self._checklist(member) if maker == member.user_id else []  # only the maker's own canvas
        return [ActionAnswered(changed.title, answer), sync, *canvas]

    def _checklist(self, member: MemberKey) -> list[Outcome]:
        """The member's plan canvas, with its checklist of actions brought up to date (when they have one)."""
        plans = Plans(self.store, self.bundle, self.clock)
        return [plans.document(member)] if self.store.plans.document(member) is not None else []

    def current_sync(self, sync: ActionListSync) -> ActionListSync | None:
        """A List change as it stands when it is sent: the action now, and the maker's List (None when
        the action is gone, or Slack refused the maker a List: then the plan canvas has the actions)."""
        action = self.store.actions.action(sync.team_id, sync.action.id)
        found = self.store.actions.action_list(MemberKey(sync.team_id, sync.user_id))
        if action is None or (found is not None and found.refused):
            return None
        if found is None:
            return replace(sync, action=action)
        return replace(sync, action=action, list_id=found.list_id, columns=found.columns)

    def listed(self, listed: ActionListed) -> None:
        """What the sender did in Slack: the List made (or refused), the action's item."""
        maker = MemberKey(listed.team_id, listed.user_id)
        if listed.refused:
            self.store.actions.save_list(maker, None, {}, refused=True)
            return
        known = self.store.actions.action_list(maker)
        if known is None or known.list_id != listed.list_id:
            self.store.actions.save_list(maker, listed.list_id, dict(listed.columns), refused=False)
        if listed.item_id is not None:
            self.store.actions.set_item(listed.team_id, listed.action_id, listed.item_id)
