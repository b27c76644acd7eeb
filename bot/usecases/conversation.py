"""A message typed in the DM (or ``coach chat``), read against what the coach last asked and nothing else.

The open prompt (``bot.usecases.prompts``) decides which reader reads the reply
(``flows.understanding``, ``flows.options``) and which use case acts on it: the same methods a click
on the prompt's buttons calls, so both end in the same state. When nothing is open, the reply is
read for what the member wants and answered; it is never filed as an answer to anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from bot.store.interfaces import CoachStore
from bot.usecases.answers import TypedAnswers
from bot.usecases.assessment import Coach
from bot.usecases.intents import MAX_ECHO, Intents
from bot.usecases.journey import Journey
from bot.usecases.plan import Plans
from bot.usecases.privacy import Privacy
from bot.usecases.prompts import OpenPrompts
from flows.actions import pending_answer
from flows.answers import checkin_named, offer_keys, offer_only, read_action, read_offer
from flows.content import RATINGS, Bundle
from flows.journey import CheckinOutcome, Source
from flows.options import read_quiz, read_stage
from flows.outcomes import (
    AskBack,
    CheckinAsk,
    CheckinClosed,
    Explanation,
    ForgetConfirm,
    Notice,
    Outcome,
    QuizAsk,
    QuizSuggest,
    RestartConfirm,
    StageCards,
)
from flows.prompts import OpenPrompt, assessment_ref, split_offer
from flows.readiness_answers import read_answer
from flows.reading import Reading, tokens
from flows.schedule_words import read_day_or_time, read_schedule
from flows.short_replies import go_ahead, plain_yes_or_no
from flows.understanding import (
    Understanding,
    journey_word,
    read_checkin,
    read_intent,
    read_rating,
    stage_named,
)
from flows.values import Clock, MemberKey, utc_now

Handler = Callable[[MemberKey, OpenPrompt, str], list[Outcome]]
# An assessment changed this recently is one the member is in the middle of: once they have moved
# their check-in (typed "settings" at one of its questions), its question is asked again.
ANSWERING = timedelta(hours=12)


class Conversation(Intents):
    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock = utc_now) -> None:
        self.bundle = bundle
        self.locale = bundle.locale
        self.coach = Coach(store, bundle, clock)
        self.journey = Journey(store, bundle, clock)
        self.plans = Plans(store, bundle, clock)
        self.privacy = Privacy(store)
        self.prompts = OpenPrompts(store, clock)
        self.answers = TypedAnswers(store, bundle, clock)

    def handle_text(self, member: MemberKey, text: str) -> list[Outcome]:
        paused = self.journey.pause_typed(member, text, self.bundle)  # "pause until <date>", before all else
        if paused is not None:
            return paused
        resumed = self.resumed(member, text)
        if resumed is not None:
            return resumed
        anywhere = journey_word(text, self.locale)
        if anywhere is not None:  # "stage", "quiz", "check in", "settings"… as the whole message
            return self._act(member, anywhere)
        prompt = self.prompts.current(member)
        handlers: dict[str, Handler] = {
            "assessment": self._assessment,
            "checkin": self._checkin,
            "quiz": self._quiz,
            "suggest": self._suggest,
            "stages": self._stages,
            "forget": self._forget,
            "restart": self._restart,
            "settings": self._settings,
            "actions": self._actions,
            "revisit": self._revisit,
            "planoffer": self._plan_offer,
        }
        handler = handlers.get(prompt.kind) if prompt is not None else None
        if prompt is None or handler is None:
            return self.nothing_open(member, text)
        return handler(member, prompt, text)

    # What each prompt's reply does

    def _assessment(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        row = self.coach.open_assessment(member)
        assessment_id, offered = assessment_ref(prompt.ref)
        if row is None or str(row.id) != assessment_id or row.state not in self.coach.question_ids:
            return self.nothing_open(member, text)
        asked_back = offered is not None and row.pending_question == row.state  # about this very question
        said = plain_yes_or_no(text, self.locale) if asked_back else None
        if offered is not None and said is not None:  # "yes" / "no" to "Did you mean …?" about this question
            if said:
                return self.coach.confirm(member, row.state, offered, row.id)
            # no: nothing recorded, the answers offered again with none first (it may be their answer)
            return [AskBack(row.id, row.state, row.pending_text or text, None)]
        understood = read_answer(text, self.locale, row.state)
        if understood.question is not None:
            return [Explanation(row.state, understood.question), *self.coach.ask_current(row)]
        if understood.choice is None and read_intent(text, self.locale).command == "about":  # "who are you?"
            return [Notice("about"), *self.coach.ask_current(row)]
        if understood.command == "restart":
            return [RestartConfirm()]
        rating = understood.choice if understood.choice in RATINGS else None
        guess = understood.guess if understood.guess in RATINGS else None
        reading = Reading(rating=rating, command=understood.command, guess=guess)
        return self.coach.handle_text(member, text, reading)

    def _checkin(self, member: MemberKey, prompt: OpenPrompt, text: str, beside: bool = True) -> list[Outcome]:
        """The check-in's answer; with ``beside``, an action's answer typed with it too (``_actions``,
        which answered the action first, passes False)."""
        stage = self.journey.stage_of(member)
        if stage is None:
            return self.journey.cards(member)
        period, offered = split_offer(prompt.ref, 1)
        again = CheckinAsk(period, stage)
        said = plain_yes_or_no(text, self.locale) if offered is not None else None
        if said is False:  # no to "Did you mean …?": the options again, none put first
            return [self._not_sure(text, None), again]
        understood = Understanding(choice=offered) if said else read_checkin(text, self.locale)
        if understood.choice is not None and understood.choice.startswith("stage_"):
            return self.journey.checkin_stage(member, period, int(understood.choice.removeprefix("stage_")))
        if understood.choice is not None:
            outcome: CheckinOutcome = understood.choice  # type: ignore[assignment]
            answered = self.journey.checkin_answer(member, period, outcome)
            return [*answered, *(self._action_beside(member, text, answered) if beside else [])]
        if not checkin_named(text, self.locale):  # "done", "ei vielä": about an action asked with it
            typed = self.answers.action(member, text, self.answers.due(member), ask_back=False)
            if typed is not None:
                return typed
        if understood.question is not None:
            return [Notice("checkin_explain", {"stage": stage}), again]
        if understood.command is not None:
            return self._command(member, understood.command)
        return [self._not_sure(text, self._checkin_label(understood.guess)), replace(again, offered=understood.guess)]

    def _action_beside(self, member: MemberKey, text: str, checkin: list[Outcome]) -> list[Outcome]:
        """"moved forward, done 1": the answer about an action typed beside the check-in's, once that is
        recorded (nothing when the check-in was old or already answered)."""
        if not any(isinstance(o, CheckinClosed) for o in checkin):
            return []
        if read_action(text, self.locale).understood.choice is None:
            return []
        return self.answers.action(member, text, self.answers.due(member), ask_back=False) or []

    def _actions(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        """Actions listed, asked with a check-in, or asked back which one (then a number alone picks it
        for the answer given): an answer about one; else this week's check-in when still unanswered;
        anything else closes the question and is read for what the member wants."""
        asked = self.answers.asked(member, prompt)
        reading = read_action(text, self.locale)
        picking = pending_answer(prompt.ref) is not None and reading.number is not None
        picking = picking and not checkin_named(text, self.locale)
        if reading.understood.choice is None and reading.understood.guess is None and not picking:
            checkin = self.prompts.unanswered_checkin(member)
            if checkin is not None:
                return self._checkin(member, checkin, text)
            self.prompts.close(member)  # a remark about something else: the actions are asked no more
            return self.nothing_open(member, text)
        answered = self.answers.action(member, text, asked, ask_back=True, given=prompt.ref)
        if not self.answers.asked(member, prompt):  # every one answered: the check-in they came with, if open
            self.prompts.reopen_checkin(member)
        checkin = self.prompts.unanswered_checkin(member) if answered else None
        if answered and checkin is not None and checkin_named(text, self.locale):
            return [*answered, *self._checkin(member, checkin, text, beside=False)]  # "moved forward, done 1"
        return answered or self.nothing_open(member, text)

    def _revisit(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        """The offer to look again, sent beside the week's check-in and its actions: a reply about those
        is theirs (unless the offer's words are all of it: "no thanks"); else yes, no or later; else
        the check-in, if still open; else the offer asked again."""
        checkin = self.prompts.open_checkin(member)
        if not offer_only(text, self.locale):
            if checkin is not None and checkin_named(text, self.locale):
                return self._checkin(member, checkin, text)
            typed = self.answers.action(member, text, self.answers.due(member), ask_back=False)
            if typed is not None:
                return typed
        answered = self.answers.offer(member, prompt, text)
        if answered is not None:
            return answered
        if checkin is not None and read_offer(text, self.locale).guess is None:
            return self._checkin(member, checkin, text)
        return self.answers.offer_again(prompt, text)

    def _quiz(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        asked = self._quiz_asked(prompt)
        if asked is None:
            return self.nothing_open(member, text)
        question, earlier, offered_index = asked
        again = QuizAsk(question.id, earlier)
        said = plain_yes_or_no(text, self.locale) if offered_index is not None else None
        if said is False:  # no to "Did you mean …?": the options again, none put first
            return [self._not_sure(text, None), again]
        if said and offered_index is not None:
            return self.journey.quiz_answer(member, question.id, offered_index, earlier)
        understood = read_quiz(text, self.locale, question)
        if understood.choice is not None:
            return self.journey.quiz_answer(member, question.id, int(understood.choice) - 1, earlier)
        if understood.question is not None:
            explained = Notice("quiz_question_explain", {"quiz_question": question.id})  # "why?": the quiz's
            return [explained if question.explain and understood.question != "why" else Notice("quiz_explain"), again]
        if understood.command is not None:
            return self._command(member, understood.command)
        if understood.guess is None:
            return [self._not_sure(text, None), again]
        guessed = int(understood.guess) - 1
        return [self._not_sure(text, question.answers[guessed].label), replace(again, offered=guessed)]

    def _suggest(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        suggested = int(prompt.ref)
        named = stage_named(tokens(text), self.locale)
        if named is not None:
            return self.journey.place(member, named, "quiz")
        understood = read_rating(text, self.locale)
        if understood.choice == "ready":
            return self.journey.place(member, suggested, "quiz")
        if understood.choice == "not_yet":
            return self.journey.cards(member)
        if understood.command is not None:
            return self._command(member, understood.command)
        return [self._not_sure(text, None), QuizSuggest(suggested)]

    def _stages(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        source: Source = "checkin" if prompt.ref == "checkin" else "placement"
        stage = read_stage(text, self.locale)
        if stage is not None:
            return self.journey.place(member, stage, source)
        if read_rating(text, self.locale).choice is None:  # "²", "partly": for the cards, not the assessment
            # what the member wants instead ("quiz", "help"), and "move my check-in to thursday 8:30" too
            elsewhere = self.nothing_open(member, text)
            if elsewhere and not (isinstance(elsewhere[0], Notice) and elsewhere[0].key == "open_not_understood"):
                return elsewhere
        return [Notice("stages_unclear"), StageCards(current=self.journey.stage_of(member), source=source)]

    def _plan_offer(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        """A yes to the offer to write the plan points at its buttons (a form opens only from a click),
        a no or a later leaves it for later; anything else is read as if nothing were asked."""
        said = read_offer(text, self.locale).choice
        if said is None and offer_only(text, self.locale) and "yes" not in offer_keys(text, self.locale):
            said = "later"  # "nah maybe later": a no and a later are one answer here
        if said is None:
            return self.nothing_open(member, text)
        return [Notice("plan_offer_click" if said == "yes" else "plan_offer_later")]

    def _back_to_assessment(self, member: MemberKey) -> list[Outcome]:
        """The question of an assessment the member is in the middle of, asked again."""
        row = self.coach.open_assessment(member)
        if row is None or self.coach.clock() - row.updated_at > ANSWERING:
            return []
        return self.coach.ask_current(row)

    def _forget(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        if go_ahead(text, self.locale, "forget"):
            return self.privacy.forget(member)
        if "?" in tokens(text):  # "why?", "what gets deleted?": what it deletes, and the question again
            return [ForgetConfirm()]
        self.prompts.close(member)
        row = self.coach.open_assessment(member)  # kept: the question it was at is asked again
        return [Notice("forget_kept"), *(self.coach.ask_current(row) if row is not None else [])]

    def _restart(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        if go_ahead(text, self.locale, "restart"):
            return self.coach.restart(member)
        if "?" in tokens(text):
            return [RestartConfirm()]
        self.prompts.close(member)
        row = self.coach.open_assessment(member)
        return [Notice("restart_kept"), *(self.coach.ask_current(row) if row is not None else [])]

    def _settings(self, member: MemberKey, prompt: OpenPrompt, text: str) -> list[Outcome]:
        schedule = read_schedule(text, self.locale, asked=True)
        day, at = read_day_or_time(text, self.locale)  # "monday" or "9am" alone: the other stays as it was
        wanted = read_intent(text, self.locale).command
        if wanted == "help":  # the help, and the question stays asked
            return self._act(member, wanted)
        self.prompts.close(member)  # answered, or left for something else: a later line is read afresh
        if schedule is None and day is None and at is None and wanted is None:
            return [Notice("settings_unclear")]  # "Tuesdays at 8" is still read with nothing asked
        if schedule is not None:
            return [*self._weekly_only(text), *self._schedule(member, *schedule), *self._back_to_assessment(member)]
        if day is not None or at is not None:
            current = self.journey.settings_form(member)
            moved = self._schedule(member, current.weekday if day is None else day, at or current.time)
            return [*moved, *self._back_to_assessment(member)]
        assert wanted is not None
        return self._act(member, wanted)

    # Asking back

    def _not_sure(self, text: str, option: str | None) -> Notice:
        """What the member typed was not clear: the likeliest option offered first, if there is one."""
        echoed = text.strip()[:MAX_ECHO]
        if option is None:
            return Notice("choice_unclear", {"text": echoed})
        return Notice("choice_not_sure", {"text": echoed, "option": option})

    def _checkin_label(self, guess: str | None) -> str | None:
        if guess is None:
            return None
        if guess.startswith("stage_"):
            stage = self.bundle.stages.stage(int(guess.removeprefix("stage_")))
            return self.bundle.messages.text("stage_label", number=stage.number, name=stage.name)
        return self.bundle.messages.text(f"button_checkin_{guess}")
