"""`sessions list` and `sessions disconnect`."""

from __future__ import annotations

import argparse

from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands
from wifidesa.db.engine import utcnow
from wifidesa.errors import WifidesaError
from wifidesa.units import format_duration, format_size
from wifidesa.usage.live_sessions import disconnect_from_cli, list_sessions


def cmd_sessions(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.sessions_command == "disconnect":
        with ctx.transaction() as session:
            if not disconnect_from_cli(session=session, session_id=args.id, now=utcnow()):
                raise WifidesaError(
                    f"session {args.id} is not open, or a request for it is on its way"
                )
        print(f"disconnect of session {args.id} queued; the RADIUS service sends it")
        return 0
    with ctx.transaction() as session:
        rows = [
            (
                s.id,
                s.router.name,
                s.username,
                s.mac or "-",
                s.started_at.isoformat(timespec="minutes"),
                format_duration(s.session_time),
                format_size(s.input_octets + s.output_octets),
                s.status.value,
                "yes" if s.throttled else "",
                f"{s.coa_action.value}: {s.coa_result.value if s.coa_result else '?'}"
                if s.coa_action
                else "",
            )
            for s in list_sessions(session=session, site_code=args.site, open_only=not args.all)
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


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("sessions", help="hotspot sessions: list, disconnect")
    sub = add_subcommands(p, "sessions_command")
    lst = sub.add_parser("list", help="sessions online now (or all recent with --all)")
    lst.add_argument("--site", help="only this site")
    lst.add_argument("--all", action="store_true", help="closed and lost sessions too")
    dis = sub.add_parser("disconnect", help="ask the router to end a session (Disconnect)")
    dis.add_argument("id", type=int)
    p.set_defaults(func=cmd_sessions)
