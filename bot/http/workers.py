"""``coach run --http --workers N``: several serving processes on one port.

The parent binds the port, then forks N children that each serve that one listening socket with
waitress (the kernel hands each new connection to one of them); they ring the one sending process
(``bot.sending.process``) through its pipe after each commit. The parent serves nothing: it runs the one
ticker, watches the sending process, and replaces a serving child that dies. Writers in all
processes queue on one lock file beside the database (``flock``), so SQLite's busy handler never has
to sleep.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import sys
import time
from types import FrameType

from bot.settings import Settings

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
REAP_PAUSE_SECONDS = 0.05


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def serve_child(settings: Settings, sock: socket.socket) -> None:
    """One serving process: its own store connections, app and waitress server."""
    from bot.app import create_app
    from bot.http.server import SenderWatch, make_server
    from bot.store.factory import store_for

    store = store_for(settings)  # its own connections (SQLite: ``Store.forget_inherited_locks``)
    app = create_app(settings, store)
    make_server(app, store, sockets=[sock], sender=SenderWatch(store, settings.coach_sender_silence_seconds)).run()


def end_with_parent(parent: int) -> None:
    """Linux: a serving process gets SIGTERM when the parent dies, even by SIGKILL, so no orphan
    keeps serving the port without a ticker or a recovery loop."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        log.warning("this system cannot stop a serving process with its parent")
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def fork_child(settings: Settings, sock: socket.socket) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        end_with_parent(parent)
        code = 0
        try:
            serve_child(settings, sock)
        except BaseException:
            log.exception("serving process %d stopped", os.getpid())
            code = 1
        finally:
            os._exit(code)
    return pid


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    """Fork the serving processes first (a fork copies no running threads), then start the parent's."""
    from bot.schedule.timer import start_ticking
    from bot.sending.process import SendingProcess
    from bot.store.factory import is_postgres, store_for

    sock = listening_socket(host, port)
    # its pipe first: the serving processes ring through it (on SQLite; PostgreSQL rings with NOTIFY)
    sending = SendingProcess(ring_by_pipe=not is_postgres(settings.database_url))
    children = {fork_child(settings, sock) for _ in range(workers)}
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        sending.stop_restarting()
        for pid in children:
            os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    store = store_for(settings)
    sending.start()
    start_ticking(settings, store)
    log.info("serving HTTP on %s:%s with %d processes", host, port, workers)
    while children:
        try:  # which child ended, without reaping it: the sending process is reaped by its own watcher
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            break
        if ended is None or ended.si_pid not in children:
            time.sleep(REAP_PAUSE_SECONDS)  # the sending process, until its watcher has reaped it
            continue
        os.waitpid(ended.si_pid, 0)
        children.discard(ended.si_pid)
        if not stopping:
            log.warning("serving process %d ended; starting another", ended.si_pid)
            sys.stdout.flush()
            children.add(fork_child(settings, sock))
    sending.stop()
    return 0
