"""One member's ``coach chat`` session: what each typed line does, in the terminal's own terms.

Every line goes through ``Conversation.handle_text`` exactly as a Slack DM does: it answers what the
coach last asked (the open prompt, kept in the store the same way as in Slack), or, with nothing
open, says what the member wants (``stage``, ``quiz``, ``check in``, ``status``, ``help``…). On top
of it the terminal takes numbers for the options it has just listed (where Slack shows buttons),
``start`` (a new assessment once the last one is finished) and ``quit``.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.terminal.actions import ACTION_OUTCOMES, action_text
from bot.terminal.journey import JOURNEY_OUTCOMES, Action, choices, journey_text
from bot.usecases.actions import Actions
from bot.usecases.assessment import Coach
from bot.usecases.conversation import Conversation
from bot.usecases.journey import Journey
from bot.usecases.prompts import OpenPrompts
from flows.outcomes import CheckinAsk, ForgetConfirm, Outcome
from flows.reading import read_reply
from flows.short_replies import resume_word
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
        self.conversation = Conversation(coach.store, coach.bundle, coach.clock)
        self.prompts = OpenPrompts(coach.store, coach.clock)
        self.actions = Actions(coach.store, coach.bundle, coach.clock)
        self.options: list[Action] = []  # what 1, 2, … do, after a journey message that lists options

    def left_in_plan(self) -> bool:
        """The member's open prompt is a plan question (they stopped in the middle of a part)."""
        prompt = self.prompts.current(self.member)
        return prompt is not None and prompt.kind == "plan"

    def opening(self) -> list[str]:
        """What was asked when the chat last stopped, asked again (a quiz question, a check-in…); else
        this week's check-in once it is due; else the assessment, started or resumed."""
        again = self.conversation.asked_again(self.member) or self.journey.checkin_if_due(self.member)
        return self.show(again or self.coach.start(self.member, repeat=True))

    def handle(self, line: str) -> list[str] | None:
        """The replies to one typed line; None when the member quits."""
        typed = line.strip()
        number = whole_number(typed)
        if number is not None and self.options:
            if not 1 <= number <= len(self.options):
                return [self.coach.bundle.messages.text("chat_no_such_option", count=len(self.options))]
            return self.show(self.options[number - 1]())
        step = self.actions.from_typed(self.member, typed)
        if step is not None:  # "action 2": a next step of the result becomes the member's action
            return self.show(step)
        command = read_reply(typed, self.coach.bundle.locale).command
        if command == "quit":
            return None
        resumed = self.conversation.resumed(self.member, typed)
        if resumed is not None:  # "resume" while the check-ins are paused: them, not the assessment
            return self.show(resumed)
        if command == "start" and not resume_word(typed, self.coach.bundle.locale):
            return self.show(self.coach.retake(self.member))  # a new assessment once the last one is done
        return self.show(self.conversation.handle_text(self.member, typed))

    def show(self, outcomes: list[Outcome]) -> list[str]:
        self.prompts.note(self.member, outcomes)  # as Slack's replies do: what the member is now asked
        self.options = []
        texts = []
        for outcome in outcomes:
            if isinstance(outcome, JOURNEY_OUTCOMES):
                texts.append(self.plain(journey_text(self.coach.bundle, outcome)))
                self.options = choices(self.journey, self.member, outcome) or self.options
                if isinstance(outcome, CheckinAsk) and outcome.send_key:
                    self.journey.checkin_posted(outcome.send_key, TERMINAL_CHANNEL, "0")
            elif isinstance(outcome, ACTION_OUTCOMES):
                texts.append(self.plain(action_text(self.coach.bundle, outcome)))
            elif isinstance(outcome, ForgetConfirm):
                messages = self.coach.bundle.messages
                texts.append(f"{messages.text('forget_question')}\n{messages.text('chat_forget_hint')}")
            else:
                texts.append(self.render(outcome))
        return [text for text in texts if text]
