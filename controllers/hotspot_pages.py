"""`wifidesa routers write-hotspot-files ROUTER [--check]`: the router's hotspot pages written
over the RouterOS API now, only those whose contents differ, for Ansible (ansible/routers.yml).

The pages are rendered by the one function the router-task worker and `routers hotspot-files`
use (wifidesa.places.hotspot_files) and written with the poller's own connection; the API
password is read on the central server and never leaves it. It answers one line of JSON:
which files changed (or would, with --check)."""

from __future__ import annotations

import argparse
import json
import sys

from controllers.connection import RouterConnection
from controllers.failures import RouterError
from controllers.tasks import HOTSPOT_DIRECTORY
from controllers.timeouts import Timeouts
from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.context import AppContext
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.fleet.targets import api_targets
from wifidesa.places.routers import hotspot_files, require_router_named


def write_pages(*, ctx: AppContext, router_name: str, check: bool) -> list[str]:
    """Write the pages of this router that differ from ours (none with `check`); their
    names. RouterError when the router does not answer."""
    settings = ctx.settings
    with ctx.transaction() as session:
        router = require_router_named(session=session, scope=OPERATOR, name=router_name)
        pages = hotspot_files(
            session=session, scope=OPERATOR, router_id=router.id, portal_url=settings.public_url
        )
        ca = str(settings.api_tls_ca_file) if settings.api_tls_ca_file else None
        targets = [
            t for t in api_targets(session=session, box=ctx.box, tls_ca_file=ca)
            if t.router_id == router.id
        ]  # fmt: skip
    if not targets:
        raise InvalidInput(ErrorCode.ROUTER_API_NOT_CONFIGURED, name=router_name)
    seconds = settings.api_timeout_seconds
    connection = RouterConnection(targets[0], Timeouts(connect=seconds, read=seconds))
    changed = []
    try:
        for name, text in pages.items():
            path, content = f"{HOTSPOT_DIRECTORY}/{name}", text.encode()
            if connection.file_contents(path) != content:
                changed.append(name)
                if not check:
                    connection.put_file(path, content)
    finally:
        connection.close()
    return changed


def _cmd_write(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        changed = write_pages(ctx=ctx, router_name=args.router, check=args.check)
    except RouterError as error:  # redacted: no password, no command sentence
        print(f"wifidesa: error: router {args.router}: {error.failure}", file=sys.stderr)
        return 1
    print(json.dumps({"changed": changed, "check": args.check}))
    return 0


def register(routers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = routers.add_parser(
        "write-hotspot-files",
        help="write the router's hotspot pages over the API now, only those that differ",
        description="For Ansible: renders the pages as `routers hotspot-files` does, writes "
        "those whose contents differ, prints JSON {changed: [...]}.",
    )
    p.add_argument("router", help="router name")
    p.add_argument("--check", action="store_true", help="only say which would change")
    p.set_defaults(func=_cmd_write)
