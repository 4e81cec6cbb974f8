"""The `notify` service of `wifidesa serve` and the `wifidesa notify` command: send what the
notification outbox holds, every `notify_every_seconds`, after queueing the day's digest when
it is due (wifidesa.alerts.digest); forget old rows once an hour.

Its SQLite transactions take the write lock at BEGIN and the service's writer lock, like the
other writers, so a claim never races another worker's (wifidesa.alerts.outbox)."""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import threading
import time

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from controllers.notify.senders import senders_from
from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import require_channel
from wifidesa.alerts.delivery import Round, deliver_due
from wifidesa.alerts.digest import queue_digests
from wifidesa.alerts.outbox import CLAIM_BATCH, purge, queue
from wifidesa.alerts.texts import trial_text
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import add_subcommands
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import (
    WriterLock,
    make_engine,
    make_session_factory,
    transaction,
    utcnow,
)
from wifidesa.settings import Settings

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0


def _writer(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    return make_engine(
        url,
        sqlite_immediate=True,
        writer_lock=WriterLock(url),
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )


def deliver_all(settings: Settings, sessions: sessionmaker[Session]) -> Round:
    """Rounds until nothing is due now; what they did, summed."""
    box, senders = SecretBox.from_settings(settings), senders_from(settings)
    total = Round()
    while True:
        done = deliver_due(
            write_sessions=sessions, lock=None, box=box, senders=senders, clock=utcnow
        )
        total.sent, total.failed = total.sent + done.sent, total.failed + done.failed
        total.given_up += done.given_up
        total.outcomes.update(done.outcomes)
        if done.claimed < CLAIM_BATCH:
            return total


def queue_digest(settings: Settings, sessions: sessionmaker[Session]) -> int:
    """Today's digest for every channel without one, from `alert_digest_hour` on (none when
    unset); how many were queued."""
    if settings.alert_digest_hour is None:
        return 0
    with transaction(sessions) as session:
        queued = queue_digests(
            session=session,
            now=utcnow(),
            hour=settings.alert_digest_hour,
            zone=settings.timezone,
        )
    if queued:
        log.info("alerts: %d daily digest(s) queued", queued)
    return queued


def run(settings: Settings) -> None:
    """The service: deliver every `notify_every_seconds` until SIGTERM or SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    engine = _writer(settings)
    sessions = make_session_factory(engine)
    next_purge = time.monotonic()
    while not stop.is_set():
        try:
            queue_digest(settings, sessions)
            done = deliver_all(settings, sessions)
            if done.claimed:
                log.info(
                    "alerts: %d sent, %d to retry, %d given up",
                    done.sent,
                    done.failed,
                    done.given_up,
                )
            if time.monotonic() >= next_purge:
                with transaction(sessions) as session:
                    purge(session=session, now=utcnow())
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        except Exception as exc:  # the database is down: try again at the next round
            log.error("alerts: %s", type(exc).__name__)
        stop.wait(settings.notify_every_seconds)
    engine.dispose()


def cmd_notify(ctx: AppContext, args: argparse.Namespace) -> int:
    engine = _writer(ctx.settings)
    try:
        return _notify(ctx.settings, make_session_factory(engine), args)
    finally:
        engine.dispose()


def _notify(settings: Settings, sessions: sessionmaker[Session], args: argparse.Namespace) -> int:
    if args.notify_command == "test":
        now = utcnow()
        with transaction(sessions) as session:
            channel = require_channel(session=session, scope=OPERATOR, channel_id=args.channel)
            queue(
                session=session,
                channels=[channel],
                text=trial_text(at=now),
                dedupe_key=f"test:{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}",
                now=now,
            )
    done = deliver_all(settings, sessions)
    print(f"{done.sent} sent, {done.failed} to retry, {done.given_up} given up")
    if args.notify_command == "test" and not done.sent:
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "notify", help="alerts to admins: send the queued ones, try a channel"
    )
    sub = add_subcommands(p, "notify_command")
    sub.add_parser("deliver", help="send every notification due now (the `notify` service does it)")
    test = sub.add_parser("test", help="send a test message to a channel now")
    test.add_argument("channel", type=int, help="the channel's id (wifidesa alerts list)")
    p.set_defaults(func=cmd_notify)
