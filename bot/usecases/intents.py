"""What a member wants when the coach asked nothing (``nothing_open``), the words that act anywhere
("resume" while paused), and the open prompt asked again (``coach chat`` started again): the part of
``Conversation`` that is not an answer to a prompt."""

from __future__ import annotations

from collections.abc import Callable

from bot.usecases.answers import TypedAnswers
from bot.usecases.assessment import Coach
from bot.usecases.journey import Journey
from bot.usecases.plan import Plans
from bot.usecases.prompts import OpenPrompts
from flows.answers import checkin_named, read_action
from flows.away import says_when
from flows.content import Bundle, QuizQuestion
from flows.outcomes import (
    CheckinAsk,
    ForgetConfirm,
    Notice,
    Outcome,
    QuizAsk,
    QuizSuggest,
    RestartConfirm,
    SettingsAsk,
    StageCards,
)
from flows.prompts import OpenPrompt, split_offer
from flows.schedule import week_key
from flows.schedule_words import less_than_weekly, read_schedule
from flows.short_replies import resume_word
from flows.understanding import read_intent, read_rating
from flows.values import MemberKey

MAX_ECHO = 200  # characters of a reply quoted back when asking what it meant


class Intents:
    bundle: Bundle
    locale: str
    coach: Coach
    journey: Journey
    plans: Plans
    prompts: OpenPrompts
    answers: TypedAnswers

    def _quiz_asked(self, prompt: OpenPrompt) -> tuple[QuizQuestion, tuple[int, ...], int | None] | None:
        """The quiz question a prompt asks, the answers before it, and the one "Did you mean …?" offered."""
        asked, offered = split_offer(prompt.ref, 2)
        question_id, _, before = asked.partition("/")
        try:
            question = self.bundle.stages.quiz_question(question_id)
            return question, tuple(int(n) for n in before.split(",") if n), int(offered) if offered else None
        except (KeyError, ValueError):
            return None

    def resumed(self, member: MemberKey, text: str) -> list[Outcome] | None:
        """"resume" on its own while the weekly check-ins are paused: they are resumed (at any prompt);
        None otherwise (it then resumes the assessment, as "start" does)."""
        if not resume_word(text, self.locale) or not self.journey.settings_form(member).paused:
            return None
        return self.journey.resume(member)

    def asked_again(self, member: MemberKey) -> list[Outcome] | None:
        """The open prompt asked once more, as it was (``coach chat`` started again on a quiz question,
        the stage suggestion, a check-in or a confirmation); None when it is none of those."""
        prompt = self.prompts.current(member)
        stage = self.journey.stage_of(member)
        if prompt is None:
            return None
        quiz = self._quiz_asked(prompt) if prompt.kind == "quiz" else None
        again: dict[str, Callable[[], list[Outcome]]] = {
            "quiz": lambda: [QuizAsk(quiz[0].id, quiz[1])] if quiz is not None else [],
            "suggest": lambda: [QuizSuggest(int(prompt.ref))] if prompt.ref.isdigit() else [],
            "stages": lambda: [StageCards(current=stage, source="checkin" if prompt.ref == "checkin" else "placement")],
            "checkin": lambda: self._checkin_again(member, split_offer(prompt.ref, 1)[0], stage),
            "forget": lambda: [ForgetConfirm()],
            "restart": lambda: [RestartConfirm()],
            "settings": lambda: [SettingsAsk()],
        }
        return again.get(prompt.kind, list)() or None

    def _weekly_only(self, text: str) -> list[Outcome]:
        """"every other Friday at 10": check-ins come every week, which the member is told first."""
        return [Notice("settings_weekly_only")] if less_than_weekly(text, self.locale) else []

    def _schedule(self, member: MemberKey, weekday: int, at: str) -> list[Outcome]:
        """A day and time typed for the weekly check-in: it moves there; a pause stays as it was."""
        return self.journey.move_checkin(member, weekday, at)

    def _checkin_again(self, member: MemberKey, period: str, stage: int | None) -> list[Outcome]:
        """The check-in left open, while it is this week's, the latest sent and unanswered; weeks on, the
        week's own is asked instead, once due (``Journey.checkin_if_due``)."""
        row = self.journey.store.member(member)
        this_week = week_key(self.journey.clock(), row.tz if row is not None else None)
        latest = self.prompts.unanswered_checkin(member)
        if stage is None or period != this_week or latest != OpenPrompt("checkin", period):
            return []
        return [CheckinAsk(period, stage)]

    # Nothing open: what the member wants

    def nothing_open(self, member: MemberKey, text: str) -> list[Outcome]:
        """Answer a reply typed while the coach has asked nothing; never record it as an answer."""
        schedule = read_schedule(text, self.locale)
        if schedule is not None:
            return [*self._weekly_only(text), *self._schedule(member, *schedule)]
        wanted = read_intent(text, self.locale)
        if wanted.command == "pause" and says_when(text, self.bundle.away, self.locale):
            return [Notice("pause_bad_date")]  # "lomalla kaksi viikkoa, tauko": asked again, not paused for good
        if wanted.command is not None:
            return self._act(member, wanted.command)
        reading = read_action(text, self.locale)
        if not checkin_named(text, self.locale) and reading.whole:
            # "done 2": this week's actions, as the check-in numbers them; with none due, every open
            # one, as "actions" lists them, when the number says which (asked in a remark, they are not)
            numbered = reading.number is not None
            due = self.answers.due(member) or (self.answers.owned(member) if numbered else ())
            typed = self.answers.action(member, text, due, ask_back=False)
            if typed is not None:
                return typed
        row = self.coach.open_assessment(member)
        if row is not None and read_rating(text, self.locale).choice is not None:  # "partly", an answer
            return [Notice("assessment_waiting"), *self.coach.ask_current(row)]  # asked again, not recorded
        return [Notice("open_not_understood", {"text": text.strip()[:MAX_ECHO]})]

    def _act(self, member: MemberKey, intent: str) -> list[Outcome]:
        actions: dict[str, Callable[[MemberKey], list[Outcome]]] = {
            "start": self.coach.start,
            "status": lambda m: [*self.coach.status(m), *self.journey.status(m)],
            "plan": lambda m: [*self.plans.after_not_for_now(m), self.plans.offer(m)],
            "stage": self.journey.cards,
            "quiz": self.journey.quiz_start,
            "checkin": self.journey.checkin_now,
            "settings": lambda _m: [SettingsAsk()],
            "pause": self.journey.pause,
            "resume": self.journey.resume,
            "help": lambda _m: [Notice("open_help")],
            "about": lambda _m: [Notice("about")],
            "restart": lambda _m: [RestartConfirm()],
            "forget": lambda _m: [ForgetConfirm()],
            "actions": self.answers.listed,
        }
        return actions[intent](member)

    def _command(self, member: MemberKey, command: str) -> list[Outcome]:
        """A command typed at a prompt other than the assessment's (where ``Coach`` reads them)."""
        if command == "quit":
            return [Notice("quit_in_slack")]
        if command in ("back", "skip"):
            return [Notice("open_help")]
        return self._act(member, command)

