"""The ``coach`` command line: run, send, tick, chat, check, doctor, manifest."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.store.factory import AnyStore

log = logging.getLogger("coach")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coach", description="Social media readiness coach for Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="serve Slack: Socket Mode, or HTTP with --http")
    run.add_argument("--http", action="store_true", help="serve HTTP (POST /slack/events, GET /healthz)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    run.add_argument("--workers", type=int, default=1, help="HTTP serving processes on the one port (default 1)")
    send = sub.add_parser("send", help="send the outbox's replies (coach run does this itself)")
    send.add_argument("--once", action="store_true", help="send what is due now, then exit")
    send.add_argument("--doorbell-fd", type=int, default=None, help=argparse.SUPPRESS)  # from `coach run`
    tick = sub.add_parser("tick", help="send everything that is due (check-ins, nudges) once, then exit")
    tick.add_argument("--now", type=_instant, default=None, help="act as of this ISO-8601 instant (default: now)")
    chat = sub.add_parser("chat", help="coach yourself in this terminal, no Slack needed")
    chat.add_argument("--lang", default="en", type=str.lower, help="language of the conversation (default en)")
    chat.add_argument("--out", type=Path, default=None, help="write the plan (the `plan` command) to this file")
    chat.add_argument("--db", default=None, metavar="PATH", help="SQLite database (default: COACH_DB, or coach.db)")
    chat.add_argument(
        "--now", type=_instant, default=None, help="act as of this ISO-8601 instant, e.g. for a check-in's week"
    )
    copy = sub.add_parser("migrate-db", help="copy every row of one database into another, empty one")
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="e.g. sqlite:///coach.db")
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="e.g. postgresql://coach@db/coach")
    sub.add_parser("check", help="validate the content and the Slack manifest")
    doctor = sub.add_parser("doctor", help="check the Slack configuration (tokens, Slack's answer) and say what to fix")
    doctor.add_argument("--http", action="store_true", help="check for HTTP mode instead of Socket Mode")
    manifest = sub.add_parser("manifest", help="print the Slack app manifest (manifest.yml)")
    manifest.add_argument("--url", default=None, help="your public HTTPS address: request URLs point there")
    manifest.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    return parser


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 instant: {text!r}") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give a time zone or offset, e.g. {text}Z")
    return moment.astimezone(UTC)


SDK_LOGGERS = ("slack_sdk.web.base_client", "slack_sdk.webhook.client")  # the Web API's, response_url's


def give_sdk_loggers_a_level() -> None:
    """Give slack_sdk's loggers the level the coach logs at, once logging is configured.

    slack_sdk decides whether to build a call's debug lines from its logger's own ``level``, not from
    the effective level, so with the level unset (0) it formatted each request's blocks and each
    response's headers and body for lines nobody logs (4.8 % of the sending process's samples under
    py-spy). A root logger at DEBUG when this runs still gets slack_sdk's debug lines."""
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.getLogger().getEffectiveLevel())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("transitions").setLevel(logging.WARNING)  # it logs every state change at INFO
    give_sdk_loggers_a_level()
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"coach: bad configuration: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        from bot.checks.manifest import run_checks

        return run_checks()
    if args.command == "manifest":
        return _manifest(args.url, args.json)
    if args.command == "doctor":
        from bot.checks.config import print_report

        return print_report(settings, args.http)
    if args.command == "chat":
        return _chat(settings, args.lang, args.db, args.now, args.out)
    if args.command == "migrate-db":
        return _migrate_db(args.source, args.target)
    if args.command == "tick":
        return _tick(settings, args.now or datetime.now(UTC))
    if args.command == "send":
        return _send(settings, args.once, args.doorbell_fd)
    if args.workers < 1 or (args.workers > 1 and not args.http):
        print("coach: --workers needs --http and a number of at least 1", file=sys.stderr)
        return 2
    return _run(settings, args.http, args.host, args.port, args.workers)


def _chat(
    settings: Settings, locale: str, db: str | None = None, now: datetime | None = None, out: Path | None = None
) -> int:
    from bot.store.factory import open_store, store_for
    from bot.terminal.chat import default_member, run_chat
    from bot.usecases.assessment import Coach
    from flows.content import available_locales, load_bundle
    from flows.values import utc_now

    if locale not in available_locales():
        print(
            f"coach: no content for language {locale!r}; choose one of {', '.join(available_locales())}",
            file=sys.stderr,
        )
        return 2
    logging.getLogger().setLevel(logging.WARNING)
    store = open_store(f"sqlite:///{db}", settings.coach_writer_wait_seconds) if db else store_for(settings)
    coach = Coach(store, load_bundle(locale), clock=(lambda: now) if now is not None else utc_now)
    run_chat(coach, default_member(), out=out)
    return 0


