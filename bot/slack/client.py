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

slack_sdk's synchronous client opens a connection per call through urllib and offers no supported way
to reuse one; only ``AsyncWebClient`` takes a session (an aiohttp one), which keeps connections alive.
The sender, which makes most of the coach's calls, uses ``KeptAliveWebClient``: a ``WebClient`` whose
Web API calls go through an ``AsyncWebClient`` on one event loop per process, so a call costs about a
third of the CPU (``benchmarks/README.md``). The request side keeps the plain client: Bolt's lazy
listeners make few calls.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

import aiohttp
from slack_sdk import WebClient
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.slack_response import SlackResponse

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


def never_sent(error: BaseException | None) -> bool:
    """The connection was refused: the request never reached Slack."""
    return (
        isinstance(error, ConnectionRefusedError)
        or (isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError))
        or (isinstance(error, aiohttp.ClientConnectorError) and isinstance(error.os_error, ConnectionRefusedError))
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


class AsyncRepeatsOnlyWhatIsSafe(AsyncRetryHandler):
    """``RepeatsOnlyWhatIsSafe`` for the asynchronous client's handlers."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not await super()._can_retry_async(state=state, request=request, response=response, error=error):
            return False
        return api_method(request) in SAFE_TO_REPEAT or never_sent(error)


class AsyncRepeatableConnectionErrorRetryHandler(AsyncRepeatsOnlyWhatIsSafe, AsyncConnectionErrorRetryHandler):
    pass


class AsyncRepeatableServerErrorRetryHandler(AsyncRepeatsOnlyWhatIsSafe, AsyncServerErrorRetryHandler):
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


def async_retry_handlers(wait_out_rate_limits: bool = True) -> list[AsyncRetryHandler]:
    """``retry_handlers``, for the asynchronous client."""
    rate_limits: list[AsyncRetryHandler] = (
        [AsyncRateLimitErrorRetryHandler(max_retry_count=5)] if wait_out_rate_limits else []
    )
    # as the synchronous handler's (a connection reset or dropped), not aiohttp's read timeouts
    connection_errors: list[type[Exception]] = [aiohttp.ServerDisconnectedError, aiohttp.ClientOSError]
    return [
        *rate_limits,
        AsyncRepeatableConnectionErrorRetryHandler(max_retry_count=2, error_types=connection_errors),
        AsyncRepeatableServerErrorRetryHandler(max_retry_count=2),
    ]


class IoLoop:
    """One event loop per process, on a daemon thread, for every kept-alive client's calls. A forked
    child starts its own when it first needs one (the parent's thread does not exist there)."""

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def get(cls) -> asyncio.AbstractEventLoop:
        with cls._lock:
            if cls._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="slack-io", daemon=True).start()
                cls._loop = loop
            return cls._loop

    @classmethod
    def forget_inherited(cls) -> None:
        cls._lock = threading.Lock()
        cls._loop = None


os.register_at_fork(after_in_child=IoLoop.forget_inherited)


class KeptAliveWebClient(WebClient):
    """slack_sdk's ``WebClient`` whose Web API calls (``api_call``, which every method of it calls) are
    made by slack_sdk's ``AsyncWebClient`` on kept-alive connections, with the same retry handlers. The
    calling thread waits for the answer and gets the synchronous client's ``SlackResponse``; what
    aiohttp raises when Slack never answered is raised as the ``OSError`` urllib would have raised, so
    a connection refused is still a call never sent and a dropped one still a call that may have
    landed (``bot.slack.errors``). A file upload's own POST (``files_upload_v2``) stays on urllib."""

    def __init__(
        self, *, token: str | None, base_url: str, timeout: int, wait_out_rate_limits: bool = True
    ) -> None:
        super().__init__(
            token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers(wait_out_rate_limits)
        )
        self._loop = IoLoop.get()

        async def open_session() -> AsyncWebClient:
            return AsyncWebClient(
                token=token,
                base_url=base_url,
                timeout=timeout,
                # slack_sdk applies ``timeout`` only to sessions it makes itself
                session=aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)),
                retry_handlers=async_retry_handlers(wait_out_rate_limits),
            )

        self._async = asyncio.run_coroutine_threadsafe(open_session(), self._loop).result()
        # a client nobody closed (a one-off sender, say) closes its connections when it is collected
        self._finalizer = weakref.finalize(self, close_soon, self._async.session, self._loop)

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        if files is not None:
            return super().api_call(
                api_method, http_verb=http_verb, files=files, data=data, params=params, json=json, headers=headers
            )
        call = self._async.api_call(
            api_method, http_verb=http_verb, data=data, params=params, json=json, headers=headers, auth=auth
        )
        try:
            answer = asyncio.run_coroutine_threadsafe(call, self._loop).result()
        except aiohttp.ClientError as error:
            raise as_os_error(error) from error
        return SlackResponse(
            client=self,
            http_verb=answer.http_verb,
            api_url=answer.api_url,
            req_args=answer.req_args,
            data=answer.data,
            headers=answer.headers,
            status_code=answer.status_code,
        )

    def close(self) -> None:
        """Close the kept-alive connections."""
        self._finalizer.detach()
        session = self._async.session
        if session is not None and not session.closed:
            asyncio.run_coroutine_threadsafe(session.close(), self._loop).result()


def close_soon(session: aiohttp.ClientSession | None, loop: asyncio.AbstractEventLoop) -> None:
    """Have ``loop`` close ``session``, without waiting (this may run on the loop's own thread)."""
    if session is not None and not session.closed and not loop.is_closed():
        asyncio.run_coroutine_threadsafe(session.close(), loop)


def as_os_error(error: aiohttp.ClientError) -> OSError:
    """What urllib raises for the same fault: refused (never sent), or a connection that dropped."""
    if isinstance(error, aiohttp.ClientConnectorError) and isinstance(error.os_error, ConnectionRefusedError):
        return ConnectionRefusedError(str(error))
    if isinstance(error, OSError):
        return error
    return ConnectionResetError(f"{type(error).__name__}: {error}")


def make_kept_alive_client(
    settings: Settings, token: str | None = None, wait_out_rate_limits: bool = True
) -> KeptAliveWebClient:
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return KeptAliveWebClient(
        token=token or settings.secret(settings.slack_bot_token),
        base_url=base_url,
        timeout=settings.slack_timeout,
        wait_out_rate_limits=wait_out_rate_limits,
    )
