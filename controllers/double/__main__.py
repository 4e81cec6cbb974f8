"""`python -m controllers.double --routers 3 --first 127.0.0.1:18728`: simulated routers on
consecutive loopback addresses until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
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
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    host, _, port = args.first.rpartition(":")
    routers = loopback_routers(
        args.routers, first=host, port=int(port), username=args.username, password=args.password
    )
    for router in routers:
        router.faults.delay = args.delay
        await router.start()
        print(f"{router.state.identity} listening on {router.host}:{router.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for router in routers:
        await router.stop()


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
