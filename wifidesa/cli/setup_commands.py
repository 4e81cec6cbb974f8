"""`init`, `db ...`, `demo`, `serve`: the schema, demo data and running the services."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import multiprocessing
import signal
import sys
import time
from importlib.metadata import entry_points
from typing import Any

from wifidesa.cli import demo_data as demo
from wifidesa.cli.context import AppContext
from wifidesa.cli.demo_usage import seed_usage
from wifidesa.cli.parser import add_subcommands
from wifidesa.db import schema
from wifidesa.db.engine import utcnow
from wifidesa.errors import ErrorCode, WifidesaError
from wifidesa.places.regions import ensure_reference_regions
from wifidesa.settings import Settings, check_for_startup

log = logging.getLogger(__name__)

SERVICES_GROUP = "wifidesa.services"


def cmd_init(ctx: AppContext, _args: argparse.Namespace) -> int:
    before = schema.current_revision(ctx.engine)
    schema.upgrade(ctx.engine)
    with ctx.transaction() as session:
        added = ensure_reference_regions(session=session)
    after = schema.current_revision(ctx.engine)
    state = "created" if before is None else ("upgraded" if before != after else "up to date")
    print(f"database {state} (revision {after}); {added} reference regions added")
    return 0


def cmd_db(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.db_command == "upgrade":
        schema.upgrade(ctx.engine, args.revision)
    elif args.db_command == "downgrade":
        schema.downgrade(ctx.engine, args.revision)
    elif args.db_command == "revision":
        schema.revision(ctx.engine, args.message)
    elif args.db_command == "check":
        diffs = schema.differences(ctx.engine)
        if diffs:
            for diff in diffs:
                print(schema.describe_difference(diff))
            raise WifidesaError(ErrorCode.SCHEMA_DIFFERS, count=len(diffs))
        print("models and migrations agree")
        return 0
    print(f"revision {schema.current_revision(ctx.engine)} (head {schema.head_revision()})")
    return 0


def cmd_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    schema.upgrade(ctx.engine)
    with ctx.transaction() as session:
        ensure_reference_regions(session=session)
        if not demo.is_empty(session=session):
            if args.if_empty:
                print("the database has data already; demo not seeded")
                return 0
            raise WifidesaError(ErrorCode.NOT_EMPTY_FOR_DEMO)
        seeded = demo.seed(session=session, box=ctx.box, voucher_count=args.vouchers)
        if args.usage:
            seed_usage(session=session, box=ctx.box, now=utcnow())
    print(demo.describe(seeded, ctx.settings))
    return 0


def _services() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=SERVICES_GROUP)}


PR_SET_NAME = 15  # <linux/prctl.h>


def _name_process(name: str) -> None:
    """Name this process after its service, as `ps -o comm` and top show it (Linux; the
    spawned services' command lines are all alike)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_NAME, f"wifidesa-{name}".encode()[:15], 0, 0, 0)


def _run_service(name: str, settings: Settings) -> None:
    # Runs in a child process: load the edge's entry point and block in it.
    _name_process(name)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=settings.log_level, format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s"
    )
    _services()[name].load()(settings)


def cmd_serve(ctx: AppContext, args: argparse.Namespace) -> int:
    available = _services()
    names = args.only or sorted(available)
    check_for_startup(ctx.settings, web="web" in names)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise WifidesaError(
            ErrorCode.UNKNOWN_SERVICES, unknown=", ".join(unknown), available=sorted(available)
        )
    mp = multiprocessing.get_context("spawn")
    procs = [mp.Process(target=_run_service, args=(n, ctx.settings), name=n) for n in names]
    for proc in procs:
        proc.start()
    print(f"started: {', '.join(names)} (Ctrl-C stops)", flush=True)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too, even where it came in ignored (a script's background job): each service stops
    # on it, and Ctrl-C reaches them all; the command must stop with them, not report them dead.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(p.is_alive() for p in procs):
            time.sleep(0.5)
        dead = [p.name for p in procs if not p.is_alive()]
        print(
            f"service stopped unexpectedly: {', '.join(dead)}; stopping the rest", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=10)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "init",
        help="create or upgrade the database schema (idempotent)",
        description="Create or upgrade the schema and add Kaltim's "
        "kabupaten/kota. Safe to run again.",
    )
    p.set_defaults(func=cmd_init, needs_schema=False)

    p = subparsers.add_parser("db", help="migrations: upgrade, downgrade, current, check, revision")
    db = add_subcommands(p, "db_command")
    up = db.add_parser("upgrade", help="upgrade to a revision (default head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db.add_parser("downgrade", help="downgrade to a revision (e.g. -1, base)")
    down.add_argument("revision")
    db.add_parser("current", help="show the current revision")
    db.add_parser("check", help="fail if the models and the migrations disagree")
    rev = db.add_parser("revision", help="autogenerate a migration (developers)")
    rev.add_argument("-m", "--message", required=True)
    p.set_defaults(func=cmd_db, needs_schema=False)

    p = subparsers.add_parser(
        "demo",
        help="seed demo data into an empty database",
        description="Seed a demo kecamatan, desa, site, router, profiles, "
        "vouchers and a province admin, and say what to try.",
    )
    p.add_argument("--if-empty", action="store_true", help="do nothing if there is data already")
    p.add_argument("--vouchers", type=int, default=10, help="how many vouchers (default 10)")
    p.add_argument(
        "--no-usage",
        dest="usage",
        action="store_false",
        help="without the month of usage in six more villages (for the statistics pages)",
    )
    p.set_defaults(func=cmd_demo, needs_schema=False)

    p = subparsers.add_parser("serve", help="run every service (web; RADIUS when installed)")
    p.add_argument(
        "--only", action="append", metavar="SERVICE", help="run only this service (repeatable)"
    )
    p.set_defaults(func=cmd_serve)
