"""`wifidesa simulate`: play a registered router against our RADIUS server with its vouchers."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
from dataclasses import dataclass

from radius.simulator.coa import CoAEvent, CoAMode
from radius.simulator.load import SimReport, run_clients
from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import size_arg
from wifidesa.errors import ErrorCode, InvalidInput, WifidesaError
from wifidesa.places.routers import require_router_named, router_secret
from wifidesa.units import format_size
from wifidesa.vouchers.codes import unused_codes


@dataclass(frozen=True)
class _Plan:
    router: SimRouter
    codes: list[str]
    coa_port: int | None
    listen: float


def _loopback_address(name: str, address: str) -> str:
    # The simulator binds the router's address to send from it, and must never put test
    # traffic on a real network: only 127.0.0.0/8 qualifies.
    try:
        loopback = ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInput(ErrorCode.NOT_LOOPBACK, name=name, address=address)
    return address


def _plan(ctx: AppContext, args: argparse.Namespace) -> _Plan:
    with ctx.transaction() as session:
        router = require_router_named(session=session, scope=OPERATOR, name=args.router)
        source_ip = _loopback_address(router.name, router.ip_address)
        site_code = router.site.code
        codes = unused_codes(session=session, site_id=router.site_id, limit=args.clients)
        config = SimRouter(
            secret=router_secret(router, ctx.box),
            source_ip=source_ip,
            server=args.server,
            auth_port=args.auth_port or ctx.settings.radius_auth_port,
            acct_port=args.acct_port or ctx.settings.radius_acct_port,
            nas_identifier=router.nas_identifier,
            message_authenticator=args.message_authenticator,
        )
        default_coa_port = router.coa_port
    if len(codes) < args.clients:
        raise InvalidInput(
            ErrorCode.TOO_FEW_VOUCHERS, site=site_code, unused=len(codes), needed=args.clients
        )
    coa_port = args.coa_port or (default_coa_port if args.listen else None)
    return _Plan(router=config, codes=codes, coa_port=coa_port, listen=args.listen or 0.0)


def _print_event(event: CoAEvent) -> None:
    print(f"coa: {event.describe()}", flush=True)


async def _simulate(plan: _Plan, args: argparse.Namespace) -> tuple[SimReport, int]:
    async with RouterSimulator(plan.router) as router:
        if plan.coa_port is not None:
            await router.start_coa_listener(
                plan.coa_port, mode=CoAMode(args.coa_reply), on_event=_print_event
            )
        report = await run_clients(
            router,
            plan.codes,
            chap=args.chap,
            interims=args.interims,
            bytes_per_interim=args.bytes_per_interim,
            interim_seconds=args.interim_seconds,
            concurrency=args.concurrency,
        )
        if plan.listen:
            print(f"listening for CoA/Disconnect on port {plan.coa_port} for {plan.listen:g} s")
            await asyncio.sleep(plan.listen)
        return report, len(router.coa_events)


def _print_report(report: SimReport, coa_events: int) -> None:
    print(
        f"clients {report.clients}: {report.accepted} accepted, {report.rejected} rejected, "
        f"{report.timeouts} timed out"
        + (f", {report.unfinished} unfinished" if report.unfinished else "")
    )
    for reason, count in report.reject_reasons.most_common():
        print(f"  rejected {count}x: {reason}")
    print(
        f"accounting: {report.accounting_acknowledged}/{report.accounting_sent} acknowledged; "
        f"retransmissions {report.retransmissions}, invalid replies {report.invalid_replies}"
    )
    if report.missing_message_authenticator:
        print(f"replies without Message-Authenticator: {report.missing_message_authenticator}")
    if coa_events:
        print(f"CoA/Disconnect requests received: {coa_events}")
    print(
        f"{report.requests} requests in {report.elapsed:.2f} s "
        f"({report.requests_per_second:.0f} requests/s)"
    )


def cmd_simulate(ctx: AppContext, args: argparse.Namespace) -> int:
    plan = _plan(ctx, args)
    print(
        f"simulating router {args.router} from {plan.router.source_ip} against "
        f"{plan.router.server}:{plan.router.auth_port}/{plan.router.acct_port}: "
        f"{len(plan.codes)} client(s), {'CHAP' if args.chap else 'PAP'}, "
        f"{args.interims} interim(s) of {format_size(args.bytes_per_interim)}"
    )
    try:
        report, coa_events = asyncio.run(_simulate(plan, args))
    except OSError as exc:  # address not local, CoA port taken, ...
        raise WifidesaError(
            ErrorCode.CANNOT_USE_UDP, address=plan.router.source_ip, reason=exc.strerror or str(exc)
        ) from None
    _print_report(report, coa_events)
    return 0 if report.ok else 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"must be between 0 and 86400 seconds, not {text}")
    return value


def _count(text: str) -> int:
    return 0 if text.strip() == "0" else _positive(text)


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "simulate",
        help="play a registered router against the RADIUS server (tests, demos, load)",
        description="Logs in one client per unused voucher of the router's site (the code is "
        "the password), sends Start, Interim-Updates and Stop for each, and reports. The "
        "router must have a 127.x.y.z address: packets are sent from it. Uses up the vouchers.",
    )
    p.add_argument("--router", required=True, help="router name (see 'wifidesa routers list')")
    p.add_argument("--clients", type=_positive, default=10, help="how many (default 10)")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--chap", dest="chap", action="store_true", default=True, help="(default)")
    auth.add_argument("--pap", dest="chap", action="store_false")
    p.add_argument("--interims", type=_count, default=2, help="Interim-Updates per client (2)")
    p.add_argument(
        "--bytes-per-interim",
        type=size_arg,
        default="1M",
        metavar="SIZE",
        help="traffic added per interval, a fifth of it upload (default 1M)",
    )
    p.add_argument(
        "--interim-seconds",
        type=_positive,
        default=300,
        help="simulated time per interval, in Acct-Session-Time (default 300; not waited)",
    )
    p.add_argument("--concurrency", type=_positive, default=20, help="clients at once (20)")
    p.add_argument("--server", default="127.0.0.1", help="RADIUS server (default 127.0.0.1)")
    p.add_argument("--auth-port", type=_port, help="default: the radius_auth_port setting")
    p.add_argument("--acct-port", type=_port, help="default: the radius_acct_port setting")
    p.add_argument("--coa-port", type=_port, help="answer CoA/Disconnect on this port")
    p.add_argument(
        "--listen",
        type=_seconds,
        metavar="SECONDS",
        help="keep listening for CoA/Disconnect this long after the clients are done "
        "(on --coa-port, default the router's CoA port)",
    )
    p.add_argument(
        "--coa-reply",
        choices=[m.value for m in CoAMode],
        default=CoAMode.ACK.value,
        help="how to answer valid CoA/Disconnect requests (default ack)",
    )
    p.add_argument(
        "--no-message-authenticator",
        dest="message_authenticator",
        action="store_false",
        help="send Access-Requests without Message-Authenticator (RouterOS < 7.15)",
    )
    p.set_defaults(func=cmd_simulate)
