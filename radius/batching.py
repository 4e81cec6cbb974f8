"""Requests that arrive together are handled together: one transaction per batch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from radius import wire
from radius.ratelimit import RepeatedError
from radius.replycache import Key

log = logging.getLogger(__name__)

MAX_BATCH = 512


@dataclass
class Item:
    key: Key
    addr: tuple[str, int]
    pkt: wire.Request
    request: Any  # LoginRequest or AcctRecord
    arrived: float = 0.0  # when the kernel received it (epoch seconds; radius.latency)


class Batcher:
    """Collects items and hands each batch to the database in one transaction.

    Without an `executor` the batch runs on the event loop's own thread: meanwhile new
    datagrams wait in the socket's buffer and form the next batch. Measured on this project's
    bench, that cuts the latency of a lone request from 1.4 to 0.9 ms. Batches that write run in
    the `executor` (one database thread): on SQLite a write may wait seconds for the lock
    (another process writes, a backup reads), and logins decided on the loop must not wait
    behind it. `finish` always runs on the loop, after `process` returned (committed).
    """

    def __init__(
        self,
        track: Callable[[asyncio.Future[Any]], None],
        process: Callable[[list[Item]], Any],
        finish: Callable[[list[Item], Any], None],
        *,
        executor: Executor | None = None,
        what: str = "batch",
    ) -> None:
        self.track, self.process, self.finish = track, process, finish
        self.executor = executor
        self.errors = RepeatedError(what, logger=log)
        self.items: list[Item] = []
        self.running = False

    def add(self, item: Item) -> None:
        self.items.append(item)
        if not self.running:
            self.running = True
            # call_soon: first read every datagram that is already waiting, then batch them.
            asyncio.get_running_loop().call_soon(self._start)

    def _start(self) -> None:
        self.track(asyncio.ensure_future(self._drain()))

    async def _drain(self) -> None:
        try:
            while self.items:
                batch, self.items = self.items[:MAX_BATCH], self.items[MAX_BATCH:]
                try:
                    if self.executor is None:
                        result = self.process(batch)
                    else:
                        loop = asyncio.get_running_loop()
                        result = await loop.run_in_executor(self.executor, self.process, batch)
                except Exception as exc:  # the database is down or refused: no answers
                    reason = str(exc).splitlines()[0][:200] if str(exc) else ""
                    self.errors.failed(len(batch), f"{type(exc).__name__}: {reason}")
                    result = None
                else:
                    self.errors.succeeded()
                self.finish(batch, result)
                await asyncio.sleep(0)  # read what arrived meanwhile before the next batch
        finally:
            self.running = False
