"""`sessions list`, `sessions disconnect` and `sessions archive`."""

from __future__ import annotations

import argparse
import time

from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands
from wifidesa.cli.retention_commands import run_archive
from wifidesa.db.engine import utcnow
from wifidesa.errors import ErrorCode, WifidesaError
from wifidesa.units import format_duration, format_size
from wifidesa.usage.live_sessions import disconnect, live_sessions


def cmd_sessions(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.sessions_command == "archive":
        return _archive(ctx, dry_run=args.dry_run)
    if args.sessions_command == "disconnect":
        with ctx.transaction() as session:
            queued = disconnect(session=session, scope=OPERATOR, session_id=args.id, now=utcnow())
            if not queued:
                raise WifidesaError(ErrorCode.SESSION_NOT_OPEN, session_id=args.id)
        print(f"disconnect of session {args.id} queued; the RADIUS service sends it")
        return 0
    with ctx.transaction() as session:
        site_id = None
        if args.site:
            site_id = require_site_code(session=session, scope=OPERATOR, code=args.site).id
        found = live_sessions(
            session=session,
            scope=OPERATOR,
            now=utcnow(),
            site_id=site_id,
            open_only=not args.all,
            limit=200,
        )
        rows = [
            (
                s.id,
                s.router,
                s.username or "-",
                s.mac or "-",
                s.started_at.isoformat(timespec="minutes"),
                format_duration(s.session_time),
                format_size(s.used_octets),
                s.status.value,
                "yes" if s.throttled else "",
                f"{s.coa_action.value}: {s.coa_result.value if s.coa_result else '?'}"
                if s.coa_action
                else "",
            )
            for s in found
        ]
    print(
        table(
            (
                "ID",
                "ROUTER",
                "USER",
                "MAC",
                "STARTED (UTC)",
                "TIME",
                "DATA",
                "STATUS",
                "THROTTLED",
                "LAST COA",
            ),
            rows,
        )
    )
    return 0


def _archive(ctx: AppContext, *, dry_run: bool) -> int:
    started, now = time.monotonic(), utcnow()
    days = ctx.settings.sessions_archive_days
    count = run_archive(ctx.settings, now=now, dry_run=dry_run)
    if dry_run:
        print(f"{count} sessions that ended over {days} days ago to archive (dry run)")
        return 0
    took = time.monotonic() - started
    print(f"{count} sessions that ended over {days} days ago archived ({took:.1f} s)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("sessions", help="hotspot sessions: list, disconnect, archive")
    sub = add_subcommands(p, "sessions_command")
    lst = sub.add_parser("list", help="sessions online now (or all recent with --all)")
    lst.add_argument("--site", help="only this site")
    lst.add_argument("--all", action="store_true", help="closed and lost sessions too")
    dis = sub.add_parser("disconnect", help="ask the router to end a session (Disconnect)")
    dis.add_argument("id", type=int)
    arc = sub.add_parser(
        "archive",
        help="move sessions that ended over WIFIDESA_SESSIONS_ARCHIVE_DAYS ago out of the live "
        "rows (PostgreSQL: into their month's partition); the stats service does it daily",
    )
    arc.add_argument("--dry-run", action="store_true", help="count only; change nothing")
    p.set_defaults(func=cmd_sessions)
