"""Poll samples and what a round made of them, for the fleet's tests: build samples with
`Sample(...)` as the poller does, apply them through the real `record_round`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

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