def _migrate_db(source_url: str, target_url: str) -> int:
    from bot.store.factory import UnknownDatabaseUrl, open_store, sqlite_path
    from bot.store.transfer import TargetNotEmpty, copy_store

    source_file = sqlite_path(source_url)
    if source_file is not None and not Path(source_file).is_file():
        print(f"coach: there is no database file {source_file} to copy", file=sys.stderr)
        return 2
    try:
        with closing(open_store(source_url)) as source, closing(open_store(target_url)) as target:
            counts = copy_store(source, target)
    except (TargetNotEmpty, UnknownDatabaseUrl) as error:
        print(f"coach: {error}", file=sys.stderr)
        return 2
    print(", ".join(f"{table}: {count}" for table, count in counts.items() if count) or "nothing to copy")
    return 0


def _manifest(base_url: str | None, as_json: bool) -> int:
    from bot.slack.manifest import render_manifest

    try:
        print(render_manifest(base_url, as_json))
    except (ValueError, OSError) as error:
        print(f"coach: {error}", file=sys.stderr)
        return 2
    return 0


def _has_token(settings: Settings) -> bool:
    from bot.slack.installations import oauth_mode

    if not settings.slack_bot_token and not oauth_mode(settings):
        print(
            "coach: set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (see .env.sample)", file=sys.stderr
        )
        return False
    return True


def _send(settings: Settings, once: bool, doorbell_fd: int | None = None) -> int:
    """``coach send``: the outbox's sender as a process of its own (or one pass with ``--once``).

    ``coach run`` starts it with ``--doorbell-fd``, the pipe it rings after each commit
    (``bot.sending.process``); it sends until the pipe's end of file says the server is gone."""
    from bot.sending.outbox import DOORBELL
    from bot.sending.process import yield_to_requests
    from bot.sending.sender import make_sender
    from bot.store.factory import store_for
    from bot.store.postgres import PostgresStore

    if not _has_token(settings):
        return 2
    if doorbell_fd is not None:
        yield_to_requests()
    store = store_for(settings)
    sender = make_sender(settings, store)
    if once:
        sender.beat()
        sender.recover_orphans(datetime.now(UTC))
        print(f"sent {sender.drain()} outbox row(s)")
        return 0
    sender.start()
    if isinstance(store, PostgresStore):
        store.wake_on_notify(DOORBELL.ring)  # rows added on any host ring here
    log.info("sending the outbox")
    try:
        if doorbell_fd is not None:
            DOORBELL.relay_from(doorbell_fd)
            log.info("the server is gone; finishing the replies in hand")
        else:
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    sender.stop()
    return 0


def _tick(settings: Settings, now: datetime) -> int:
    from bot.store.factory import store_for

    if not _has_token(settings):
        return 2
    store = store_for(settings)
    reopen_with_single_token(settings, store)
    from bot.schedule.timer import make_scheduler

    report = make_scheduler(settings, store, send=True, now=now).tick(now)
    print(report.summary())
    return 0


def reopen_with_single_token(settings: Settings, store: AnyStore) -> None:
    """One workspace, one token: if it works, that workspace is installed (again), whatever stopped it."""
    from bot.http.reopen import reopen_if_token_works
    from bot.slack.client import make_web_client
    from bot.slack.installations import oauth_mode
    from bot.usecases.workspaces import Workspaces
    from flows.values import utc_now

    if settings.slack_bot_token and not oauth_mode(settings):
        reopen_if_token_works(make_web_client(settings), Workspaces(store, None, utc_now))


def _run(settings: Settings, http: bool, host: str, port: int, workers: int = 1) -> int:
    from slack_bolt.error import BoltError

    from bot.app import create_app
    from bot.checks.config import ConfigurationCheck
    from bot.sending.process import SendingProcess
    from bot.store.factory import is_postgres, store_for

    check = ConfigurationCheck(settings, http)
    problems = check.problems()
    for problem in problems:
        print(f"coach: {problem}", file=sys.stderr)
    if problems:
        return 2
    store = store_for(settings)
    try:
        app = create_app(settings, store, socket_mode=not http)
    except BoltError as error:
        print(f"coach: Slack rejected the configuration: {error}", file=sys.stderr)
        return 2
    reopen_with_single_token(settings, store)
    if workers > 1:
        from bot.http.workers import serve_workers

        return serve_workers(settings, host, port, workers)
    sending = SendingProcess(ring_by_pipe=not is_postgres(settings.database_url)).start()
    from bot.schedule.timer import start_ticking

    start_ticking(settings, store)
    try:
        if http:
            from bot.http.server import SenderWatch, make_server

            watch = SenderWatch(store, settings.coach_sender_silence_seconds)
            server = make_server(app, store, host, port, sender=watch)
            log.info("serving HTTP on %s:%s", host, port)
            server.run()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(app, settings.secret(settings.slack_app_token))
            if check.socket_url:  # the URL the check was given: asking for another so soon could be refused
                handler.client.wss_uri = check.socket_url
            handler.start()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass
    finally:
        sending.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
