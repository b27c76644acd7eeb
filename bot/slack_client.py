"""The Slack Web API client, with slack_sdk's retry handlers for rate limits and flaky networks."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings


def retry_handlers() -> list[ConnectionErrorRetryHandler | RateLimitErrorRetryHandler | ServerErrorRetryHandler]:
    """429s wait as long as ``Retry-After`` says; connection and 5xx errors back off a little."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=5),
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(
        token=token or settings.secret(settings.slack_bot_token),
        base_url=base_url,
        timeout=settings.slack_timeout,
        retry_handlers=retry_handlers(),  # type: ignore[arg-type]
    )
