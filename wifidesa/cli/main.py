"""Entry point of the `wifidesa` command: parse, run, and turn every failure into one line."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from wifidesa import __version__
from wifidesa.cli import (
    account_commands,
    admin_commands,
    alert_commands,
    fleet_commands,
    inventory_commands,
    key_commands,
    retention_commands,
    router_task_commands,
    session_commands,
    setup_commands,
    site_commands,
    stats_commands,
)
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import Parser, add_subcommands
from wifidesa.db import schema
from wifidesa.errors import ConfigError, ErrorCode, WifidesaError
from wifidesa.settings import load_settings

# Edges (portal, radius, ...) add their commands through this entry-point group, so the
# core never imports them.
COMMANDS_GROUP = "wifidesa.commands"
FAILURE = 1
UNEXPECTED = 3


def build_parser() -> Parser:
    parser = Parser(prog="wifidesa", description="Free village Wi-Fi for Kalimantan Timur.")
    parser.add_argument("--version", action="version", version=f"wifidesa {__version__}")
    parser.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="settings file (default .env if there is one; WIFIDESA_* variables win)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = add_subcommands(parser, "command")
    setup_commands.register(subparsers)
    site_commands.register(subparsers)
    router_task_commands.register(subparsers)
    account_commands.register(subparsers)
    admin_commands.register(subparsers)
    alert_commands.register(subparsers)
    session_commands.register(subparsers)
    key_commands.register(subparsers)
    stats_commands.register(subparsers)
    fleet_commands.register(subparsers)
    inventory_commands.register(subparsers)
    retention_commands.register(subparsers)
    for ep in entry_points(group=COMMANDS_GROUP):
        ep.load()(subparsers)
    return parser


def _database_message(exc: SQLAlchemyError) -> str:
    # hide_parameters keeps values out of the statement text; report only the driver's first
    # line, which names the problem (connection refused, constraint) without row data.
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    first = str(orig or exc).strip().splitlines()
    return f"database error: {first[0] if first else type(exc).__name__}"


def _env_file(given: Path | None) -> Path | None:
    """The settings file to read: the one given (which must exist: a mistyped path must not
    run a command on other settings), else ./.env if there is one."""
    if given is None:
        default = Path(".env")
        return default if default.exists() else None
    if not given.exists():
        raise ConfigError(ErrorCode.ENV_FILE_MISSING, path=str(given))
    return given


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = args.debug or os.environ.get("WIFIDESA_DEBUG") == "1"
    ctx: AppContext | None = None
    try:
        settings = load_settings(env_file=_env_file(args.env_file))
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        if not debug:
            logging.getLogger("alembic").setLevel(logging.WARNING)
        ctx = AppContext(settings)
        if getattr(args, "needs_schema", True):
            _require_schema(ctx)
        return int(args.func(ctx, args))
    except WifidesaError as exc:
        _fail(parser.prog, str(exc), debug)
        return FAILURE
    except SQLAlchemyError as exc:
        _fail(parser.prog, _database_message(exc), debug)
        return FAILURE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        _fail(parser.prog, f"unexpected {type(exc).__name__}; run with --debug for details", debug)
        return UNEXPECTED
    finally:
        if ctx is not None:
            ctx.close()


def _require_schema(ctx: AppContext) -> None:
    current = schema.current_revision(ctx.engine)
    # Return the connection at once: `radius` forks workers, and no database connection
    # (SQLite file handles included) may be shared across a fork.
    ctx.engine.dispose()
    if current is None:
        raise WifidesaError(ErrorCode.NO_SCHEMA)
    if current != schema.head_revision():
        raise WifidesaError(ErrorCode.SCHEMA_OUTDATED, revision=current)


def _fail(prog: str, message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    print(f"{prog}: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
