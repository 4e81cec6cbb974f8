"""`admins add|list|disable|enable|reset-password|revoke`: the operator's admin management,
through the same operations as the province's (wifidesa.admin.users, .management)."""

from __future__ import annotations

import argparse
import secrets
import sys

from wifidesa.admin import management
from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.admin.users import add_admin
from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AdminRole, RegionLevel
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.places.regions import get_region


def _read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated?) from stdin, or a generated one."""
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise InvalidInput(ErrorCode.NO_PASSWORD_ON_STDIN)
        return line, False
    return secrets.token_urlsafe(12), True


def cmd_admins(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.admins_command != "add":
        return _manage(ctx, args)
    password, generated = _read_password(args)
    with ctx.transaction() as session:
        region = None
        if args.region:
            region = get_region(session=session, code=args.region, level=RegionLevel.KABUPATEN)
        sites = [
            require_site_code(session=session, scope=OPERATOR, code=code)
            for code in args.site or ()
        ]
        admin = add_admin(
            session=session,
            scope=OPERATOR,
            username=args.username,
            password=password,
            role=AdminRole(args.role),
            region=region,
            sites=sites,
            full_name=args.full_name,
        )
        print(f"admin {admin.username} added ({admin.role.value})")
    if generated:
        print(f"password: {password}")
    return 0


def _manage(ctx: AppContext, args: argparse.Namespace) -> int:
    command = args.admins_command
    with ctx.transaction() as session:
        if command == "list":
            rows = [
                (
                    a.username,
                    a.role.value,
                    "yes" if a.is_active else "no",
                    a.last_login_at.isoformat(timespec="minutes") if a.last_login_at else "never",
                    a.api_tokens,
                )
                for a in management.list_admins(session=session, scope=OPERATOR, now=utcnow())
            ]
            print(table(("USERNAME", "ROLE", "ACTIVE", "LAST SIGN-IN (UTC)", "API TOKENS"), rows))
        elif command in ("disable", "enable"):
            management.set_active(
                session=session, scope=OPERATOR, username=args.username, active=command == "enable"
            )
            print(f"admin {args.username} {command}d")
        elif command == "reset-password":
            password = management.reset_password(
                session=session, scope=OPERATOR, username=args.username
            )
            print(f"password: {password}")
        else:
            ended = management.revoke_sign_ins(
                session=session, scope=OPERATOR, username=args.username
            )
            print(f"{ended} sign-in(s) of {args.username} ended")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("admins", help="admin users: add, list, disable, reset, revoke")
    sub = add_subcommands(p, "admins_command")
    add = sub.add_parser(
        "add",
        help="add an admin user",
        description="The password is read from standard input with --password-stdin, or "
        "generated and printed once.",
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in AdminRole])
    add.add_argument("--region", help="kabupaten code for a kabupaten admin, e.g. 64.03")
    add.add_argument("--site", action="append", help="site code for a desa admin (repeatable)")
    add.add_argument("--full-name", default="")
    add.add_argument("--password-stdin", action="store_true")
    sub.add_parser("list", help="list admins")
    for name, text in (
        ("disable", "stop an admin signing in; every session and API token of theirs ends"),
        ("enable", "let a disabled admin sign in again"),
        ("reset-password", "give an admin a new password (printed once); their sign-ins end"),
        ("revoke", "end every web session and API token of an admin"),
    ):
        one = sub.add_parser(name, help=text)
        one.add_argument("username")
    p.set_defaults(func=cmd_admins)
