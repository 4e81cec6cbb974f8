"""Availability as connectivity SLAs count it: outages over 300 s only, split at WITA
midnight, power cuts and central-side incidents apart, no data apart, per router, site,
region, day and month, scoped."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_router
from wdtest.fleet import answer, fail, poll

from wifidesa.crypto import SecretBox
from wifidesa.db.models import (
    OutageCause,
    Router,
    RouterHealth,
    RouterInterval,
    RouterState,
)
from wifidesa.fleet.availability import (
    Availability,
    Per,
    TimeClass,
    router_availability,
    timeline,
    window_availability,
)

DAY1, DAY2 = date(2026, 3, 10), date(2026, 3, 11)
MIDNIGHT1 = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # 10 March 00:00 WITA
MIDNIGHT2 = MIDNIGHT1 + timedelta(days=1)
MIDNIGHT3 = MIDNIGHT2 + timedelta(days=1)
LATER = MIDNIGHT3 + timedelta(days=30)
UP, DOWN, UNKNOWN = RouterState.UP, RouterState.DOWN, RouterState.UNKNOWN
MIN = timedelta(minutes=1)


def store(
    session: Session,
    router: Router,
    *stretches: tuple[RouterState, OutageCause | None, datetime, datetime | None],
) -> None:
    """The router's history as rounds would have left it."""
    for state, cause, start, end in stretches:
        session.add(
            RouterInterval(
                router_id=router.id, state=state, cause=cause, started_at=start, ended_at=end
            )
        )
    last = stretches[-1]
    session.add(
        RouterHealth(
            router_id=router.id,
            state=last[0],
            cause=last[1],
            state_since=last[2],
            last_poll_at=LATER,
            consecutive_failures=0,
            failing_central=False,
        )
    )
    session.flush()


def days_of(
    session: Session, router: Router, now: datetime = LATER, per: Per = Per.DAY
) -> dict[date, Availability]:
    return router_availability(
        session=session, router_ids=[router.id], first_day=DAY1, last_day=DAY2, now=now, per=per
    )[router.id]


def with_outage(
    session: Session, box: SecretBox, start: datetime, end: datetime, cause: OutageCause
) -> Router:
    router = make_router(session, box)
    store(
        session,
        router,
        (UP, None, MIDNIGHT1 - timedelta(days=1), start),
        (DOWN, cause, start, end),
        (UP, None, end, None),
    )
    return router


def test_an_outage_across_wita_midnight_counts_on_both_days(
    session: Session, box: SecretBox
) -> None:
    router = with_outage(
        session, box, MIDNIGHT2 - 10 * MIN, MIDNIGHT2 + 20 * MIN, OutageCause.BACKHAUL
    )
    days = days_of(session, router)
    assert (days[DAY1].outage_seconds, days[DAY2].outage_seconds) == (600, 1200)
    assert (days[DAY1].outages, days[DAY2].outages) == (1, 0)  # one outage, counted once
    assert days[DAY1].up_seconds == 86_400 - 600
    assert days[DAY1].percent == pytest.approx(100 * (86_400 - 600) / 86_400)
    assert days[DAY2].minutes[TimeClass.OUTAGE] == 20
    assert days[DAY2].no_data_seconds == 0


@pytest.mark.parametrize(("seconds", "charged"), [(299, False), (300, False), (301, True)])
def test_only_an_outage_longer_than_300_seconds_counts(
    session: Session, box: SecretBox, seconds: int, charged: bool
) -> None:
    start = MIDNIGHT1 + timedelta(hours=10)
    router = with_outage(
        session, box, start, start + timedelta(seconds=seconds), OutageCause.BACKHAUL
    )
    day = days_of(session, router)[DAY1]
    assert (day.outage_seconds, day.short_outage_seconds) == (
        (seconds, 0) if charged else (0, seconds)
    )
    assert day.outages == int(charged)
    assert day.percent == pytest.approx(100 * (86_400 - seconds) / 86_400 if charged else 100)


def test_power_cuts_are_reported_apart_and_not_charged(session: Session, box: SecretBox) -> None:
    start = MIDNIGHT1 + timedelta(hours=18)
    router = with_outage(session, box, start, start + timedelta(hours=2), OutageCause.RESTART)
    day = days_of(session, router)[DAY1]
    assert (day.power_seconds, day.power_cuts, day.outage_seconds, day.outages) == (7200, 1, 0, 0)
    assert day.known_seconds == 86_400
    assert day.percent == 100


def test_central_side_incidents_are_reported_apart_and_not_charged_to_the_village(
    session: Session, box: SecretBox
) -> None:
    start = MIDNIGHT1 + timedelta(hours=3)
    router = with_outage(session, box, start, start + timedelta(hours=1), OutageCause.CENTRAL)
    day = days_of(session, router)[DAY1]
    assert (day.central_seconds, day.outage_seconds, day.percent) == (3600, 0, 100)


