"""`retention [--dry-run]`: old sessions lose their MAC, IP address and user name, and device
rows nobody needs go (UU PDP; wifidesa.usage.retention). The `stats` service of `wifidesa
serve` runs it daily too (wifidesa.cli.stats_commands), after archiving the sessions that ended
long ago (`sessions archive`, wifidesa.usage.archive), which runs the same way."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from wifidesa.cli.context import AppContext
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, utcnow
from wifidesa.settings import Settings
from wifidesa.usage.archive import archive_sessions
from wifidesa.usage.retention import RetentionCounts, apply_retention, retention_cutoff


@dataclass(frozen=True)
class Maintenance:
    """What a batched maintenance run (retention, archiving) works with: reads in short
    transactions, each write batch in a short immediate one under the writer lock, as the
    rollup job does."""

    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    lock: WriterLock


@contextmanager
def maintenance(settings: Settings) -> Iterator[Maintenance]:
    """Engines of their own for one maintenance run, disposed of at its end."""
    url = settings.resolved_database_url
    read_engine = make_engine(url)
    write_engine = make_engine(
        url, sqlite_immediate=True, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    try:
        yield Maintenance(
            make_session_factory(read_engine), make_session_factory(write_engine), WriterLock(url)
        )
    finally:
        read_engine.dispose()
        write_engine.dispose()


def run_retention(settings: Settings, *, now: datetime, dry_run: bool = False) -> RetentionCounts:
    with maintenance(settings) as run:
        return apply_retention(
            read_sessions=run.read_sessions,
            write_sessions=run.write_sessions,
            lock=run.lock,
            now=now,
            months=settings.retention_months,
            dry_run=dry_run,
        )


def run_archive(settings: Settings, *, now: datetime, dry_run: bool = False) -> int:
    """Sessions that ended `sessions_archive_days` ago leave the live rows (wifidesa.usage.
    archive); returns how many."""
    with maintenance(settings) as run:
        return archive_sessions(
            read_sessions=run.read_sessions,
            write_sessions=run.write_sessions,
            lock=run.lock,
            now=now,
            days=settings.sessions_archive_days,
            dry_run=dry_run,
        )


def summary(counts: RetentionCounts, *, dry_run: bool = False) -> str:
    """The counts in one line (no MAC, user name or address: only numbers)."""
    if dry_run:
        return (
            f"{counts.sessions} sessions to clear, {counts.guest_devices} guest devices and "
            f"{counts.account_devices} account devices to remove"
        )
    return (
        f"{counts.sessions} sessions cleared, {counts.guest_devices} guest devices and "
        f"{counts.account_devices} account devices removed"
    )


def cmd_retention(ctx: AppContext, args: argparse.Namespace) -> int:
    started, now = time.monotonic(), utcnow()
    counts = run_retention(ctx.settings, now=now, dry_run=args.dry_run)
    cutoff = retention_cutoff(now=now, months=ctx.settings.retention_months)
    kept = f"kept {ctx.settings.retention_months} months, before {cutoff:%Y-%m-%d %H:%M} UTC"
    done = "dry run, nothing changed" if args.dry_run else f"{time.monotonic() - started:.1f} s"
    print(f"retention ({kept}): {summary(counts, dry_run=args.dry_run)} ({done})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "retention",
        help="clear MAC, IP address and user name of sessions older than "
        "WIFIDESA_RETENTION_MONTHS, and remove device rows nobody needs (statistics stay)",
    )
    p.add_argument("--dry-run", action="store_true", help="count only; change nothing")
    p.set_defaults(func=cmd_retention)
