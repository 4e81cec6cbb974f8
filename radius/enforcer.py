"""Quota enforcement from a RADIUS worker: plan CoA and Disconnect requests in the database
thread, send them to the routers, record each router's answer.

Plans come from the core (`wifidesa.usage.enforcement`, the requests' lifecycle from
`wifidesa.usage.coa_requests`): after an accounting batch whose usage
grew (throttle or cut the accounts over their quota), at housekeeping (restores after a reset,
queued requests), and every second on the reaper worker (admins' queued Disconnects, requests
cut short by a restart).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from radius import coa
from radius.ratelimit import RepeatedError
from wifidesa import redact
from wifidesa.clock import Clock
from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import CoAResult
from wifidesa.places.routers import NasClient
from wifidesa.usage.coa_requests import (
    SessionAction,
    record_outcome,
    recover_stale,
    requests_due,
    take_queued,
)
from wifidesa.usage.enforcement import plan_quota_actions, plan_restores

log = logging.getLogger(__name__)

# An admin's Disconnect leaves within about this long (the reaper worker looks for it).
QUEUE_SECONDS = 1.0


@dataclass
class Enforcer:
    """What a worker lends its enforcement: clock, sessions, lock, database thread, routers."""

    clock: Clock
    sessions: sessionmaker[Session]  # writes (SQLite: the write lock at BEGIN)
    read_sessions: sessionmaker[Session]
    writer_lock: WriterLock
    executor: Executor  # the worker's one database thread
    track: Callable[[asyncio.Future[Any]], None]
    count: Callable[[str], None]
    clients: Callable[[], dict[str, NasClient]]  # by address, as last loaded

    def _plan(self, account_ids: set[int] | None) -> list[SessionAction]:
        now = self.clock()
        with self.writer_lock.held(), transaction(self.sessions) as session:
            if account_ids is not None:
                return plan_quota_actions(session=session, account_ids=account_ids, now=now)
            recover_stale(session=session, now=now)
            return plan_restores(session=session, now=now) + take_queued(session=session, now=now)

    def _plan_queued(self) -> list[SessionAction]:
        """Queued Disconnects and requests cut short by a restart; a read first, which mostly
        finds none, so the write lock is taken only when there is something to send."""
        now = self.clock()
        with transaction(self.read_sessions) as session:
            if not requests_due(session=session, now=now):
                return []
        with self.writer_lock.held(), transaction(self.sessions) as session:
            if recovered := recover_stale(session=session, now=now):
                log.warning("%d CoA/Disconnect request(s) cut short by a restart, again", recovered)
            return take_queued(session=session, now=now)

    async def enforce(self, account_ids: set[int] | None) -> None:
        """Plan (usage grew: throttle/cut; None: restores and queued requests) and send."""
        loop = asyncio.get_running_loop()
        try:
            actions = await loop.run_in_executor(self.executor, self._plan, account_ids)
        except Exception as exc:
            log.error("quota check failed: %s", type(exc).__name__)
            return
        self._send_all(actions)

    def _send_all(self, actions: list[SessionAction]) -> None:
        for action in actions:
            self.track(asyncio.ensure_future(self._send(action)))

    async def watch_queue(self, report_every: float) -> None:
        """Send admins' Disconnects within a second, not at the next housekeeping."""
        loop = asyncio.get_running_loop()
        errors = RepeatedError("the check for queued Disconnects", report_every, logger=log)
        while True:
            await asyncio.sleep(QUEUE_SECONDS)
            try:
                actions = await loop.run_in_executor(self.executor, self._plan_queued)
            except Exception as exc:
                errors.failed(0, type(exc).__name__)
                continue
            errors.succeeded()
            self._send_all(actions)

    async def _send(self, action: SessionAction) -> None:
        clients = self.clients().values()
        client = next((c for c in clients if c.router_id == action.router_id), None)
        result: CoAResult
        detail: str | None
        if client is None:
            result, detail = CoAResult.NAK, "router no longer registered"
        else:
            result, detail = await coa.send(client, action)
        self.count(f"coa_{result.value}")
        log.info(
            "%s of session %s (%s) at router %s: %s%s",
            action.action.value,
            action.acct_session_id,
            redact.login_name(action.username),
            client.name if client else action.router_id,
            result.value,
            f" ({detail})" if detail else "",
        )

        def record() -> None:
            with self.writer_lock.held(), transaction(self.sessions) as session:
                record_outcome(
                    session=session, action=action, result=result, now=self.clock(), detail=detail
                )

        try:
            await asyncio.get_running_loop().run_in_executor(self.executor, record)
        except Exception as exc:
            log.error("could not record the CoA outcome: %s", type(exc).__name__)
