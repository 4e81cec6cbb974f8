"""A RADIUS worker's login counts for statistics: each answered login counted in memory per
village, local day and outcome (no database write per login), appended every
`stats_login_flush_seconds` and when the worker stops (wifidesa.stats.logins)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from radius.batching import Item
from radius.ratelimit import RateLimitedLog
from wifidesa.access.logins import LoginDecision, LoginRequest
from wifidesa.db.engine import WriterLock
from wifidesa.places.routers import NasClient
from wifidesa.settings import Settings
from wifidesa.stats.logins import LoginCounter, outcome_of

log = logging.getLogger(__name__)


class LoginCounts:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        lock: WriterLock,
        executor: ThreadPoolExecutor,  # the worker's database thread
        clients: Callable[[], dict[str, NasClient]],
        default_zone: str,
        problems: RateLimitedLog,
    ) -> None:
        self.counter = LoginCounter()
        self.sessions, self.lock, self.executor = sessions, lock, executor
        self.clients, self.default_zone, self.problems = clients, default_zone, problems

    def add(self, item: Item, decision: LoginDecision, now: datetime) -> None:
        """Count one answered login (on the event loop)."""
        request: LoginRequest = item.request
        client = self.clients().get(item.addr[0])
        # A router deleted since the request arrived: its site's day in the default zone.
        zone = client.zone if client is not None else self.default_zone
        self.counter.add(site_id=request.site_id, zone=zone, at=now, outcome=outcome_of(decision))

    def flush(self) -> int:
        """Append the counts (in the database thread); raises if it fails, and the counts wait
        for the next flush."""
        return self.counter.flush(sessions=self.sessions, lock=self.lock)

    async def store_every(self, settings: Settings) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(settings.stats_login_flush_seconds)
            try:
                await loop.run_in_executor(self.executor, self.flush)
            except Exception as exc:  # the database is down: kept for the next flush
                self.problems.warning(
                    "login counts", "login counts not stored, kept: %s", type(exc).__name__
                )

    async def store_last(self) -> None:
        """What was counted since the last flush, when the worker stops."""
        try:
            await asyncio.get_running_loop().run_in_executor(self.executor, self.flush)
        except Exception as exc:
            log.error("login counts of the last interval not stored: %s", type(exc).__name__)
