"""How an outbox row stores its reply: plain, versioned JSON, so an upgrade that changes an outcome
class still sends the replies queued at that moment.

Each outcome is an object tagged with its class name (``{"type": "Ask", ...}``), its fields as
pydantic dumps them; reading it back validates the fields against the class as it is now, so a field
added with a default still reads an older row. A ``params`` value that is a moment is kept as
``{"datetime": "<ISO 8601>"}`` (anything else there is a JSON scalar). Rows from before this format
(pickled) are read once more if they still unpickle; a row that cannot be read is logged and dropped.
"""

from __future__ import annotations

import io
import json
import logging
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from flows.outcomes import Notice, Outcome
from flows.plan_outcomes import PlanNotice

log = logging.getLogger(__name__)
VERSION = 2
PICKLED = b"coach-outbox-1\n"  # version 1: the pickled rows of earlier releases
MOMENT = "datetime"
SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Reply:
    """What one request (or one scheduled send) has to say: ``outcomes`` to the member's DM (or
    ``channel``), ``private`` answered where they asked (through ``response_url``), ``clicked`` the
    message whose button led here. A scheduled message carries its claimed ``send_key`` and ``kind``
    (marked sent once it landed, failed when dropped) and may ``expire`` unsent (a check-in a day late)."""

    outcomes: tuple[Outcome, ...] = ()
    channel: str | None = None
    clicked: tuple[str, str] | None = None
    private: tuple[Outcome, ...] = ()
    response_url: str | None = None
    send_key: str | None = None
    kind: str | None = None
    expires: float | None = None  # wall-clock seconds, like the outbox's own retry times


OUTCOME_TYPES: dict[str, type[Any]] = {kind.__name__: kind for kind in get_args(Outcome)}


class UnreadableRow(ValueError):
    pass


_ADAPTERS: dict[str, TypeAdapter[Any]] = {name: TypeAdapter(kind) for name, kind in OUTCOME_TYPES.items()}


def encode(reply: Reply) -> bytes:
    plain = {
        "version": VERSION,
        "outcomes": [_outcome_to_plain(outcome) for outcome in reply.outcomes],
        "channel": reply.channel,
        "clicked": list(reply.clicked) if reply.clicked else None,
        "private": [_outcome_to_plain(outcome) for outcome in reply.private],
        "response_url": reply.response_url,
        "send_key": reply.send_key,
        "kind": reply.kind,
        "expires": reply.expires,
    }
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes, row_id: int) -> Reply | None:
    """The row's reply, or None (logged) when it cannot be read."""
    try:
        if payload.startswith(PICKLED):
            return _unpickle(payload[len(PICKLED) :])
        return _from_plain(json.loads(payload.decode("utf-8")))
    except (UnreadableRow, ValueError, ValidationError) as error:
        log.warning("dropped outbox row %d: unreadable (%s)", row_id, str(error).splitlines()[0][:200])
    except Exception as error:  # an old pickle naming a class renamed or removed since
        log.warning("dropped outbox row %d: unreadable (%s)", row_id, type(error).__name__)
    return None


def _outcome_to_plain(outcome: Outcome) -> dict[str, Any]:
    name = type(outcome).__name__
    if isinstance(outcome, Notice | PlanNotice):  # values of any type: kept apart, moments tagged
        fields = _ADAPTERS[name].dump_python(outcome, mode="json", exclude={"params"})
        fields["params"] = {key: _param_to_plain(value) for key, value in outcome.params.items()}
    else:
        fields = _ADAPTERS[name].dump_python(outcome, mode="json")
    return {"type": name, **fields}


def _param_to_plain(value: object) -> object:
    if isinstance(value, datetime):
        return {MOMENT: value.isoformat()}
    if isinstance(value, SCALARS):
        return value
    raise TypeError(f"an outcome parameter must be a JSON scalar or a datetime, not {type(value).__name__}")


def _outcome_from_plain(plain: Any) -> Outcome:
    if not isinstance(plain, dict) or plain.get("type") not in OUTCOME_TYPES:
        raise UnreadableRow(f"unknown outcome {str(plain)[:60]!r}")
    fields = {name: value for name, value in plain.items() if name != "type"}
    if isinstance(fields.get("params"), Mapping):
        fields["params"] = {name: _param_from_plain(value) for name, value in fields["params"].items()}
    outcome: Outcome = _ADAPTERS[plain["type"]].validate_python(fields)
    return outcome


def _param_from_plain(value: object) -> object:
    if isinstance(value, dict) and set(value) == {MOMENT}:
        return datetime.fromisoformat(str(value[MOMENT]))
    return value


def _from_plain(plain: Any) -> Reply:
    if not isinstance(plain, dict) or plain.get("version") != VERSION:
        raise UnreadableRow(f"unknown format {str(plain)[:40]!r}")
    clicked = plain.get("clicked")
    return Reply(
        outcomes=tuple(_outcome_from_plain(outcome) for outcome in plain.get("outcomes") or ()),
        channel=plain.get("channel"),
        clicked=(str(clicked[0]), str(clicked[1])) if clicked else None,
        private=tuple(_outcome_from_plain(outcome) for outcome in plain.get("private") or ()),
        response_url=plain.get("response_url"),
        send_key=plain.get("send_key"),
        kind=plain.get("kind"),
        expires=plain.get("expires"),
    )


class _EarlierRelease(pickle.Unpickler):
    """Unpickles only what earlier releases put in a row: their ``Reply`` (wherever it lived then)
    and the outcome values of ``flows``; any other class named in a row is refused."""

    def find_class(self, module: str, name: str) -> Any:
        if name == "Reply" and module in OLD_REPLY_MODULES:
            return Reply
        if module.split(".")[0] in ("flows", "collections", "datetime", "zoneinfo", "builtins", "copyreg"):
            return super().find_class(module, name)
        raise UnreadableRow(f"a row names {module}.{name}")


OLD_REPLY_MODULES = ("bot.outbox", "bot.sending.outbox", __name__)


def _unpickle(pickled: bytes) -> Reply:
    """A row an earlier release queued just before the upgrade (our own rows, written seconds ago)."""
    old = _EarlierRelease(io.BytesIO(pickled)).load()
    if not isinstance(old, Reply):
        raise UnreadableRow("not a reply")
    # A pickle restores the fields it had: those added since take their defaults.
    return Reply(**{name: getattr(old, name, default) for name, default in REPLY_DEFAULTS.items()})


REPLY_DEFAULTS: dict[str, Any] = {field.name: field.default for field in fields(Reply)}
