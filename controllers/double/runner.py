"""Many simulated routers in one process: an asyncio loop in a thread of its own serves them
while blocking clients (tests, benches, the poller) talk to them from other threads."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from collections.abc import Coroutine, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from controllers.double.server import DoubleRouter
from controllers.double.state import RouterState

T = TypeVar("T")


def loopback_routers(
    count: int,
    *,
    first: str = "127.0.0.1",
    port: int = 0,
    username: str = "admin",
    password: str = "",
) -> list[DoubleRouter]:
    """`count` routers on consecutive loopback addresses from `first` (127.0.0.0/8 only: a
    double must never answer on a real network), each on `port` (0: a free one each)."""
    start = ipaddress.ip_address(first)
    loopback = ipaddress.ip_network("127.0.0.0/8")
    routers = []
    for number in range(count):
        address = start + number
        if address not in loopback:
            raise ValueError(f"{address} is not a loopback address")
        routers.append(
            DoubleRouter(
                host=str(address),
                port=port,
                username=username,
                password=password,
                state=RouterState(identity=f"desa-{number + 1:04d}"),
                seed=number,
            )
        )
    return routers


class DoubleRunner:
    """Serves `routers` from a background thread until `stop()` (or the `with` block ends)."""

    def __init__(self, routers: Sequence[DoubleRouter]) -> None:
        self.routers = list(routers)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="routeros-double", daemon=True
        )

    def start(self) -> Self:
        self._thread.start()
        self.call(self._start_all())
        return self

    async def _start_all(self) -> None:
        for router in self.routers:
            await router.start()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self.call(self._stop_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()

    async def _stop_all(self) -> None:
        for router in self.routers:
            await router.stop()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run `coroutine` on the double's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def set_faults(self, router: DoubleRouter, **changes: object) -> None:
        """Switch `router`'s faults (see `Faults`) while it runs."""
        self.call(router.apply(**changes))

    def reboot(self, router: DoubleRouter) -> None:
        """Restart `router` as `/system/reboot` would."""

        async def reboot() -> None:
            router.reboot()

        self.call(reboot())

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
