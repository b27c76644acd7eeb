"""``coach run``'s sender as a process of its own, beside the serving process (or processes).

Sending a reply costs more Python than acknowledging the click it answers (rendering the message,
the Web API's HTTP). In the serving process the sender threads took the one interpreter lock from the
request threads, and a click's acknowledgement waited behind replies being sent. A process of its own
sends on another core. The server rings it through a pipe right after each commit; when every write
end of the pipe is closed (the server stopped, or was killed) it finishes what it holds and exits.
If it dies, the server starts another: at once, then after a growing pause if they keep dying young
or cannot be started at all (out of processes, say), so a sender that cannot start does not spin and
one that could not be started is tried again. The new one's recovery resumes the rows the dead one
had claimed: the outbox is in the database, so nothing is lost in between.

It runs at a lower priority than the server (``SENDER_NICENESS``): when both want the CPU, the
kernel gives the server, whose acknowledgements Slack waits for, about three times the sender's
share; a reply is already safe in the outbox.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from typing import Self

from bot.sending.outbox import DOORBELL, Doorbell

log = logging.getLogger(__name__)
STOP_SECONDS = 10.0
STEADY_SECONDS = 5.0  # longer than a start takes: one that ran this long was sending, not failing to start
MAX_PAUSE_SECONDS = 30.0
SENDER_NICENESS = 5  # added to the server's: the kernel then gives the server about 3 times its share


def yield_to_requests() -> None:
    """Lower this process's priority, before it starts any thread (threads inherit it on Linux)."""
    os.nice(SENDER_NICENESS)


def restart_pause(quick_deaths: int) -> float:
    """Seconds before starting another sending process after ``quick_deaths`` in a row that ended (or
    could not be started) within ``STEADY_SECONDS``: the first is replaced at once, then 1, 2, 4 … s."""
    return 0.0 if quick_deaths <= 1 else min(MAX_PAUSE_SECONDS, float(2 ** (quick_deaths - 2)))


class SendingProcess:
    """Started and watched by the server; ``coach send --doorbell-fd N`` is the process it runs."""

    def __init__(self, doorbell: Doorbell = DOORBELL, ring_by_pipe: bool = True) -> None:
        """``ring_by_pipe`` False (PostgreSQL: the database wakes every host's sender with ``NOTIFY``):
        the pipe only tells the sending process, by its end of file, that the server is gone."""
        self._read, self._write = os.pipe()
        self._doorbell = doorbell
        if ring_by_pipe:
            doorbell.ring_through(self._write)  # processes forked from now on ring through it too
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # a restart and a stop never cross

    def start(self) -> Self:
        """Start the sending process, and a thread that starts another whenever it ends."""
        with self._lock:
            self._process = self._spawn()
        threading.Thread(target=self._watch, name="sending-process", daemon=True).start()
        return self

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot.cli", "send", "--doorbell-fd", str(self._read)]
        process = subprocess.Popen(command, pass_fds=(self._read,))
        log.info("sending replies from process %d", process.pid)
        return process

    def _watch(self) -> None:
        quick_deaths = 0
        while True:
            process = self._process
            started = time.monotonic()
            code = process.wait() if process is not None else None
            quick_deaths = 0 if time.monotonic() - started >= STEADY_SECONDS else quick_deaths + 1
            pause = restart_pause(quick_deaths)
            if self._stopping.is_set():
                return
            if process is not None:
                log.warning("the sending process ended (exit code %s); starting another in %.0f s", code, pause)
            if self._stopping.wait(pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                try:
                    self._process = self._spawn()
                except OSError as error:  # out of processes or file descriptors: try again, more slowly
                    log.error("could not start a sending process (%s); trying again", error)
                    self._process = None

    def stop_restarting(self) -> None:
        """The server is stopping: a sending process that ends now is not replaced."""
        self._stopping.set()

    def stop(self) -> None:
        """Close the pipe: the sending process finishes the rows it holds and exits."""
        with self._lock:
            self._stopping.set()
            process = self._process
        self._doorbell.ring_through(None)  # no ring touches the pipe once this returns
        os.close(self._write)
        os.close(self._read)
        if process is None:
            return
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait()
