"""`python -m controllers.double --routers 3 --first 127.0.0.1:18728`: simulated routers on
consecutive loopback addresses until Ctrl-C (or SIGTERM), then one line of the API traffic
they served (JSON: commands, bytes in and out), for benches."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from controllers.double.runner import loopback_routers


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m controllers.double", description=__doc__)
    parser.add_argument("--routers", type=int, default=3, help="how many (default 3)")
    parser.add_argument(
        "--first",
        default="127.0.0.1:18728",
        help="first address:port; the next routers take the next addresses",
    )
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="", help="the API password of every router")
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds added to every reply (0.7: VSAT)"
    )
    parser.add_argument(
        "--silent", type=float, default=0.0, help="the fraction that never answers (0.05)"
    )
    parser.add_argument(
        "--dropping",
        type=float,
        default=0.0,
        help="the fraction that drops the connection in the middle of each answer (0.02)",
    )
    parser.add_argument(
        "--silent-router",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="router number N (1: the first) never answers (repeatable)",
    )
    return parser.parse_args(argv)


def _every(fraction: float, count: int, offset: float = 0.0) -> set[int]:
    """Which of `count` routers have a fault, spread evenly from `offset` (a fraction of the
    spacing: two faults at different offsets rarely pick the same router), the same ones on
    every run."""
    chosen = round(fraction * count)
    return {int((i + offset) * count / chosen) for i in range(chosen)} if chosen else set()


async def _serve(args: argparse.Namespace) -> None:
    host, _, port = args.first.rpartition(":")
    routers = loopback_routers(
        args.routers, first=host, port=int(port), username=args.username, password=args.password
    )
    silent = _every(args.silent, len(routers)) | {n - 1 for n in args.silent_router}
    dropping = _every(args.dropping, len(routers), offset=0.5) - silent
    for number, router in enumerate(routers):
        router.faults.delay = args.delay
        router.faults.silent = number in silent
        router.faults.drop_mid_reply = number in dropping
        await router.start()
        print(f"{router.state.identity} listening on {router.host}:{router.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for router in routers:
        await router.stop()
    traffic = {
        "commands": sum(r.commands for r in routers),
        "bytes_in": sum(r.bytes_in for r in routers),
        "bytes_out": sum(r.bytes_out for r in routers),
    }
    print(json.dumps(traffic), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        asyncio.run(_serve(args))
    except (OSError, ValueError) as error:
        print(f"double: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
