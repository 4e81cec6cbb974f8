"""Throttling failed logins: the captive portal's codes and passwords, the admins' sign-ins.

The counts live in the database (`login_failures`), so every web process shares them (the
service runs several uvicorn workers) and their size is bounded by the sweep, not by memory.

A village reaches us through one NAT, often a carrier's CGNAT shared by several villages, so a
client address says nothing about who typed. The portal counts a device (its MAC) at a router,
with a higher ceiling for the whole router so that a scan through one router is still stopped.
An admin name counts per address, with a block that doubles at each further failure: nobody
elsewhere can lock a named admin out. An address has a ceiling too, against one address trying
every admin name.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import case, delete, func, literal, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import UTCDateTime, transaction
from wifidesa.db.models import LoginFailure
from wifidesa.db.models.attempts import KEY_LENGTH
from wifidesa.usernames import normalize_mac

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Limit:
    """`failures` within `window` block a key: to the end of the window or, with `backoff`,
    for `backoff`, doubled at each further failure, at most `longest`. A success clears the
    key's count if `forgiven_by_success` (a ceiling shared by many is not cleared by one)."""

    failures: int
    window: timedelta
    backoff: timedelta | None = None
    longest: timedelta | None = None
    forgiven_by_success: bool = True

    def block_after(self, *, count: int, window_start: datetime, now: datetime) -> datetime:
        """Until when a key that has just failed for the `count`-th time is blocked."""
        if self.backoff is None:
            return window_start + self.window
        block = self.backoff * (1 << min(count - self.failures, 30))
        return now + min(block, self.longest or block)


PORTAL_DEVICE = Limit(failures=5, window=timedelta(minutes=10))
PORTAL_ROUTER = Limit(failures=50, window=timedelta(minutes=10), forgiven_by_success=False)
ADMIN_AT_ADDRESS = Limit(
    failures=5, window=timedelta(days=1), backoff=timedelta(minutes=1), longest=timedelta(hours=1)
)
ADMIN_ADDRESS = Limit(failures=50, window=timedelta(minutes=10), forgiven_by_success=False)

# The sweep of ended rows runs on every SWEEP_EVERY-th failure a process records: rows are
# few (blocked keys record no failures), and a rare sweep keeps failures cheap.
SWEEP_EVERY = 100
_recorded = itertools.count(1)


@dataclass(frozen=True)
class Counter:
    """One row's key and the limit it counts against."""

    key: str
    limit: Limit


def _key(kind: str, *parts: str) -> str:
    text = ":".join((kind, *parts))
    if len(text) <= KEY_LENGTH:
        return text
    # The portal's fields come from the client and may be long; keep their digest.
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def device_at_router(*, router: str, mac: str | None) -> Counter:
    """A device at a router; clients without a MAC (RouterOS always sends one) share one."""
    return Counter(_key("device", router, normalize_mac(mac) or "-"), PORTAL_DEVICE)


def router_ceiling(*, router: str) -> Counter:
    """Every device at a router together."""
    return Counter(_key("router", router), PORTAL_ROUTER)


def admin_at_address(*, username: str, address: str) -> Counter:
    """An admin name tried from one address. The name is kept as a digest only: people type
    their password into the name field too."""
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    return Counter(_key("admin", address, digest), ADMIN_AT_ADDRESS)


def address_ceiling(*, address: str) -> Counter:
    """Every admin name tried from one address together."""
    return Counter(_key("address", address), ADMIN_ADDRESS)


def portal_counters(*, router: str, mac: str | None) -> list[Counter]:
    """What a portal login counts against: never the client's address (CGNAT)."""
    return [device_at_router(router=router, mac=mac), router_ceiling(router=router)]


def admin_counters(*, username: str, address: str) -> list[Counter]:
    """What an admin sign-in counts against."""
    return [admin_at_address(username=username, address=address), address_ceiling(address=address)]


def blocked_until(
    *, session: Session, counters: Sequence[Counter], now: datetime
) -> datetime | None:
    """When all of these keys may try again, if any of them is blocked now."""
    until: datetime | None = session.scalar(
        select(func.max(LoginFailure.blocked_until)).where(
            LoginFailure.key.in_([c.key for c in counters]), LoginFailure.blocked_until > now
        )
    )
    return until


def record_failure(
    *, session: Session, counters: Sequence[Counter], now: datetime
) -> datetime | None:
    """Count a failure against each key; when the keys are blocked now, if any is."""
    if next(_recorded) % SWEEP_EVERY == 0:
        sweep(session=session, now=now)  # first, before this transaction holds any row
    blocks = []
    # In key order, so that two processes counting the same keys cannot deadlock.
    for counter in sorted(counters, key=lambda c: c.key):
        block = _count(session, counter, now)
        if block is not None:
            blocks.append(block)
    return max(blocks, default=None)


def _count(session: Session, counter: Counter, now: datetime) -> datetime | None:
    limit, row = counter.limit, LoginFailure
    stale = row.window_start <= now - limit.window
    fresh_end = now + limit.window
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # One statement, so that processes counting the same key at once lose no failure.
    statement = (
        insert(LoginFailure)
        .values(key=counter.key, window_start=now, count=1, expires_at=fresh_end)
        .on_conflict_do_update(
            index_elements=[row.key],
            set_={
                "window_start": case((stale, literal(now, UTCDateTime())), else_=row.window_start),
                "count": case((stale, 1), else_=row.count + 1),
                "blocked_until": case((stale, null()), else_=row.blocked_until),
                "expires_at": case(
                    (stale, literal(fresh_end, UTCDateTime())), else_=row.expires_at
                ),
            },
        )
        .returning(row.count.label("failures"), row.window_start, row.expires_at)
    )
    counted = session.execute(statement).one()
    if counted.failures < limit.failures:
        return None
    until = limit.block_after(count=counted.failures, window_start=counted.window_start, now=now)
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.key == counter.key)
        .values(blocked_until=until, expires_at=max(until, counted.expires_at))
    )
    return until


def record_success(*, session: Session, counters: Sequence[Counter]) -> None:
    """Forget the failures of the keys a success forgives (not the shared ceilings)."""
    keys = [c.key for c in counters if c.limit.forgiven_by_success]
    # Most logins follow no failure: read first, so that they write nothing (on SQLite a
    # write takes the database's one write lock, which the RADIUS workers need).
    failed = session.scalars(select(LoginFailure.key).where(LoginFailure.key.in_(keys))).all()
    if failed:
        session.execute(delete(LoginFailure).where(LoginFailure.key.in_(failed)))


def sweep(*, session: Session, now: datetime) -> int:
    """Delete the rows whose window is over and whose block has ended; how many."""
    result: Any = session.execute(delete(LoginFailure).where(LoginFailure.expires_at <= now))
    return int(result.rowcount or 0)


def guarded(
    sessions: sessionmaker[Session], operation: Callable[..., T], *, fallback: T, **arguments: Any
) -> T:
    """Run one of these operations in its own transaction, or return `fallback`.

    A database that cannot count (locked, unreachable, the table missing) must not turn a
    login into a server error: the limiter then lets the attempt through, which errs towards
    letting villagers and admins in, and the login itself still checks the credentials.
    """
    try:
        with transaction(sessions) as session:
            return operation(session=session, **arguments)
    except SQLAlchemyError as exc:
        log.warning("login limiter: %s failed (%s)", operation.__name__, type(exc).__name__)
        return fallback
