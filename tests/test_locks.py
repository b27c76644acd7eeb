"""The writer lock of one process: exclusive, handed over in the order threads asked for it."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

import pytest

from bot.store.locks import FifoLock


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


def test_waiting_threads_get_the_lock_in_the_order_they_asked() -> None:
    lock = FifoLock()
    order: list[int] = []

    def take(number: int) -> None:
        with lock:
            order.append(number)

    lock.acquire()
    threads = []
    for number in range(6):
        thread = threading.Thread(target=take, args=(number,))
        thread.start()
        queued = number + 1
        wait_until(lambda: lock.waiting() == queued, f"thread {number} never queued")  # noqa: B023
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join(timeout=10)
    assert order == list(range(6))
    lock.acquire()  # free again once the queue is empty
    lock.release()


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

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert most == 1 and inside == 0


def test_a_waiter_interrupted_by_a_signal_leaves_the_queue_and_the_lock_usable() -> None:
    lock = FifoLock()

    class Interrupted(Exception):
        pass

    def interrupt(_signum: int, _frame: object) -> None:
        raise Interrupted

    holding, holder_may_release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            holder_may_release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        with pytest.raises(Interrupted):
            lock.acquire()  # the main thread waits; the alarm interrupts it
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert lock.waiting() == 0
    holder_may_release.set()
    holder.join(timeout=10)
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

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return taken.wait(10)
