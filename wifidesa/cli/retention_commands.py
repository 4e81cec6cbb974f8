"""`retention [--dry-run]`: old sessions lose their MAC, IP address and user name, and device
rows nobody needs go (UU PDP; wifidesa.usage.retention). The `stats` service of `wifidesa
serve` runs it daily too (wifidesa.cli.stats_commands)."""

from __future__ import annotations

import argparse
import time
from datetime import datetime

from wifidesa.cli.context import AppContext
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, utcnow
from wifidesa.settings import Settings
from wifidesa.usage.retention import RetentionCounts, apply_retention, retention_cutoff


def run_retention(settings: Settings, *, now: datetime, dry_run: bool = False) -> RetentionCounts:
    """One run with its own engines: reads in short transactions, each write batch in a short
    immediate one under the writer lock, as the rollup job does."""
    url = settings.resolved_database_url
    read_engine = make_engine(url)
    write_engine = make_engine(
        url, sqlite_immediate=True, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    try:
        return apply_retention(
            read_sessions=make_session_factory(read_engine),
            write_sessions=make_session_factory(write_engine),
            lock=WriterLock(url),
            now=now,
            months=settings.retention_months,
            dry_run=dry_run,
        )
    finally:
        read_engine.dispose()
        write_engine.dispose()


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
