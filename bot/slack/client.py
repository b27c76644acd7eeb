"""The Slack Web API client, with slack_sdk's retry handlers for rate limits and flaky networks, over
kept-alive connections."""

from __future__ import annotations

import http.client
import io
import threading
import weakref
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

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


# A kept-alive connection the server closed while idle fails like this on its next use; the request
# never reached the server, so it is sent once more on a new connection.
STALE_CONNECTION = (
    http.client.RemoteDisconnected,
    http.client.CannotSendRequest,
    BrokenPipeError,
    ConnectionResetError,
)
Pool = dict[tuple[str, str, int | None], http.client.HTTPConnection]


class KeepAliveWebClient(WebClient):
    """slack_sdk's ``WebClient`` with one kept-alive HTTP connection per thread and host, instead of
    urllib's new TCP connection per call. Only the transport changes: it answers and fails the way
    ``urlopen`` does (an ``HTTPError`` for 4xx/5xx, a ``URLError`` when the request cannot be sent),
    so slack_sdk's retry handlers work unchanged.

    The sync client takes no session of its own (only ``AsyncWebClient`` takes an aiohttp session,
    which would mean an event loop beside Bolt's threads), hence this one overridden method."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections = threading.local()
        # Every connection of every thread, so they can be closed even after their threads ended.
        self._opened: list[http.client.HTTPConnection] = []
        self._opened_lock = threading.Lock()
        weakref.finalize(self, close_all, self._opened, self._opened_lock)

    def close(self) -> None:
        close_all(self._opened, self._opened_lock)

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(req.header_items())
        for reused in (True, False):
            connection, was_open = self._connection(parts.scheme, parts.hostname or "", parts.port)
            try:
                try:
                    connection.request(req.get_method(), path, body=req.data, headers=headers)
                except STALE_CONNECTION:
                    raise
                except OSError as error:
                    raise URLError(error) from error
                response = connection.getresponse()
                body = response.read()
            except STALE_CONNECTION as error:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                if reused and was_open:
                    continue
                raise URLError(error) from error
            except BaseException:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                raise
            if response.status >= 400:
                raise HTTPError(url, response.status, response.reason, response.headers, io.BytesIO(body))
            charset = response.headers.get_content_charset() or "utf-8"
            return {"status": response.status, "headers": response.headers, "body": body.decode(charset)}
        raise AssertionError("unreachable")

    def _connection(self, scheme: str, host: str, port: int | None) -> tuple[http.client.HTTPConnection, bool]:
        pool = self._pool()
        connection = pool.get((scheme, host, port))
        if connection is not None:
            return connection, connection.sock is not None
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=self.ssl)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        pool[(scheme, host, port)] = connection
        with self._opened_lock:
            self._opened.append(connection)
        return connection, False

    def _pool(self) -> Pool:
        pool: Pool | None = getattr(self._connections, "pool", None)
        if pool is None:
            pool = self._connections.pool = {}
        return pool

    def _drop(self, scheme: str, host: str, port: int | None) -> None:
        connection = self._pool().pop((scheme, host, port), None)
        if connection is not None:
            connection.close()
            with self._opened_lock:
                self._opened.remove(connection)


def close_all(connections: list[http.client.HTTPConnection], lock: threading.Lock) -> None:
    with lock:
        for connection in connections:
            connection.close()
        connections.clear()


def make_web_client(settings: Settings, token: str | None = None) -> WebClient:
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return KeepAliveWebClient(
        token=token or settings.secret(settings.slack_bot_token),
        base_url=base_url,
        timeout=settings.slack_timeout,
        retry_handlers=retry_handlers(),
    )
