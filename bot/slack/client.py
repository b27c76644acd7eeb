"""The Slack Web API client: slack_sdk's own ``WebClient`` with its retry handlers, told which calls
may be sent again when the answer did not come back.

A 429 is waited out and retried (Slack did nothing) by the clients of requests; the sender's clients
hand it back instead (``wait_out_rate_limits=False``), so that no thread sleeps through a workspace's
``Retry-After`` while other workspaces' replies wait for a thread. A dropped connection or a 5xx is retried
by the client only for calls that are safe to repeat (reads, and writes that set a state rather than
add something); a message, a canvas or a file may already exist when the answer is lost, so such a
call fails as *uncertain* instead and the outbox checks the DM's history before it sends anything
again. A connection Slack refused outright never carried the call, so that one is retried for any
method.

Connections are not kept alive: slack_sdk's synchronous client opens one per call through urllib and
offers no supported way to reuse them (only ``AsyncWebClient`` takes a session, an aiohttp one).

The command line gives slack_sdk's loggers a level of their own (``bot.cli.give_sdk_loggers_a_level``):
slack_sdk writes out every request and response for a debug line whenever its logger's *own* level is
unset.
"""

from __future__ import annotations

from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.settings import Settings

# Web API methods the coach calls that do the same thing however often they are sent.
SAFE_TO_REPEAT = frozenset(
    {
        "auth.test",
        "users.info",
        "conversations.open",
        "conversations.history",
        "chat.update",
        "views.publish",
        "canvases.edit",
        "canvases.access.set",
        "canvases.delete",
    }
)


def api_method(request: HttpRequest) -> str:
    return urlsplit(request.url).path.rsplit("/", 1)[-1]


def never_sent(error: Exception | None) -> bool:
    """The connection was refused: the request never reached Slack."""
    return isinstance(error, ConnectionRefusedError) or (
        isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)
    )


class RepeatsOnlyWhatIsSafe(RetryHandler):
    """Put before a slack_sdk retry handler: it retries what that one would, and only for a call
    that is safe to repeat or that never reached Slack."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return api_method(request) in SAFE_TO_REPEAT or never_sent(error)


class RepeatableConnectionErrorRetryHandler(RepeatsOnlyWhatIsSafe, ConnectionErrorRetryHandler):
    pass


class RepeatableServerErrorRetryHandler(RepeatsOnlyWhatIsSafe, ServerErrorRetryHandler):
    pass


def retry_handlers(wait_out_rate_limits: bool = True) -> list[RetryHandler]:
    """429s wait as long as ``Retry-After`` says (unless the caller handles them); connection and 5xx
    errors back off a little, for the calls that are safe to repeat."""
    rate_limits: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=5)] if wait_out_rate_limits else []
    return [
        *rate_limits,
        RepeatableConnectionErrorRetryHandler(max_retry_count=2),
        RepeatableServerErrorRetryHandler(max_retry_count=2),
    ]


def make_web_client(settings: Settings, token: str | None = None, wait_out_rate_limits: bool = True) -> WebClient:
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(
        token=token or settings.secret(settings.slack_bot_token),
        base_url=base_url,
        timeout=settings.slack_timeout,
        retry_handlers=retry_handlers(wait_out_rate_limits),
    )
