"""How the scheduler is wired and run: ``coach tick`` once (queue, then send what it queued), or
``coach run``'s timer thread (queue only: the sending process sends)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from bot.schedule.ticker import Scheduler
from bot.sending.outbox import Outbox
from bot.sending.sender import make_sender
from bot.settings import Settings
from bot.store.factory import AnyStore
from flows.content import load_bundle
from flows.values import utc_now

log = logging.getLogger(__name__)


def make_scheduler(settings: Settings, store: AnyStore, send: bool = False, now: datetime | None = None) -> Scheduler:
    """The scheduler; with ``send`` it also sends what it queued (``coach tick``, which runs alone), as of
    ``now`` when given (``coach tick --now``: a check-in queued for that day is not too late to send)."""
    clock = (lambda: now) if now is not None else utc_now
    return Scheduler(
        store,
        load_bundle(),
        Outbox(store, clock),
        sender=make_sender(settings, store, clock) if send else None,
        retention=timedelta(days=settings.coach_retention_days),
    )


def start_ticking(settings: Settings, store: AnyStore) -> threading.Thread:
    """``coach run``'s own timer: a daemon thread that ticks every ``COACH_TICK_SECONDS``."""
    scheduler = make_scheduler(settings, store)

    def loop() -> None:
        while True:
            try:
                scheduler.tick(datetime.now(UTC))
            except Exception:  # a failed tick must not stop the next one
                log.exception("tick failed")
            time.sleep(settings.coach_tick_seconds)

    thread = threading.Thread(target=loop, name="ticker", daemon=True)
    thread.start()
    return thread
