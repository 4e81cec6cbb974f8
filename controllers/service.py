"""The `poller` service of `wifidesa serve`, and `wifidesa routers poll [--once]`: every router
polled over the RouterOS API on a schedule, what it found recorded in the core."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from controllers import hotspot_pages
from controllers.connection import RouterConnection
from controllers.poller import Poller
from controllers.tasks import TaskWorker
from controllers.timeouts import Timeouts
from wifidesa.alerts.rules import AlertRules, alert_round
from wifidesa.cli.parser import subcommands_of
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, transaction, utcnow
from wifidesa.fleet.rounds import mark_unpolled, record_round
from wifidesa.fleet.samples import Sample
from wifidesa.fleet.targets import ApiTarget
from wifidesa.settings import Settings

log = logging.getLogger(__name__)


def record(
    session: Session, samples: Sequence[Sample], now: datetime, rules: AlertRules | None = None
) -> None:
    """A round's samples into the core, then the alerts they make (in the same transaction,
    so a round and its alerts commit together); routers left unpolled too long become
    unknown."""
    transitions = record_round(session=session, samples=samples, now=now)
    for change in transitions:
        log.info(
            "%s: router %s (site %s) at %s%s",
            change.kind,
            change.router_id,
            change.site_id,
            change.at.isoformat(timespec="seconds"),
            f", {change.routers} routers" if change.routers else "",
        )
    mark_unpolled(session=session, now=now)
    try:
        # A savepoint: a bug in the alert rules must not lose the fleet's health with them.
        with session.begin_nested():
            alert_round(session=session, transitions=transitions, now=now, rules=rules)
    except Exception:
        log.exception("alerts: the rules failed after a poll round; the round is recorded")


def recorder(rules: AlertRules) -> Callable[[Session, Sequence[Sample], datetime], None]:
    """`record` with the alert rules of the settings."""

    def record_with_rules(session: Session, samples: Sequence[Sample], now: datetime) -> None:
        record(session, samples, now, rules)

    return record_with_rules


@contextmanager
def fleet_poller(settings: Settings) -> Iterator[Poller]:
    """A poller on the settings' database; its connections closed at the end."""
    url = settings.resolved_database_url
    read_engine = make_engine(url)
    write_engine = make_engine(
        url, sqlite_immediate=True, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    timeouts = Timeouts(connect=settings.api_timeout_seconds, read=settings.api_timeout_seconds)

    def connect(target: ApiTarget) -> RouterConnection:
        return RouterConnection(target, timeouts)

    poller = Poller(
        read_sessions=make_session_factory(read_engine),
        write_sessions=make_session_factory(write_engine),
        lock=WriterLock(url),
        box=SecretBox.from_settings(settings),
        connect=connect,
        record=recorder(AlertRules.from_settings(settings)),
        threads=settings.poll_threads,
        tls_ca_file=str(settings.api_tls_ca_file) if settings.api_tls_ca_file else None,
    )
    try:
        yield poller
    finally:
        poller.close()
        read_engine.dispose()
        write_engine.dispose()


# The task worker looks for due router tasks this often (a kick replaces a Disconnect that
# went unanswered: it should follow within seconds).
TASK_SECONDS = 2.0


@contextmanager
def task_worker(settings: Settings) -> Iterator[TaskWorker]:
    """The router-task worker on the settings' database."""
    url = settings.resolved_database_url
    engine = make_engine(
        url, sqlite_immediate=True, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    timeouts = Timeouts(connect=settings.api_timeout_seconds, read=settings.api_timeout_seconds)

    def connect(target: ApiTarget) -> RouterConnection:
        return RouterConnection(target, timeouts)

    worker = TaskWorker(
        sessions=make_session_factory(engine),
        lock=WriterLock(url),
        box=SecretBox.from_settings(settings),
        connect=connect,
        threads=min(4, settings.poll_threads),
        tls_ca_file=str(settings.api_tls_ca_file) if settings.api_tls_ca_file else None,
    )
    try:
        yield worker
    finally:
        worker.close()
        engine.dispose()


def run(settings: Settings) -> None:
    """The service: a round every `poll_interval_seconds` until SIGTERM or SIGINT, and the
    router-task worker's loop in a thread of its own beside it."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with fleet_poller(settings) as poller, task_worker(settings) as worker:
        with poller.lock.held(), transaction(poller.write_sessions) as session:
            mark_unpolled(session=session, now=utcnow())  # what went unpolled while stopped
        tasks = threading.Thread(
            target=worker.run, kwargs={"every": TASK_SECONDS, "stop": stop}, name="router-tasks"
        )
        tasks.start()
        try:
            poller.run(every=settings.poll_interval_seconds, stop=stop)
        finally:
            stop.set()
            tasks.join()


def _cmd_run_tasks(ctx: object, args: argparse.Namespace) -> int:
    settings: Settings = ctx.settings  # type: ignore[attr-defined]
    with task_worker(settings) as worker:
        if args.once:
            print(f"{worker.round()} router task(s) done or tried")
            return 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker.run(every=TASK_SECONDS, stop=stop)
    return 0


def _cmd_poll(ctx: object, args: argparse.Namespace) -> int:
    settings: Settings = ctx.settings  # type: ignore[attr-defined]
    if not args.once:
        run(settings)
        return 0
    with fleet_poller(settings) as poller:
        print(poller.round().describe())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    routers = subcommands_of(subparsers, "routers")
    p = routers.add_parser(
        "poll",
        help="poll every router over the RouterOS API (the `poller` service of `serve`)",
        description="Poll every active router that has an API address and user: health, "
        "uptime, outages. Runs every WIFIDESA_POLL_INTERVAL_SECONDS until stopped.",
    )
    p.add_argument("--once", action="store_true", help="one round, print what it found, exit")
    p.set_defaults(func=_cmd_poll)
    t = routers.add_parser(
        "run-tasks",
        help="do the queued router tasks over the RouterOS API (also run by the `poller`)",
        description="Kicks, hotspot files and reads of the active list, queued as router "
        "tasks; retried with backoff. `wifidesa routers tasks` lists them.",
    )
    t.add_argument("--once", action="store_true", help="do what is due now, then exit")
    t.set_defaults(func=_cmd_run_tasks)
    hotspot_pages.register(routers)
