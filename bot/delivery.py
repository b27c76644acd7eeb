"""Sends a coaching step's outcomes to Slack, in order, and remembers where each question landed."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient

from bot.coach import utc_now
from bot.home import home_data
from bot.slack_errors import SLACK_FAILURES, describe
from bot.store import MemberKey, Store
from bot.views import assessment as assessment_views
from bot.views import journey as journey_views
from bot.views import privacy as privacy_views
from bot.views import report as report_views
from bot.views.common import Rendered, notice
from bot.views.home import home_view
from flows.content import Bundle
from flows.outcomes import (
    Ask,
    CheckinAsk,
    CheckinClosed,
    Closed,
    ExportFile,
    ForgetConfirm,
    Intro,
    Notice,
    Nudge,
    Outcome,
    QuizAsk,
    QuizSuggest,
    Report,
    StageCards,
    StageCoaching,
    Summary,
)

log = logging.getLogger(__name__)
# Outcomes after which the member's App Home is out of date.
CHANGING = (Intro, Closed, Summary, StageCoaching, CheckinClosed)
CHANGING_NOTICES = frozenset({"restarted", "paused", "resumed", "settings_saved", "forgotten"})


def changes_member_data(outcomes: Sequence[Outcome]) -> bool:
    return any(isinstance(o, CHANGING) or (isinstance(o, Notice) and o.key in CHANGING_NOTICES) for o in outcomes)


def render(bundle: Bundle, outcome: Outcome) -> Rendered:
    match outcome:
        case Intro():
            return assessment_views.intro(bundle)
        case Ask():
            return assessment_views.question(bundle, outcome)
        case Closed():
            return assessment_views.closed_question(bundle, outcome)
        case Summary():
            return assessment_views.summary(bundle, outcome)
        case StageCards():
            return journey_views.stage_cards(bundle, outcome)
        case QuizAsk():
            return journey_views.quiz_question(bundle, outcome)
        case QuizSuggest():
            return journey_views.quiz_suggestion(bundle, outcome)
        case StageCoaching():
            return journey_views.stage_coaching(bundle, outcome)
        case CheckinAsk():
            return journey_views.checkin_question(bundle, outcome)
        case CheckinClosed():
            return journey_views.checkin_closed(bundle, outcome)
        case Nudge():
            return journey_views.nudge(bundle, outcome)
        case ForgetConfirm():
            return privacy_views.forget_confirm(bundle)
        case Report():
            return report_views.report_message(bundle, outcome)
        case ExportFile():
            return Rendered(text=bundle.messages.text("export_ready"))
        case Notice(key="nothing_in_progress"):
            return assessment_views.start_prompt(bundle, outcome.key)
        case Notice():
            return notice(bundle, outcome.key, outcome.params)
    raise TypeError(f"no view for {outcome!r}")


class SlackDelivery:
    def __init__(self, client: WebClient, store: Store, bundle: Bundle) -> None:
        self.client = client
        self.store = store
        self.bundle = bundle

    def open_dm(self, user_id: str) -> str:
        response = self.client.conversations_open(users=user_id)
        channel: str = response["channel"]["id"]
        return channel

    def deliver(self, channel: str, outcomes: Sequence[Outcome], clicked: tuple[str, str] | None = None) -> None:
        """Post each outcome; a Slack failure on one is logged and the rest still go out.

        State is already saved before this runs, so a lost message never loses progress: the member
        can type ``status`` or run ``/coach`` to see the open question again. ``clicked`` is the
        (channel, ts) of the message whose button led here, for outcomes that replace it.
        """
        for outcome in outcomes:
            rendered = render(self.bundle, outcome)
            try:
                if isinstance(outcome, Closed):
                    if outcome.prompt_channel and outcome.prompt_ts:
                        self.client.chat_update(
                            channel=outcome.prompt_channel,
                            ts=outcome.prompt_ts,
                            text=rendered.text,
                            blocks=rendered.block_dicts(),
                        )
                    continue
                if isinstance(outcome, ExportFile):
                    self.client.files_upload_v2(
                        channel=channel,
                        filename=outcome.filename,
                        content=outcome.content,
                        title=self.bundle.messages.text("export_title"),
                        initial_comment=rendered.text,
                    )
                    continue
                if isinstance(outcome, CheckinClosed):
                    if clicked is not None:
                        self.client.chat_update(
                            channel=clicked[0], ts=clicked[1], text=rendered.text, blocks=rendered.block_dicts()
                        )
                    continue
                response = self.client.chat_postMessage(
                    channel=channel, text=rendered.text, blocks=rendered.block_dicts()
                )
                if isinstance(outcome, Ask):
                    self.store.set_prompt(outcome.assessment_id, response["channel"], response["ts"])
                if isinstance(outcome, CheckinAsk) and outcome.send_key:
                    self.store.mark_sent(outcome.send_key, response["channel"], response["ts"], utc_now())
            except SLACK_FAILURES as error:  # after slack_sdk's own retries of 429s, 5xx and dropped connections
                log.warning("could not send %s to %s: %s", type(outcome).__name__, channel, describe(error))

    def publish_home(self, member: MemberKey) -> None:
        view = home_view(self.bundle, home_data(self.store, self.bundle, member))
        try:
            self.client.views_publish(user_id=member.user_id, view=view)
        except SLACK_FAILURES as error:
            log.warning("views.publish failed for %s: %s", member, describe(error))
