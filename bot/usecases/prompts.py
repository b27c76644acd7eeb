"""The open prompt of each member (``flows.prompts``), kept in the store.

Every reply the coach sends to a member's DM passes ``note`` (through ``keep_for_sending`` in Slack,
and ``TerminalSession.show`` in ``coach chat``), so a click and a typed reply move it the same way. A
scheduled check-in is sent by the scheduler, not as a reply: it counts as the open prompt when it
was issued after the stored prompt was asked and is still unanswered.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.interfaces import CoachStore
from bot.usecases.actions import due_actions
from flows.actions import ActionsAsk
from flows.outcomes import CheckinClosed, Notice, Outcome
from flows.prompts import CLOSING_NOTICES, OpenPrompt, prompt_after
from flows.values import Clock, MemberKey, utc_now

CHECKIN_KIND = "checkin"
REVISIT_KIND = "revisit"  # the offer to take the assessment again, three months on


class OpenPrompts:
    def __init__(self, store: CoachStore, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock

    def note(self, member: MemberKey, outcomes: Sequence[Outcome]) -> None:
        """Remember what ``outcomes`` leave open for the member (nothing, when they close it); for
        someone the coach keeps no row of, nothing is written."""
        prompt = prompt_after(outcomes)
        if isinstance(prompt, str):
            return  # KEEP: nothing asked or closed
        if prompt is None and any(isinstance(o, Notice) and o.key in CLOSING_NOTICES for o in outcomes):
            prompt = self.open_checkin(member)  # the offer answered: the check-in sent beside it stays open
        elif prompt is None and any(isinstance(o, CheckinClosed) for o in outcomes):
            prompt = self._after_checkin(member)
        self.store.set_open_prompt(member, prompt.stored() if prompt else None, self.clock())

    def _after_checkin(self, member: MemberKey) -> OpenPrompt | None:
        """The check-in answered: the offer sent beside it, when not answered yet; else the actions the
        check-in asked about, still open (a stray remark later finds nothing asked)."""
        _stored, asked_at = self.store.open_prompt(member)
        offer = self._revisit(member)
        if offer is not None and (asked_at is None or offer[1] > asked_at):
            return offer[0]
        row = self.store.member(member)
        due = due_actions(self.store, member, row.tz if row is not None else None, self.clock())
        return OpenPrompt("actions", ActionsAsk(due).ref) if due else None

    def open(self, member: MemberKey, prompt: OpenPrompt) -> None:
        """The coach asks the member something directly (a plan question in ``coach chat``)."""
        if self.store.member(member) is not None:
            self.store.set_open_prompt(member, prompt.stored(), self.clock())

    def reopen_checkin(self, member: MemberKey) -> None:
        """Back to this week's check-in when it is unanswered (what was asked since is answered), else nothing."""
        checkin = self.unanswered_checkin(member)
        if self.store.member(member) is not None:
            self.store.set_open_prompt(member, checkin.stored() if checkin else None, self.clock())

    def close(self, member: MemberKey) -> None:
        if self.store.member(member) is not None:
            self.store.set_open_prompt(member, None, self.clock())

    def current(self, member: MemberKey) -> OpenPrompt | None:
        """The stored prompt, unless a scheduled question issued after it is still unanswered (the
        newest of them: this week's check-in, or the offer to take the assessment again)."""
        stored, asked_at = self.store.open_prompt(member)
        found = (self._revisit(member), self._checkin(member))
        scheduled = [s for s in found if s is not None and (asked_at is None or s[1] > asked_at)]
        if scheduled:  # sent in the same tick, the offer comes after the check-in and is asked first
            return max(scheduled, key=lambda s: s[1])[0]
        return OpenPrompt.parse(stored)

    def _checkin(self, member: MemberKey) -> tuple[OpenPrompt, str] | None:
        claim = self.store.latest_claim(member, CHECKIN_KIND)
        if claim is None or self.store.has_checkin(member, claim[0]):
            return None
        return OpenPrompt("checkin", claim[0]), claim[1]

    def _revisit(self, member: MemberKey) -> tuple[OpenPrompt, str] | None:
        """The offer to look again, while the assessment it looks back on is still the member's latest."""
        claim = self.store.latest_claim(member, REVISIT_KIND)
        latest = self.store.latest_assessment(member) if claim is not None else None
        if claim is None or latest is None or str(latest.id) != claim[0]:
            return None
        return OpenPrompt("revisit", claim[0]), claim[1]

    def unanswered_checkin(self, member: MemberKey) -> OpenPrompt | None:
        """This week's check-in, sent and not answered yet (whatever was asked since)."""
        found = self._checkin(member)
        return found[0] if found is not None else None

    def open_checkin(self, member: MemberKey) -> OpenPrompt | None:
        """This week's check-in, when it was sent after the stored prompt and is still unanswered."""
        _stored, asked_at = self.store.open_prompt(member)
        found = self._checkin(member)
        return found[0] if found is not None and (asked_at is None or found[1] > asked_at) else None
