"""``coach chat``: actions as plain lines. ``actions`` lists the member's open ones, numbered; ``done 1``,
``not yet 2``, ``drop 1`` answer about one (read as in a Slack DM); ``action 2`` makes next step 2 of
the result an action of the member's, due in a week (or on the date typed after it)."""

from __future__ import annotations

from bot.views.actions import action_lines, due_text, in_sentence
from flows.actions import ActionAnswered, ActionListSync, ActionsAsk, ActionSaved
from flows.content import Bundle
from flows.outcomes import Outcome
from flows.plan_outcomes import PlanDocument

ACTION_OUTCOMES = (ActionsAsk, ActionAnswered, ActionSaved, ActionListSync, PlanDocument)


def action_text(bundle: Bundle, outcome: Outcome) -> str:
    """An action's outcome in the terminal; Slack's List and canvas have no place here (empty)."""
    messages = bundle.messages
    match outcome:
        case ActionsAsk():
            title = messages.text("actions_open_title" if outcome.listed else "actions_due_title")
            lines = [f"  {line}" for line in action_lines(bundle, outcome, str)]
            hint = "chat_actions_hint" if len(outcome.actions) > 1 else "chat_actions_hint_one"  # one: unnumbered
            return "\n".join([f"\n{title}", *lines, messages.text(hint)])
        case ActionAnswered():
            return messages.text(f"action_answered_{outcome.answer}", title=in_sentence(outcome.title))
        case ActionSaved():
            due = due_text(bundle, outcome.due)
            key = f"chat_action_saved{'_' if outcome.unasked else ''}{outcome.unasked}"
            return messages.text(key, title=in_sentence(outcome.title), date=due)
    return ""
