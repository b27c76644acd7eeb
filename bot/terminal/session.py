"""One member's ``coach chat`` session: what each typed line does, in the terminal's own terms.

The assessment goes through ``Coach.handle_text`` exactly as a Slack DM does. On top of it the
terminal understands ``stage``, ``quiz`` and ``check in`` (the journey, which Slack offers as
buttons), numbers for the options it has just listed, ``start`` (a new assessment once the last
one is finished), ``forget`` with a typed confirmation, and ``quit``.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.terminal.journey import JOURNEY_OUTCOMES, Action, choices, journey_text
from bot.usecases.assessment import Coach
from bot.usecases.journey import Journey
from bot.usecases.privacy import Privacy
from flows.outcomes import CheckinAsk, ForgetConfirm, Outcome
from flows.reading import read_chat_command, read_reply
from flows.values import MemberKey, whole_number

TERMINAL_CHANNEL = "terminal"


class TerminalSession:
    def __init__(
        self, coach: Coach, member: MemberKey, render: Callable[[Outcome], str], plain: Callable[[str], str]
    ) -> None:
        self.coach = coach
        self.member = member
        self.render = render
        self.plain = plain
        self.journey = Journey(coach.store, coach.bundle, coach.clock)
        self.privacy = Privacy(coach.store)
        self.options: list[Action] = []  # what 1, 2, … do, after a journey message that lists options
        self.confirming_forget = False

    def opening(self) -> list[str]:
        return self.show(self.coach.start(self.member))

    def handle(self, line: str) -> list[str] | None:
        """The replies to one typed line; None when the member quits."""
        typed = line.strip()
        if self.confirming_forget:
            self.confirming_forget = False
            if read_reply(typed, self.coach.bundle.locale).rating == "ready":
                return self.show(self.privacy.forget(self.member))
            return [self.coach.bundle.messages.text("chat_forget_kept")]
        number = whole_number(typed)
        if number is not None and self.options:
            if not 1 <= number <= len(self.options):
                return [self.coach.bundle.messages.text("chat_no_such_option", count=len(self.options))]
            return self.show(self.options[number - 1]())
        journey = {"stage": self.journey.cards, "quiz": self.journey.quiz_start, "checkin": self.journey.checkin_now}
        chat_command = read_chat_command(typed, self.coach.bundle.locale)
        if chat_command is not None:
            return self.show(journey[chat_command](self.member))
        command = read_reply(typed, self.coach.bundle.locale).command
        if command == "quit":
            return None
        if command == "start":
            return self.show(self.coach.retake(self.member))  # a new assessment once the last one is done
        return self.show(self.coach.handle_text(self.member, typed))

    def show(self, outcomes: list[Outcome]) -> list[str]:
        self.options = []
        texts = []
        for outcome in outcomes:
            if isinstance(outcome, JOURNEY_OUTCOMES):
                texts.append(self.plain(journey_text(self.coach.bundle, outcome)))
                self.options = choices(self.journey, self.member, outcome) or self.options
                if isinstance(outcome, CheckinAsk) and outcome.send_key:
                    self.journey.checkin_posted(outcome.send_key, TERMINAL_CHANNEL, "0")
            elif isinstance(outcome, ForgetConfirm):
                self.confirming_forget = True
                messages = self.coach.bundle.messages
                texts.append(f"{messages.text('forget_question')}\n{messages.text('chat_forget_hint')}")
            else:
                texts.append(self.render(outcome))
        return [text for text in texts if text]
