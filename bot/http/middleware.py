"""The coach's global Bolt middleware, called with the request itself.

Bolt calls a middleware *function* through its keyword injection, which inspects the function and
builds its arguments on every request; the coach's five middlewares paid that on every click. A
``Middleware`` object is called with the request as it is, so each of them is a function of
``(request, next)`` wrapped in one.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.util.utils import get_name_for_callable

Next = Callable[[], object]  # Bolt's ``next``: what it returns is not used
RequestStep = Callable[[BoltRequest, Next], BoltResponse | None]


class RequestMiddleware(Middleware):
    """``step(request, next)``: calls ``next()`` to go on, or returns the response that ends the request."""

    def __init__(self, step: RequestStep) -> None:
        self.step = step

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        return self.step(req, next)

    @property
    def name(self) -> str:
        return get_name_for_callable(self.step)
