"""`stats rollup`, and the `stats` service of `wifidesa serve`: statistics kept up to date, and
retention applied daily (wifidesa.cli.retention_commands)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from datetime import UTC, datetime

from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import add_subcommands
from wifidesa.cli.retention_commands import run_archive, run_retention, summary
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, utcnow
from wifidesa.settings import Settings
from wifidesa.stats.dirty import mark_every_day
from wifidesa.stats.job import merge_login_counts, roll_up

log = logging.getLogger(__name__)


def _roll_up(settings: Settings) -> tuple[int, int]:
    """Site-days recomputed, and rows of login counts merged away."""
    url = settings.resolved_database_url
    read_engine = make_engine(url)
    write_engine = make_engine(
        url, sqlite_immediate=True, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    read_sessions, write_sessions = (
        make_session_factory(read_engine),
        make_session_factory(write_engine),
    )
    lock = WriterLock(url)
    try:
        done = roll_up(read_sessions=read_sessions, write_sessions=write_sessions, lock=lock)
        merged = merge_login_counts(
            read_sessions=read_sessions,
            write_sessions=write_sessions,
            lock=lock,
            now=datetime.now(UTC),
        )
        return done, merged
    finally:
        read_engine.dispose()
        write_engine.dispose()


def cmd_stats(ctx: AppContext, args: argparse.Namespace) -> int:
    started = time.monotonic()
    if args.all:
        with WriterLock(ctx.settings.resolved_database_url).held(), ctx.transaction() as session:
            mark_every_day(session=session)
    done, merged = _roll_up(ctx.settings)
    print(
        f"{done} site-days recomputed, {merged} login count row(s) merged away"
        f" in {time.monotonic() - started:.1f} s"
    )
    return 0


# The first retention run comes this soon after the service starts (or sooner, with a
# shorter `retention_every_seconds`): the time of the next run is kept in memory only, so a
# service restarted more often than daily still runs it at every start.
RETENTION_FIRST_DELAY = 60.0


def _catch_up(settings: Settings) -> None:
    try:
        started = time.monotonic()
        done, merged = _roll_up(settings)
        if done or merged:
            log.info(
                "%d site-days recomputed, %d login count row(s) merged away in %.1f s",
                done,
                merged,
                time.monotonic() - started,
            )
    except Exception as exc:  # the database is down: the marks wait for the next round
        log.error("statistics rollup failed: %s", type(exc).__name__)


def _retain(settings: Settings) -> None:
    started = time.monotonic()
    try:
        archived = run_archive(settings, now=utcnow())
    except Exception as exc:  # the database is down: the next run does it
        log.error("archiving sessions failed: %s", type(exc).__name__)
    else:
        log.info(
            "%d sessions that ended over %d days ago archived in %.1f s",
            archived,
            settings.sessions_archive_days,
            time.monotonic() - started,
        )
    started = time.monotonic()
    try:
        counts = run_retention(settings, now=utcnow())
    except Exception as exc:  # the database is down: the next run does it
        log.error("retention failed: %s", type(exc).__name__)
        return
    log.info(
        "retention (%d months): %s in %.1f s",
        settings.retention_months,
        summary(counts),
        time.monotonic() - started,
    )


def run(settings: Settings) -> None:
    """The service: roll up every `stats_rollup_seconds`, and apply retention every
    `retention_every_seconds`, until SIGTERM or SIGINT."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    every = settings.retention_every_seconds
    next_rollup = time.monotonic() + settings.stats_rollup_seconds
    next_retention = time.monotonic() + min(RETENTION_FIRST_DELAY, every)
    while not stop.wait(max(0.0, min(next_rollup, next_retention) - time.monotonic())):
        if time.monotonic() >= next_rollup:
            _catch_up(settings)
            # From the end of the run, as before: never back to back (wifidesa.stats.job).
            next_rollup = time.monotonic() + settings.stats_rollup_seconds
        if time.monotonic() >= next_retention:
            _retain(settings)
            next_retention = time.monotonic() + every


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("stats", help="statistics: recompute what accounting changed")
    sub = add_subcommands(p, "stats_command")
    rollup = sub.add_parser(
        "rollup",
        help="recompute the site-days accounting changed (the `stats` service does it "
        "every WIFIDESA_STATS_ROLLUP_SECONDS)",
    )
    rollup.add_argument(
        "--all", action="store_true", help="recompute every site-day (after an upgrade)"
    )
    p.set_defaults(func=cmd_stats)
