"""Polls rolled up per router and local day: answers, round trip, peaks, WAN traffic from
counter differences (never negative), restarts, on the WITA day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_router

from wifidesa.crypto import SecretBox
from wifidesa.db.models import RouterDay
from wifidesa.fleet.days import counter_delta
from wifidesa.fleet.rounds import record_round
from wifidesa.fleet.samples import Failure, Sample

# 23:50 WITA on 10 March; ten minutes later it is 11 March at the village.
LATE = datetime(2026, 3, 10, 15, 50, tzinfo=UTC)
POLL = timedelta(minutes=5)


def test_a_counter_moves_by_its_difference_and_starts_over_after_going_back() -> None:
    assert counter_delta(1_500, 1_000, restarted=False) == 500
    assert counter_delta(300, 1_000, restarted=False) == 300  # went back: started over
    assert counter_delta(300, 100, restarted=True) == 300  # since the router started again
    assert counter_delta(300, None, restarted=False) == 0  # no earlier reading
    assert counter_delta(None, 1_000, restarted=False) == 0


def test_a_routers_polls_roll_up_into_its_local_days(session: Session, box: SecretBox) -> None:
    router = make_router(session, box)

    def answer(
        at: datetime, uptime: int, rx: int, tx: int, rtt: float, cpu: int, users: int
    ) -> Sample:
        return Sample(
            router_id=router.id,
            at=at,
            uptime_seconds=uptime,
            wan_rx_bytes=rx,
            wan_tx_bytes=tx,
            rtt_ms=rtt,
            cpu_load=cpu,
            hotspot_active=users,
        )

    rounds = [
        answer(LATE - POLL, 10_000, 1_000_000, 100_000, 700.0, 20, 30),
        answer(LATE, 10_300, 1_600_000, 150_000, 900.0, 60, 25),
        Sample(router_id=router.id, at=LATE + POLL, failure=Failure.TIMEOUT),  # 23:55
        # 00:05 WITA: a new day; the counters went on (the difference goes to this day).
        answer(LATE + 3 * POLL, 11_200, 2_000_000, 170_000, 650.0, 10, 5),
        # It started again: its counters count from zero, never a negative difference.
        answer(LATE + 4 * POLL, 100, 40_000, 9_000, 750.0, 95, 2),
    ]
    for sample in rounds:
        record_round(session=session, samples=[sample], now=sample.at)
    days = {
        row.day: row
        for row in session.scalars(select(RouterDay).where(RouterDay.router_id == router.id))
    }
    first, second = days[date(2026, 3, 10)], days[date(2026, 3, 11)]
    assert (first.polls, first.answered, first.restarts) == (3, 2, 0)
    assert (first.rtt_avg_ms, first.rtt_max_ms, first.cpu_max, first.active_max) == (
        800.0,
        900.0,
        60,
        30,
    )
    assert (first.wan_down_bytes, first.wan_up_bytes) == (600_000, 50_000)
    assert (second.polls, second.answered, second.restarts) == (2, 2, 1)
    assert (second.rtt_max_ms, second.cpu_max, second.active_max) == (750.0, 95, 5)
    assert (second.wan_down_bytes, second.wan_up_bytes) == (400_000 + 40_000, 20_000 + 9_000)
