"""`routers api` (how the poller reaches a router) and `routers health` (what it found);
`routers poll` itself comes from controllers/ (controllers.service)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import duration_arg, subcommands_of
from wifidesa.db.engine import utcnow
from wifidesa.db.models import RouterState
from wifidesa.fleet.health import FleetFilter, FleetSort, fleet_health
from wifidesa.places.router_api import RouterApi, set_router_api
from wifidesa.places.routers import require_router_named
from wifidesa.settings import DEFAULT_TIMEZONE


def cmd_api(ctx: AppContext, args: argparse.Namespace) -> int:
    api = RouterApi(
        host=args.host,
        port=args.port,
        use_tls=args.tls,
        username=args.user,
        password=args.password,
        wan_interface=args.wan_interface,
    )
    with ctx.transaction() as session:
        router = require_router_named(session=session, scope=OPERATOR, name=args.router)
        set_router_api(session=session, scope=OPERATOR, box=ctx.box, router_id=router.id, api=api)
        where = (
            f"{router.api_host}:{router.api_port} ({'TLS' if router.api_use_ssl else 'plain'})"
            if router.api_host
            else "not polled (no API address)"
        )
        print(f"router {router.name}: API {where}, WAN {router.wan_interface or 'ether1'}")
    return 0


def _when(moment: datetime | None) -> str:
    wita = ZoneInfo(DEFAULT_TIMEZONE)
    return moment.astimezone(wita).strftime("%Y-%m-%d %H:%M") if moment else "-"


def cmd_health(ctx: AppContext, args: argparse.Namespace) -> int:
    filters = FleetFilter(
        down_longer_than=None
        if args.down_longer_than is None
        else timedelta(seconds=args.down_longer_than),
        state=RouterState(args.state) if args.state else None,
    )
    with ctx.transaction() as session:
        rows = fleet_health(
            session=session,
            scope=OPERATOR,
            now=utcnow(),
            key=f"s:{args.site}" if args.site else "",
            filters=filters,
            sort=FleetSort(args.sort),
        )
    print(
        table(
            (
                "ROUTER",
                "SITE",
                "STATE",
                "SINCE (WITA)",
                "LAST POLL",
                "VERSION",
                "CPU",
                "USERS",
                "UP 30D",
            ),
            [
                (
                    r.name,
                    r.site_code,
                    f"{r.state}" + (f" ({r.cause})" if r.cause else ""),
                    _when(r.since),
                    _when(r.last_poll_at),
                    r.version or "-",
                    "-" if r.cpu_load is None else f"{r.cpu_load}%",
                    "-" if r.hotspot_active is None else r.hotspot_active,
                    "-" if r.availability_30d is None else f"{r.availability_30d:.2f}%",
                )
                for r in rows
            ],
        )
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    routers = subcommands_of(subparsers, "routers")
    api = routers.add_parser(
        "api",
        help="how the poller reaches a router: API address, TLS, user, WAN interface",
        description="Set a router's management access over the RouterOS API (often a VPN "
        "address: not the source of its RADIUS packets). --host '' stops polling it.",
    )
    api.add_argument("router", help="router name")
    api.add_argument("--host", help="API address (IP or DNS name); '' for none")
    api.add_argument("--port", type=int, help="8729 with TLS, 8728 without")
    api.add_argument("--tls", action=argparse.BooleanOptionalAction, default=None)
    api.add_argument("--user", help="our API user on the router")
    api.add_argument("--password", help="its password (stored encrypted; '' removes it)")
    api.add_argument("--wan-interface", help="whose counters are the village's traffic (ether1)")
    api.set_defaults(func=cmd_api)
    health = routers.add_parser(
        "health", help="every router's state as the poller last found it, and 30-day uptime"
    )
    health.add_argument("--site", help="only this site's routers (site code)")
    health.add_argument("--state", choices=[s.value for s in RouterState])
    health.add_argument(
        "--down-longer-than", type=duration_arg, metavar="DURATION", help="e.g. 24h"
    )
    health.add_argument("--sort", choices=[s.value for s in FleetSort], default="name")
    health.set_defaults(func=cmd_health)