def test_time_nobody_knows_about_is_no_data_neither_up_nor_down(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    noon = MIDNIGHT1 + timedelta(hours=12)
    store(
        session,
        router,
        # First polled at noon; unknown (the poller stopped) 18:00-20:00; a charged hour.
        (UP, None, noon, noon + timedelta(hours=6)),
        (UNKNOWN, None, noon + timedelta(hours=6), noon + timedelta(hours=8)),
        (UP, None, noon + timedelta(hours=8), noon + timedelta(hours=10)),
        (DOWN, OutageCause.BACKHAUL, noon + timedelta(hours=10), noon + timedelta(hours=11)),
        (UP, None, noon + timedelta(hours=11), None),
    )
    day = days_of(session, router)[DAY1]
    assert day.no_data_seconds == 14 * 3600
    assert (day.up_seconds, day.outage_seconds) == (9 * 3600, 3600)
    assert day.percent == pytest.approx(100 * 9 / 10)


def test_an_open_interval_the_poller_stopped_watching_is_no_data_after_its_last_poll(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    store(session, router, (UP, None, MIDNIGHT1, None))
    health = session.get(RouterHealth, router.id)
    assert health is not None
    health.last_poll_at = MIDNIGHT1 + timedelta(hours=6)
    day = days_of(session, router)[DAY1]
    assert (day.up_seconds, day.no_data_seconds) == (6 * 3600, 18 * 3600)
    # Today so far: time after now is not counted at all.
    health.last_poll_at = MIDNIGHT1 + timedelta(hours=6)
    today = days_of(session, router, now=MIDNIGHT1 + timedelta(hours=6, minutes=5))[DAY1]
    assert (today.up_seconds, today.no_data_seconds) == (6 * 3600 + 300, 0)


def test_a_month_sums_its_days(session: Session, box: SecretBox) -> None:
    router = with_outage(
        session, box, MIDNIGHT2 - 10 * MIN, MIDNIGHT2 + 20 * MIN, OutageCause.BACKHAUL
    )
    month = router_availability(
        session=session,
        router_ids=[router.id],
        first_day=date(2026, 3, 1),
        last_day=date(2026, 3, 31),
        now=LATER,
        per=Per.MONTH,
    )[router.id]
    march = month[date(2026, 3, 1)]
    assert (march.outage_seconds, march.outages) == (1800, 1)
    assert march.no_data_seconds == 8 * 86_400  # 1-8 March: before its history begins
    assert march.percent == pytest.approx(100 * (23 * 86_400 - 1800) / (23 * 86_400))


def test_availability_follows_the_rounds_that_recorded_it(session: Session, box: SecretBox) -> None:
    router = make_router(session, box)
    start = MIDNIGHT1 + timedelta(hours=10)
    poll(session, answer(router, start, 1000))
    poll(session, fail(router, start + 5 * MIN))
    poll(session, fail(router, start + 10 * MIN))
    poll(session, answer(router, start + 20 * MIN, 1000 + 20 * 60))
    window = window_availability(
        session=session,
        router_ids=[router.id],
        start=start,
        end=start + timedelta(hours=1),
        now=start + 30 * MIN,  # the last poll 10 minutes ago: still watched
    )[router.id]
    # Down from the first failed poll to the answer: 15 minutes charged.
    assert (window.up_seconds, window.outage_seconds, window.outages) == (15 * 60, 15 * 60, 1)


def test_a_whole_period_is_the_sum_of_its_days(session: Session, box: SecretBox) -> None:
    router = with_outage(
        session, box, MIDNIGHT2 - 10 * MIN, MIDNIGHT2 + 20 * MIN, OutageCause.BACKHAUL
    )
    whole = days_of(session, router, per=Per.PERIOD)
    days = days_of(session, router)
    assert list(whole) == [DAY1]  # keyed by the first day
    assert whole[DAY1] == days[DAY1] + days[DAY2]
    assert (whole[DAY1].outage_seconds, whole[DAY1].outages) == (1800, 1)


def test_the_timeline_is_the_stretches_availability_counts(
    session: Session, box: SecretBox
) -> None:
    router = make_router(session, box)
    noon = MIDNIGHT1 + timedelta(hours=12)
    store(
        session,
        router,
        (UP, None, noon, noon + timedelta(hours=1)),
        (UNKNOWN, None, noon + timedelta(hours=1), noon + timedelta(hours=2)),
        (UP, None, noon + timedelta(hours=3), noon + timedelta(hours=4)),
        (
            DOWN,
            OutageCause.BACKHAUL,
            noon + timedelta(hours=4),
            noon + timedelta(hours=4, seconds=200),
        ),
        (UP, None, noon + timedelta(hours=4, seconds=200), None),
    )
    stretches = timeline(
        session=session,
        router_id=router.id,
        start=MIDNIGHT1,
        end=noon + timedelta(hours=5),
        now=LATER,
    )
    assert [(s.kind, s.start, s.end) for s in stretches] == [
        (TimeClass.NO_DATA, MIDNIGHT1, noon),
        (TimeClass.UP, noon, noon + timedelta(hours=1)),
        # the unknown interval and the gap after it: one stretch of no data
        (TimeClass.NO_DATA, noon + timedelta(hours=1), noon + timedelta(hours=3)),
        (TimeClass.UP, noon + timedelta(hours=3), noon + timedelta(hours=4)),
        (TimeClass.SHORT_OUTAGE, noon + timedelta(hours=4), noon + timedelta(hours=4, seconds=200)),
        (TimeClass.UP, noon + timedelta(hours=4, seconds=200), noon + timedelta(hours=5)),
    ]
    assert timeline(session=session, router_id=router.id, start=LATER, end=LATER, now=LATER) == []
