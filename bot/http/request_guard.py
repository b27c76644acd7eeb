"""What every request to ``/slack/events`` must pass before Bolt parses a byte of it.

Bolt parses a body before it checks the signature, and waitress would accept a gigabyte: one unsigned
100 MB body took ~1 GB of memory and delayed other members' acks. Here the body is capped (Slack's
payloads are a few kB; 1 MiB is plenty), its signature is checked on the raw bytes, and a signature
already seen within Slack's 5-minute window is refused, so a captured request cannot be replayed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_sdk.signature import SignatureVerifier

from flows.values import whole_number

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024


def refuse(start_response: StartResponse, status: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [status.split(" ", 1)[1].lower().encode() + b"\n"]


def body_length(environ: WSGIEnvironment) -> int | None:
    return whole_number(str(environ.get("CONTENT_LENGTH") or "0"))


def signed_by_slack(verifier: SignatureVerifier, body: bytes, timestamp: str, signature: str) -> bool:
    """Slack's signature check; a body that is not even UTF-8 cannot be Slack's (the verifier raises)."""
    try:
        return bool(verifier.is_valid(body, timestamp, signature))
    except (UnicodeDecodeError, ValueError):
        return False


def guard_events(inner: WSGIApplication, signing_secret: str, path: str) -> WSGIApplication:
    verifier = SignatureVerifier(signing_secret)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path or environ.get("REQUEST_METHOD") != "POST":
            return inner(environ, start_response)
        length = body_length(environ)
        if length is None:
            return refuse(start_response, "400 Bad Request")
        if length > MAX_BODY_BYTES:
            log.warning("refused a %d-byte body (the limit is %d)", length, MAX_BODY_BYTES)
            return refuse(start_response, "413 Payload Too Large")
        body = environ["wsgi.input"].read(length)
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if whole_number(timestamp) is None or not signed_by_slack(verifier, body, timestamp, signature):
            log.info("refused a request whose signature does not match")
            return refuse(start_response, "401 Unauthorized")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return inner(environ, start_response)

    return application
