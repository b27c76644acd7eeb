"""Pieces every view shares: escaping member text, the rendered message shape, Slack's limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel import dates
from slack_sdk.models.blocks import Block, MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from flows.content import Bundle
from flows.schedule import DEFAULT_TIME, parse_clock

# Dates, times and day names come from Babel (CLDR), in the regional form each language's coach uses.
BABEL_LOCALES = {"en": "en_GB", "fi": "fi_FI", "it": "it_IT"}
MAX_BLOCKS_PER_MESSAGE = 50
MAX_SECTION_TEXT = 3000
MAX_FALLBACK_TEXT = 3000  # Slack cuts messages at 40,000 characters; a fallback needs far fewer
MAX_ECHO = 100  # characters of a member's own words quoted back to them
ECHOED = frozenset({"command", "text"})  # notice params that carry what a member typed


def escape(text: str) -> str:
    """Neutralise Slack's control sequences so member text can never ping or fake a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def worth_quoting(text: str | None) -> bool:
    """A member's own words are shown back when they say more than a bare "yes", "2" or "nope"."""
    return text is not None and len(text.split()) > 1


def shortened(text: str) -> str:
    """A member's words as quoted back: at most ``MAX_ECHO`` characters, so a long reply can never
    crowd the scorecard out of its section."""
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


def inert(text: str) -> str:
    """A member's words, quoted back in Slack: short, and unable to close the code span or quote around
    them (a backtick becomes a look-alike), ping anyone or fake a link (escaped). Cut before escaping,
    so 40,000 ``&`` cannot become 200,000 characters."""
    return escape(shortened(text).replace("`", "\u02cb"))


@dataclass(frozen=True)
class Rendered:
    """A message ready for ``chat.postMessage``: fallback text plus blocks."""

    text: str
    blocks: Sequence[Block] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if len(self.blocks) > MAX_BLOCKS_PER_MESSAGE:
            raise ValueError(f"{len(self.blocks)} blocks exceed Slack's limit of {MAX_BLOCKS_PER_MESSAGE}")
        if len(self.text) > MAX_FALLBACK_TEXT:
            object.__setattr__(self, "text", self.text[: MAX_FALLBACK_TEXT - 1] + "…")

    def block_dicts(self) -> list[dict[str, Any]]:
        """Serialise, which also runs slack_sdk's own length and shape checks."""
        return [block.to_dict() for block in self.blocks]


def sections(lines: Sequence[str]) -> list[SectionBlock]:
    """Lines packed into as few sections as Slack's 3,000 characters a section allow, so no line is
    ever cut off the end (a long quote of a member's words, a long plan)."""
    packed: list[str] = []
    for line in lines:
        if packed and len(packed[-1]) + 1 + len(line) <= MAX_SECTION_TEXT:
            packed[-1] += "\n" + line
        else:
            packed.append(line)
    return [section(text) for text in packed]


def section(text: str, block_id: str | None = None) -> SectionBlock:
    if len(text) > MAX_SECTION_TEXT:
        text = text[: MAX_SECTION_TEXT - 1] + "…"
    return SectionBlock(text=MarkdownTextObject(text=text), block_id=block_id)


def babel_locale(bundle: Bundle) -> str:
    return BABEL_LOCALES.get(bundle.locale, bundle.locale)


def format_date(bundle: Bundle, moment: datetime) -> str:
    """A date as the member's language writes it in full: 25 November 2026, 25. marraskuuta 2026."""
    return dates.format_date(moment.date(), "long", locale=babel_locale(bundle))


def format_time(bundle: Bundle, clock: str) -> str:
    """``HH:MM`` as the member's language writes it: 09:00, 9.00."""
    at = parse_clock(clock) or DEFAULT_TIME
    return dates.format_time(at, "short", locale=babel_locale(bundle))


def weekday_name(bundle: Bundle, weekday: int) -> str:
    """Monday is 0; the stand-alone form ("maanantai"), as a schedule line or a menu uses it."""
    return str(dates.get_day_names("wide", context="stand-alone", locale=babel_locale(bundle))[weekday])


def notice_params(bundle: Bundle, params: Mapping[str, object], for_slack: bool = True) -> dict[str, object]:
    """Turn ids in a notice's params into the member's words, and (for Slack) escape anything textual."""
    resolved: dict[str, object] = dict(params)
    if "question_id" in resolved:
        resolved["title"] = bundle.assessment.question(str(resolved["question_id"])).title
    if "quiz_question" in resolved:
        resolved["explain"] = bundle.stages.quiz_question(str(resolved["quiz_question"])).explain
    if "verdict" in resolved:
        resolved["verdict"] = bundle.assessment.verdicts[str(resolved["verdict"])].title
    if "stage" in resolved:
        stage = bundle.stages.stage(int(str(resolved["stage"])))
        resolved.update(number=stage.number, name=stage.name)
    if isinstance(resolved.get("date"), datetime):
        resolved["date"] = format_date(bundle, resolved["date"])  # type: ignore[arg-type]
    if isinstance(resolved.get("time"), str):
        resolved["time"] = format_time(bundle, str(resolved["time"]))
    if "weekday" in resolved:
        resolved["weekday"] = weekday_name(bundle, int(str(resolved["weekday"])))
    if not for_slack:
        return resolved
    return {
        key: (inert(value) if key in ECHOED else escape(value)) if isinstance(value, str) else value
        for key, value in resolved.items()
    }


def notice_text(bundle: Bundle, key: str, params: Mapping[str, object] | None = None) -> str:
    return bundle.messages.text(key, **notice_params(bundle, params or {}))


def notice(bundle: Bundle, key: str, params: Mapping[str, object] | None = None) -> Rendered:
    text = notice_text(bundle, key, params)
    return Rendered(text=text, blocks=(section(text),))


MODAL_TITLE_LIMIT = 24  # Slack's limit for a modal's title


def modal(
    callback_id: str, title: str, submit: str, close: str, blocks: Sequence[Block], private_metadata: str = ""
) -> View:
    """A form: its title cut to Slack's limit, its two buttons named."""
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=private_metadata or None,
        title=PlainTextObject(text=title[:MODAL_TITLE_LIMIT]),
        submit=PlainTextObject(text=submit),
        close=PlainTextObject(text=close),
        blocks=list(blocks),
    )
