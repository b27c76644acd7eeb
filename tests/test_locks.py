"""The writer lock of one process: exclusive, handed over in the order threads asked for it."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from bot.store.locks import FifoLock
from tests.processes import wait_for


class Interrupted(Exception):
    pass


def test_waiting_threads_get_the_lock_in_the_order_they_asked() -> None:
    lock = FifoLock()
    order: list[int] = []

    def take(number: int) -> None:
        with lock:
            order.append(number)

    lock.acquire()
    threads = []
    for number in range(6):
        thread = threading.Thread(target=take, args=(number,), daemon=True)
        thread.start()
        queued = number + 1
        wait_for(lambda: lock.waiting() == queued, f"thread {number} never queued")  # noqa: B023
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert order == list(range(6))
    assert lock_is_free(lock)


def test_one_holder_at_a_time() -> None:
    lock = FifoLock()
    inside = 0
    most = 0

    def work() -> None:
        nonlocal inside, most
        for _ in range(300):
            with lock:
                inside += 1
                most = max(most, inside)
                time.sleep(0)  # let another thread run while this one holds the lock
                inside -= 1

    threads = [threading.Thread(target=work, daemon=True) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a thread never got the lock"
    assert most == 1 and inside == 0


@contextmanager
def held_elsewhere(lock: FifoLock) -> Iterator[Callable[[], None]]:
    """``lock`` held by another thread until the function yielded is called (which waits for it to let go)."""
    holding, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            let_go.wait(10)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert holding.wait(10)

    def release() -> None:
        let_go.set()
        holder.join(timeout=10)

    try:
        yield release
    finally:
        release()


@contextmanager
def interrupted_while_waiting(lock: FifoLock, before_raising: Callable[[], None]) -> Iterator[None]:
    """SIGALRM is sent to the main thread once it waits in the lock's queue; its handler calls
    ``before_raising`` and raises ``Interrupted``."""
    main = threading.get_ident()

    def handler(_signum: int, _frame: object) -> None:
        before_raising()
        raise Interrupted

    def alarm_when_queued() -> None:
        wait_for(lambda: lock.waiting() == 1, "the main thread never queued")
        signal.pthread_kill(main, signal.SIGALRM)

    previous = signal.signal(signal.SIGALRM, handler)
    alarm = threading.Thread(target=alarm_when_queued, daemon=True)
    alarm.start()
    try:
        yield
    finally:
        alarm.join(timeout=10)
        signal.signal(signal.SIGALRM, previous)


def test_a_waiter_interrupted_by_a_signal_leaves_the_queue() -> None:
    lock = FifoLock()
    with held_elsewhere(lock) as release:
        with interrupted_while_waiting(lock, before_raising=lambda: None), pytest.raises(Interrupted):
            lock.acquire()
        assert lock.waiting() == 0
        release()
    assert lock_is_free(lock)


def test_a_turn_handed_to_a_waiter_as_it_is_interrupted_goes_to_the_next() -> None:
    lock = FifoLock()
    with held_elsewhere(lock) as release:
        with interrupted_while_waiting(lock, before_raising=release), pytest.raises(Interrupted):
            lock.acquire()  # the holder hands over inside the signal handler, before the wait ends
    assert lock.waiting() == 0
    assert lock_is_free(lock)


def test_releasing_a_lock_nobody_holds_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        FifoLock().release()


def lock_is_free(lock: FifoLock) -> bool:
    """Taken by another thread (which gives it straight back); only asked of a lock nobody should hold."""
    taken = threading.Event()

    def take() -> None:
        with lock:
            taken.set()

    threading.Thread(target=take, daemon=True).start()
    return taken.wait(10)
