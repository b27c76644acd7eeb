"""The verdicts over time: each completed assessment's date and verdict, oldest first, on the
scorecard, App Home, the plan canvas and in ``coach chat``. Pure builders."""

from __future__ import annotations

from collections.abc import Sequence

from bot.views.common import format_date
from flows.content import Bundle
from flows.lookback import VerdictPoint


def history_lines(bundle: Bundle, history: Sequence[VerdictPoint], bullet: str = "•") -> list[str]:
    """A title, then one line per verdict ("• 25 Aug 2026: Not yet"); none for a history under two."""
    if len(history) < 2:
        return []
    messages, verdicts = bundle.messages, bundle.assessment.verdicts
    lines = [f"*{messages.text('verdicts_over_time')}*"]
    for point in history:
        date = format_date(bundle, point.completed_at)
        text = messages.text("verdict_point", date=date, verdict=verdicts[point.verdict].title)
        lines.append(f"{bullet} {text}")
    return lines
