"""Slack tokens never reach a log line, whoever logs it (slack_sdk logs response bodies at DEBUG)."""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN = re.compile(r"xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
_installed = False


def redact(text: str) -> str:
    return TOKEN.sub("xox?-[redacted]", text)


def install_token_redaction() -> None:
    """Wrap the log record factory so every record's message has tokens masked before any handler."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        if TOKEN.search(message):
            record.msg, record.args = redact(message), ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
