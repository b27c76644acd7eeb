"""``coach run``'s sender as a process of its own, beside the serving process (or processes).

Sending a reply costs more Python than acknowledging the click it answers (rendering the message,
the Web API's HTTP). In the serving process the sender threads took the one interpreter lock from the
request threads, and a click's acknowledgement waited behind replies being sent. A process of its own
sends on another core. The server rings it through a pipe right after each commit; when every write
end of the pipe is closed (the server stopped, or was killed) it finishes what it holds and exits.
If it dies, the server starts another after a second, and that one's recovery resumes the rows the
dead one had claimed (the outbox is in the database: nothing is lost in between).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

from bot.outbox import DOORBELL, Doorbell

log = logging.getLogger(__name__)
RESTART_SECONDS = 1.0
STOP_SECONDS = 10.0


class SendingProcess:
    """Started by the serving process; ``coach send --doorbell-fd N`` is the process it runs."""

    def __init__(self, doorbell: Doorbell = DOORBELL) -> None:
        self._read, self._write = os.pipe()
        self._doorbell = doorbell
        doorbell.ring_through(self._write)  # processes forked from now on ring through it too
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self, watch: bool = True) -> SendingProcess:
        """Start the sending process; with ``watch``, a thread starts another whenever it ends (the
        parent of ``--workers N`` reaps its children itself and hands this one to ``ended``)."""
        self._process = self._spawn()
        if watch:
            threading.Thread(target=self._watch, name="sending-process", daemon=True).start()
        return self

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot.cli", "send", "--doorbell-fd", str(self._read)]
        process = subprocess.Popen(command, pass_fds=(self._read,))
        log.info("sending replies from process %d", process.pid)
        return process

    def _watch(self) -> None:
        while self._process is not None:
            code = self._process.wait()
            if self._stopping.wait(RESTART_SECONDS):
                return
            self._restart(code)

    def ended(self, pid: int, status: int, restart: bool = True) -> bool:
        """Whether ``pid``, reaped by the caller, was the sending process; if so (and ``restart``),
        start another."""
        if self._process is None or pid != self._process.pid:
            return False
        self._process.returncode = os.waitstatus_to_exitcode(status)
        if restart and not self._stopping.wait(RESTART_SECONDS):
            self._restart(self._process.returncode)
        return True

    def _restart(self, code: int) -> None:
        log.warning("the sending process ended (exit code %s); starting another", code)
        self._process = self._spawn()

    def stop(self) -> None:
        """Close the pipe: the sending process finishes the rows it holds and exits."""
        self._stopping.set()
        self._doorbell.ring_through(None)
        os.close(self._write)
        if self._process is None:
            return
        try:
            self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            self._process.wait()
