"""``coach run`` sends its replies from a process of its own, rung through a pipe after each commit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.sending.outbox import MAX_PENDING_RINGS, Doorbell
from bot.sending.process import MAX_PAUSE_SECONDS, SENDER_NICENESS, SendingProcess, restart_pause
from tests.fake_slack import FakeSlack
from tests.processes import children_of, command_line, running, sending_children, wait_for
from tests.test_e2e_restart import coach_process

USER = "U0SENDER"


# The doorbell across processes


def test_a_ring_through_the_pipe_wakes_the_other_side_and_end_of_file_ends_the_relay() -> None:
    read, write = os.pipe()
    serving, sending = Doorbell(), Doorbell()
    serving.ring_through(write)
    relay = threading.Thread(target=sending.relay_from, args=(read,))
    relay.start()
    serving.ring()
    assert sending.wait(10)  # the ring crossed the pipe
    serving.ring(2)
    assert sending.wait(10)  # and so do later ones
    os.close(write)  # every process that could ring is gone
    relay.join(timeout=10)
    assert not relay.is_alive()
    os.close(read)


def test_one_wait_takes_every_ring_pending_and_a_later_ring_is_kept() -> None:
    """One claim of what is due answers every ring before it: rings do not each cost a claim."""
    bell = Doorbell()
    bell.ring(3)
    assert bell.wait(0) and not bell.wait(0)
    bell.ring()
    assert bell.wait(0)


def test_rings_nobody_answers_fill_the_pipe_without_blocking_or_failing_the_server() -> None:
    read, write = os.pipe()
    serving = Doorbell()
    serving.ring_through(write)
    pipe_size = 1 << 20  # more rings than any pipe holds
    for _ in range(pipe_size // MAX_PENDING_RINGS):
        serving.ring(MAX_PENDING_RINGS)  # a blocking write would hang here
    assert len(os.read(read, pipe_size)) >= MAX_PENDING_RINGS
    os.close(write)
    os.close(read)


def test_a_ring_that_cannot_be_written_is_logged_and_the_request_stands(caplog: pytest.LogCaptureFixture) -> None:
    read, write = os.pipe()
    serving = Doorbell()
    serving.ring_through(write)
    os.close(read)  # nobody reads: the write fails (EPIPE), after the request has committed
    serving.ring()
    assert "could not ring the sending process" in caplog.text
    os.close(write)


def test_a_sending_process_that_keeps_dying_at_once_is_restarted_ever_more_slowly() -> None:
    pauses = [restart_pause(deaths) for deaths in range(10)]
    assert pauses[:6] == [0, 0, 1, 2, 4, 8]  # it had run a while, or died young once: another at once
    assert pauses[-1] == MAX_PAUSE_SECONDS


class StandInSendingProcess(SendingProcess):
    """Runs a stand-in that, like ``coach send --doorbell-fd``, ends at the pipe's end of file; the
    first one ends at once and the next cannot be started at all (out of file descriptors, say)."""

    def __init__(self) -> None:
        super().__init__(doorbell=Doorbell())
        self.started: list[subprocess.Popen[bytes]] = []
        self.refused = 0

    def _spawn(self) -> subprocess.Popen[bytes]:
        if len(self.started) == 1 and not self.refused:
            self.refused += 1
            raise OSError(24, "Too many open files")
        until_end_of_file = "import os, sys\nwhile os.read(int(sys.argv[1]), 4096): pass"
        code = "pass" if not self.started else until_end_of_file
        process = subprocess.Popen([sys.executable, "-c", code, str(self._read)], pass_fds=(self._read,))
        self.started.append(process)
        return process


def test_a_sending_process_that_could_not_be_started_is_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    sending = StandInSendingProcess().start()
    try:
        wait_for(lambda: len(sending.started) == 2, "no sending process after one could not be started")
        assert sending.refused == 1 and "could not start a sending process" in caplog.text
        assert sending.started[1].poll() is None
    finally:
        sending.stop()
    assert sending.started[1].returncode == 0  # it read the end of the pipe and ended


# The real processes


def test_replies_come_from_a_sending_process_that_ends_with_a_killed_server(
    fake_slack: FakeSlack, db_path: Path
) -> None:
    with coach_process(fake_slack, db_path) as (process, driver):
        (sender,) = wait_for(lambda: sending_children(process.pid), "coach run started no sending process")
        assert command_line(sender)[-3:-1] == ["send", "--doorbell-fd"]
        server_niceness = os.getpriority(os.PRIO_PROCESS, process.pid)
        wait_for(  # it yields the CPU to the server's requests
            lambda: os.getpriority(os.PRIO_PROCESS, sender) == min(19, server_niceness + SENDER_NICENESS),
            "the sending process runs at the server's priority",
        )
        assert driver.command(USER).status == 200
        driver.wait_question(USER, 1)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        wait_for(lambda: not running(sender), "the sending process outlived the killed server")


def test_a_dead_sending_process_is_replaced_and_what_was_queued_meanwhile_goes_out(
    fake_slack: FakeSlack, db_path: Path
) -> None:
    with coach_process(fake_slack, db_path) as (process, driver):
        (first,) = wait_for(lambda: sending_children(process.pid), "coach run started no sending process")
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: not running(first) or first not in children_of(process.pid), "the sender did not die")
        assert driver.command(USER).status == 200  # queued while no sending process may be running
        (second,) = wait_for(
            lambda: sending_children(process.pid) - {first}, "no new sending process replaced the dead one"
        )
        assert running(second)
        driver.wait_question(USER, 1)
        assert process.poll() is None  # the server itself went on serving throughout


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_server_stops_its_sending_process(
    fake_slack: FakeSlack, db_path: Path, signal_number: signal.Signals
) -> None:
    with coach_process(fake_slack, db_path) as (process, _driver):
        (sender,) = wait_for(lambda: sending_children(process.pid), "coach run started no sending process")
        process.send_signal(signal_number)
        process.wait(timeout=20)
        wait_for(lambda: not running(sender), f"the sending process outlived a server stopped by {signal_number}")
