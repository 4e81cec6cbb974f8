"""Poll samples and what a round made of them, for the fleet's tests: build samples with
`Sample(...)` as the poller does, apply them through the real `record_round`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.models import OutageCause, Router, RouterHealth, RouterInterval, RouterState
from wifidesa.fleet.rounds import record_round
from wifidesa.fleet.samples import Failure, Sample
from wifidesa.fleet.transitions import Transition, TransitionKind

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 WITA
POLL = timedelta(minutes=5)
UP, DOWN, UNKNOWN = RouterState.UP, RouterState.DOWN, RouterState.UNKNOWN
BACKHAUL, RESTART, CENTRAL = OutageCause.BACKHAUL, OutageCause.RESTART, OutageCause.CENTRAL


def answer(router: Router, at: datetime, uptime: int, **fields: Any) -> Sample:
    return Sample(router_id=router.id, at=at, uptime_seconds=uptime, **fields)


def fail(router: Router, at: datetime, failure: Failure = Failure.TIMEOUT) -> Sample:
    return Sample(router_id=router.id, at=at, failure=failure)


def poll(session: Session, *samples: Sample, now: datetime | None = None) -> list[Transition]:
    return record_round(session=session, samples=samples, now=now or samples[0].at)


def history(session: Session, router: Router) -> list[tuple[object, ...]]:
    rows = session.scalars(
        select(RouterInterval)
        .where(RouterInterval.router_id == router.id)
        .order_by(RouterInterval.started_at, RouterInterval.id)
    )
    return [(row.state, row.cause, row.started_at, row.ended_at) for row in rows]


def health(session: Session, router: Router) -> RouterHealth:
    row = session.get(RouterHealth, router.id)
    assert row is not None
    return row


def kinds(transitions: list[Transition]) -> list[tuple[TransitionKind, datetime, object]]:
    return [(t.kind, t.at, t.cause) for t in transitions]


def villages_polled(sessions: sessionmaker[Session], ids: dict[str, object]) -> datetime:
    """In the admin world (wdtest.admin_world): the routers of villages A and B get an API
    address and are polled every 5 minutes over the last half hour until `now` (returned);
    A answers twice, then fails: down (backhaul) since 20 minutes ago, still down. C's router
    stays as it was: not configured, never polled."""
    now = datetime.now(UTC).replace(microsecond=0)
    with sessions.begin() as session:
        routers = [session.get(Router, ids[f"router_{key}"]) for key in ("a", "b")]
        for n, router in enumerate(routers):
            assert router is not None
            router.api_host, router.api_username = f"10.99.0.{n + 1}", "wifidesa"
        a, b = routers
        assert a is not None and b is not None
        for step in range(6, 0, -1):
            at = now - step * POLL
            first = answer(a, at, 86_400 + 300 * (6 - step), version="7.9", cpu_load=12)
            poll(
                session,
                first if step >= 5 else fail(a, at),
                answer(b, at, 3600 + 300 * (6 - step), version="7.16.2 (stable)", hotspot_active=9),
            )
    return now
