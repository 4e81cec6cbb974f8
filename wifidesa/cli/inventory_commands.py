"""`routers inventory` (Ansible's dynamic inventory, no secret in it) and `routers
credentials` (one router's secrets, for the playbook's `no_log` lookup on the central server)."""

from __future__ import annotations

import argparse
import json

from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import subcommands_of
from wifidesa.errors import ErrorCode, NotFound
from wifidesa.places.inventory import (
    ansible_inventory,
    host_vars,
    inventory_routers,
    router_credentials,
)
from wifidesa.places.routers import require_router_named


def cmd_inventory(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.transaction() as session:
        routers = inventory_routers(session=session, scope=OPERATOR)
    if args.host is not None:
        found = [router for router in routers if router.name == args.host]
        if not found:
            raise NotFound(ErrorCode.ROUTER_NAME_NOT_FOUND, name=args.host)
        print(json.dumps(host_vars(found[0]), indent=2, sort_keys=True))
        return 0
    inventory = ansible_inventory(routers, portal_url=ctx.settings.public_url)
    print(json.dumps(inventory, indent=2, sort_keys=True))
    return 0


def cmd_credentials(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.transaction() as session:
        router = require_router_named(session=session, scope=OPERATOR, name=args.router)
        found = router_credentials(session=session, scope=OPERATOR, box=ctx.box, router=router)
    # Only to stdout, for a `no_log` lookup: never into a log line.
    print(json.dumps({"radius_secret": found.radius_secret, "api_password": found.api_password}))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    routers = subcommands_of(subparsers, "routers")
    inventory = routers.add_parser(
        "inventory",
        help="Ansible's dynamic inventory of the routers (JSON; no secrets)",
        description="Active routers with an API address, grouped as `routers`, "
        "`site_<code>` and `kabupaten_<code>` (dots become underscores).",
    )
    which = inventory.add_mutually_exclusive_group()
    which.add_argument("--list", action="store_true", help="every group and host (default)")
    which.add_argument("--host", metavar="ROUTER", help="one router's variables")
    inventory.set_defaults(func=cmd_inventory)
    credentials = routers.add_parser(
        "credentials",
        help="one router's RADIUS secret and API password (operator only; for Ansible)",
        description="Prints JSON with the router's RADIUS secret and API password, for "
        "ansible/routers.yml's no_log lookup on the central server. Audited without them. "
        "Never paste its output anywhere.",
    )
    credentials.add_argument("router", help="router name")
    credentials.add_argument("--json", action="store_true", help="JSON (the only format)")
    credentials.set_defaults(func=cmd_credentials)
