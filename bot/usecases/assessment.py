"""The coaching use cases, shared by the Slack listeners and the terminal chat.

Each method restores the member's assessment from the store, asks ``flows`` what happens next,
saves the change with a compare-and-set, and returns outcomes for the front-end to render.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from bot.store import AnswerChange, AssessmentRow, ClearAnswers, ForgetAnswer, SetAnswer
from bot.store.interfaces import CoachStore
from bot.usecases.lookback import previous_completed, verdict_history
from bot.usecases.plan import Plans
from flows.assessment import INTRO, REVIEW, SUMMARY, AssessmentResult, config_for, evaluate, review_facts
from flows.content import Bundle, Rating
from flows.machines import InvalidMove
from flows.outcomes import Ask, AskBack, AskBackClosed, Closed, ForgetConfirm, Intro, Notice, Outcome, Summary
from flows.prompts import OpenPrompt
from flows.reading import Reading, read_reply
from flows.values import Clock, MemberKey, utc_now
from flows.verdicts import follows_with_plan

JUST_BEGUN = timedelta(minutes=1)  # a second "start" this soon after the first is the same click again
BEGUN_VERSION = 1  # an assessment's version once its first question is asked, before any move
MAX_KEPT_TEXT = 500  # characters of a typed answer kept with it
OPTION_NUMBERS = ("1", "2", "3")
Trigger = Literal["answer", "skip", "back", "restart"]
How = Literal["answered", "skipped", "left", "restarted"]
HOW: dict[Trigger, How] = {"answer": "answered", "skip": "skipped", "back": "left", "restart": "restarted"}


class Coach:
    def __init__(self, store: CoachStore, bundle: Bundle, clock: Clock = utc_now) -> None:
        self.store = store
        self.bundle = bundle
        self.clock = clock
        self.config = config_for(bundle.assessment)
        self.question_ids = tuple(q.id for q in bundle.assessment.questions)

    # Entry points

    def start(self, member: MemberKey, repeat: bool = False) -> list[Outcome]:
        """``/coach``: resume the open assessment, recall the last result, or begin the first one.
        ``repeat``: ask the open question even if it was sent a moment ago (``coach chat`` starting)."""
        self.store.ensure_member(member, self.clock())
        latest = self.store.latest_assessment(member)
        if latest is not None and latest.completed_at is not None:
            return [self._summary(latest, recalled=True)]
        return self._resumed(latest, repeat) if latest is not None else self._begin(member)

    def retake(self, member: MemberKey) -> list[Outcome]:
        self.store.ensure_member(member, self.clock())
        latest = self.store.latest_assessment(member)
        return self._resumed(latest) if latest is not None and latest.completed_at is None else self._begin(member)

    def _resumed(self, row: AssessmentRow, repeat: bool = False) -> list[Outcome]:
        """The open assessment's question asked again; unless it began a moment ago, has not moved and
        is still what the member is asked (a second click on Retake): that question is already there."""
        just_begun = row.version == BEGUN_VERSION and self.clock() - row.updated_at < JUST_BEGUN
        asked = OpenPrompt("assessment", str(row.id)).stored()
        if just_begun and not repeat and self.store.open_prompt(MemberKey(row.team_id, row.user_id))[0] == asked:
            return [Notice("assessment_just_begun")]
        return [Notice("intro_resume"), *self.ask_current(row)]

    def answer(
        self,
        member: MemberKey,
        question_id: str,
        rating: Rating,
        assessment_id: int | None = None,
        source: str = "button",
        text: str | None = None,
    ) -> list[Outcome]:
        change = SetAnswer(question_id, rating, source, text=text[:MAX_KEPT_TEXT] if text else None)
        return self._move(member, "answer", question_id, assessment_id, change)

    def confirm(self, member: MemberKey, question_id: str, rating: Rating, assessment_id: int) -> list[Outcome]:
        """The member picked what they meant after "Did you mean …?": record it with their own words."""
        row = self.open_assessment(member)
        text = row.pending_text if row is not None and row.pending_question == question_id else None
        outcomes = self.answer(member, question_id, rating, assessment_id, source="text", text=text)
        if text is not None and any(isinstance(o, Closed) for o in outcomes):
            return [AskBackClosed(question_id, text, rating), *outcomes]
        return outcomes

    def skip(
        self, member: MemberKey, question_id: str | None = None, assessment_id: int | None = None
    ) -> list[Outcome]:
        return self._move(member, "skip", question_id, assessment_id)

    def back(
        self, member: MemberKey, question_id: str | None = None, assessment_id: int | None = None
    ) -> list[Outcome]:
        return self._move(member, "back", question_id, assessment_id)

    def restart(self, member: MemberKey) -> list[Outcome]:
        row = self.open_assessment(member)
        if row is None:
            return self.retake(member)
        return self._move(member, "restart", None, row.id)

    def status(self, member: MemberKey) -> list[Outcome]:
        latest = self.store.latest_assessment(member)
        if latest is None:
            return [Notice("nothing_in_progress")]
        if latest.completed_at is not None:
            result = self._result(latest)
            return [Notice("status_completed", {"date": latest.completed_at, "verdict": result.verdict})]
        if latest.state not in self.question_ids:
            return [Notice("nothing_in_progress")]
        number, answered = self.question_ids.index(latest.state) + 1, len(self.store.answers(latest.id))
        facts = {"number": number, "total": len(self.question_ids), "question_id": latest.state, "answered": answered}
        return [Notice("status_in_progress", facts)]

    def decline_revisit(self, member: MemberKey) -> list[Outcome]:
        """No to "has anything changed?": nothing is stored or scheduled; the question was asked once,
        and is asked again only after a new *Not for now* verdict."""
        return [Notice("revisit_declined")]

    def handle_text(self, member: MemberKey, text: str, reading: Reading | None = None) -> list[Outcome]:
        """A message typed in the DM: an answer in plain words, a command word, or neither.

        A reply is recorded only when its reading is clear; otherwise the member is asked what they
        meant, and the reply is kept until they pick an answer (by button, or 1, 2 or 3).
        """
        reading = reading or read_reply(text, self.bundle.locale)
        typed = text.strip()
        if reading.rating is not None:
            row = self.open_assessment(member)
            if row is None or row.state not in self.question_ids:
                return [Notice("nothing_in_progress")]
            if typed in OPTION_NUMBERS:  # a number names an option: keep the words it confirms, if any
                typed = row.pending_text if row.pending_question == row.state and row.pending_text else ""
            return self.answer(member, row.state, reading.rating, row.id, source="text", text=typed or None)
        commands: dict[str, Callable[[MemberKey], list[Outcome]]] = {
            "back": self.back,
            "skip": self.skip,
            "restart": self.restart,
            "status": self.status,
            "start": self.start,
            "help": lambda _member: [Notice("text_help")],
            "forget": lambda _member: [ForgetConfirm()],
            "quit": lambda _member: [Notice("quit_in_slack")],
        }
        if reading.command is not None:
            return commands[reading.command](member)
        row = self.open_assessment(member)
        if row is None or row.state not in self.question_ids:
            return [Notice("not_understood", {"text": typed})]
        self.store.set_pending(row.id, row.state, typed[:MAX_KEPT_TEXT])
        return [AskBack(row.id, row.state, typed[:MAX_KEPT_TEXT], reading.guess)]

    def prompt_posted(self, assessment_id: int, question_id: str, channel: str, ts: str) -> None:
        """Remember where a question was posted, so answering it can close that very message."""
        self.store.set_prompt(assessment_id, question_id, channel, ts)

    # Internals

    def open_assessment(self, member: MemberKey) -> AssessmentRow | None:
        """The member's assessment in progress, if any."""
        latest = self.store.latest_assessment(member)
        return latest if latest is not None and latest.completed_at is None else None

    def _begin(self, member: MemberKey) -> list[Outcome]:
        return self.ask_current(self.store.create_assessment(member, INTRO, self.clock()))

    def ask_current(self, row: AssessmentRow) -> list[Outcome]:
        """The question ``row`` is on (also asked again after a question back was answered)."""
        if row.state != INTRO:
            return [self._ask(row.id, row.state)]
        first = self.config.next_state(INTRO, "begin")
        if not self.store.advance(row, first, self.clock()):  # another request began it and asks it
            return [Notice("assessment_just_begun")]
        return [Intro(), self._ask(row.id, first)]

    def _ask(self, assessment_id: int, question_id: str) -> Ask:
        return Ask(assessment_id, question_id, self.question_ids.index(question_id) + 1, len(self.question_ids))

    def _move(
        self,
        member: MemberKey,
        trigger: Trigger,
        question_id: str | None,
        assessment_id: int | None,
        answer: SetAnswer | None = None,
    ) -> list[Outcome]:
        """Fire one trigger on the member's open assessment, guarded against stale or double input.

        ``question_id`` and ``assessment_id`` say what the member was looking at; a click on an older
        message or a second click on the same one never lands on a different question.
        """
        row = self.open_assessment(member)
        if row is None or (assessment_id is not None and assessment_id != row.id):
            return [Notice("old_assessment")] if assessment_id is not None else [Notice("nothing_in_progress")]
        if row.state not in self.question_ids:
            return self.ask_current(row)
        current = row.state
        if question_id is not None and question_id != current:
            return [self._already_answered(row)]
        change: AnswerChange | None = {"answer": answer, "skip": ForgetAnswer(current), "restart": ClearAnswers()}.get(
            trigger
        )  # a skip forgets any earlier answer to this question; back changes no answer
        try:
            destination, reviewing = self._destination(row, trigger, change)
        except InvalidMove:
            return [Notice("first_question")] if trigger == "back" else [self._already_answered(row)]
        completed = destination == SUMMARY
        if not self.store.advance(row, destination, self.clock(), change, completed=completed, reviewing=reviewing):
            fresh = self.open_assessment(member)
            return [self._already_answered(fresh)] if fresh else [Notice("old_assessment")]
        closed = self._closed(row, trigger, change)
        outcomes: list[Outcome] = [closed]
        if trigger == "restart":
            outcomes.append(Notice("restarted"))
        if reviewing and not row.reviewing and not completed:
            outcomes.append(Notice("revisit_skipped"))
        if completed:
            done = self.store.assessment(row.id)
            assert done is not None
            summary = self._summary(done)
            outcomes += [summary, *self._after_verdict(member, summary.result)]
            outcomes += Plans(self.store, self.bundle, self.clock).look_back(member, summary)
        else:
            outcomes.append(self._ask(row.id, destination))
        return outcomes

    def _after_verdict(self, member: MemberKey, result: AssessmentResult) -> list[Outcome]:
        """What follows a verdict: the plan where it helps (never to someone who has written all of it);
        after *Not for now*, no plan but the word that the coach will ask once, months later."""
        if not follows_with_plan(result.verdict):
            return [Notice("after_not_for_now")]
        offer = Plans(self.store, self.bundle, self.clock).offer(member)
        if len(offer.done) == len(self.bundle.plan.sections):
            return [Notice("plan_already_written")]
        return [offer]

    def _closed(self, row: AssessmentRow, trigger: Trigger, change: AnswerChange | None) -> Closed:
        """The question message as it should look now that ``trigger`` has moved past it."""
        answer = change if isinstance(change, SetAnswer) else None
        return Closed(
            assessment_id=row.id,
            question_id=row.state,
            number=self.question_ids.index(row.state) + 1,
            total=len(self.question_ids),
            how=HOW[trigger],
            rating=answer.rating if answer is not None else None,
            # Only the message that asks this very question is closed: if the member typed before the
            # record of where it landed, no message is touched rather than the previous one.
            prompt_channel=row.prompt_channel if row.prompt_question in (None, row.state) else None,
            prompt_ts=row.prompt_ts if row.prompt_question in (None, row.state) else None,
            words=answer.text if answer is not None else None,
        )

    def _destination(
        self, row: AssessmentRow, trigger: Trigger, change: AnswerChange | None
    ) -> tuple[str, bool | None]:
        """Where ``trigger`` leads, passing through the review of skipped questions; and the new reviewing flag."""
        if trigger == "restart":
            return self.config.next_state(row.state, trigger), False
        answered = set(self.store.answers(row.id))
        if isinstance(change, SetAnswer):
            answered.add(change.question_id)
        elif isinstance(change, ForgetAnswer):
            answered.discard(change.question_id)
        facts = review_facts(self.question_ids, row.state, answered, row.reviewing)
        destination = self.config.next_state(row.state, trigger, facts)
        if destination != REVIEW:
            return destination, None
        return self.config.next_state(REVIEW, "revisit", facts), True

    def _already_answered(self, row: AssessmentRow) -> Notice:
        if row.state not in self.question_ids:
            return Notice("old_assessment")
        return Notice(
            "already_answered",
            {"number": self.question_ids.index(row.state) + 1, "question_id": row.state},
        )

    def _result(self, row: AssessmentRow) -> AssessmentResult:
        return evaluate(self.question_ids, self.store.answers(row.id))

    def _summary(self, row: AssessmentRow, recalled: bool = False) -> Summary:
        assert row.completed_at is not None
        earlier = previous_completed(self.store, row)
        return Summary(
            assessment_id=row.id,
            result=self._result(row),
            completed_at=row.completed_at,
            recalled=recalled,
            words=self.store.answer_texts(row.id),
            previous=self._result(earlier) if earlier is not None else None,
            previous_at=earlier.completed_at if earlier is not None else None,
            history=verdict_history(self.store, MemberKey(row.team_id, row.user_id), row.id),
        )
