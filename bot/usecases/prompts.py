"""The open prompt of each member (``flows.prompts``), kept in the store.

Every reply the coach sends to a member's DM passes ``note`` (through ``keep_for_sending`` in Slack,
and ``TerminalSession.show`` in ``coach chat``), so a click and a typed reply move it the same way. A
scheduled check-in is sent by the scheduler, not as a reply: it counts as the open prompt when it
was issued after the stored prompt was asked and is still unanswered.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.store.interfaces import CoachStore
from flows.outcomes import Outcome
from flows.prompts import OpenPrompt, prompt_after
from flows.values import Clock, MemberKey, utc_now

CHECKIN_KIND = "checkin"


class OpenPrompts:
    def __init__(self, store: CoachStore, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock

    def note(self, member: MemberKey, outcomes: Sequence[Outcome]) -> None:
        """Remember what ``outcomes`` leave open for the member (nothing, when they close it)."""
        prompt = prompt_after(outcomes)
        if isinstance(prompt, str) or self.store.member(member) is None:
            return  # KEEP: nothing asked or closed
        self.store.set_open_prompt(member, prompt.stored() if prompt else None, self.clock())

    def open(self, member: MemberKey, prompt: OpenPrompt) -> None:
        """The coach asks the member something directly (a plan question in ``coach chat``)."""
        if self.store.member(member) is not None:
            self.store.set_open_prompt(member, prompt.stored(), self.clock())

    def close(self, member: MemberKey) -> None:
        if self.store.member(member) is not None:
            self.store.set_open_prompt(member, None, self.clock())

    def current(self, member: MemberKey) -> OpenPrompt | None:
        stored, asked_at = self.store.open_prompt(member)
        prompt = OpenPrompt.parse(stored)
        claim = self.store.latest_claim(member, CHECKIN_KIND)
        if claim is not None and (asked_at is None or claim[1] > asked_at):
            period = claim[0]
            if not self.store.has_checkin(member, period):
                return OpenPrompt("checkin", period)
        return prompt
