"""The team report message, for an admin's eyes or a channel's weekly digest."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject

from bot.views.common import Rendered, section
from flows.content import STAGE_NUMBERS, VERDICT_KEYS, Bundle
from flows.outcomes import Report

ACTION_TOTALS = ("open", "overdue", "done", "dropped")


def report_message(bundle: Bundle, outcome: Report) -> Rendered:
    messages = bundle.messages
    report = outcome.report
    title = messages.text("report_digest_title" if outcome.digest else "report_title")
    blocks: list[Block] = [
        HeaderBlock(text=title),
        section(messages.text("report_assessed", assessed=report.assessed, members=report.members)),
    ]
    if report.show_readiness:
        blocks.append(section(messages.text("report_verdicts", **{k: report.verdicts.get(k, 0) for k in VERDICT_KEYS})))
        if report.common_gap is not None:
            gap = bundle.assessment.question(report.common_gap).title
            blocks.append(section(messages.text("report_common_gap", title=gap)))
    if report.show_readiness and any(report.actions.values()):
        blocks.append(section(messages.text("report_actions", **{k: report.actions.get(k, 0) for k in ACTION_TOTALS})))
    if report.show_journey:
        counts = " · ".join(
            messages.text("report_stage_count", number=n, count=report.stages.get(n, 0)) for n in STAGE_NUMBERS
        )
        blocks.append(section(messages.text("report_stages", counts=counts)))
        blocks.append(section(messages.text("report_moved", forward=report.moved_forward, back=report.slipped_back)))
    notes = [] if report.show_readiness else [messages.text("report_too_few")]
    if not report.show_journey:
        notes.append(messages.text("report_journey_too_few"))
    if notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(notes))]))
    if report.shared and not outcome.digest:  # a channel digest carries totals only, never names
        lines = [messages.text("report_shared_title")]
        for member in report.shared:
            verdict = (
                bundle.assessment.verdicts[member.verdict].title
                if member.verdict
                else messages.text("report_no_verdict")
            )
            stage = (
                messages.text("report_stage_short", number=member.stage)
                if member.stage
                else messages.text("report_no_stage")
            )
            lines.append(messages.text("report_shared_item", user=member.user_id, verdict=verdict, stage=stage))
        blocks.append(section("\n".join(lines)))
    return Rendered(text=title, blocks=blocks)
