"""Figures over sites and periods are sums of site-days — except distinct devices, counted
over the period — and days without accounting are "no data", apart from zero use."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session
from wdtest.factories import make_site

from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import SiteDay, SiteDevice
from wifidesa.db.models.statistics import HOURS, LENGTHS
from wifidesa.stats.digests import digest, pack
from wifidesa.stats.distinct import Count, distinct_devices
from wifidesa.stats.figures import (
    bucket_of_quantile,
    by_site,
    daily,
    totals,
    weekday_hours,
)
from wifidesa.stats.periods import PeriodKind, period_of

MON, TUE, WED = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)
WEEK = period_of(PeriodKind.WEEK, MON)


def _day(site_id: int, day: date, **figures: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "site_id": site_id,
        "day": day,
        "sessions": 0,
        "devices": 0,
        "online_seconds": 0,
        "input_octets": 0,
        "output_octets": 0,
        "session_p50": 0,
        "session_p90": 0,
        "last_heard": datetime(2026, 12, 3, tzinfo=UTC),
        **dict.fromkeys(HOURS, 0),
        **dict.fromkeys(LENGTHS, 0),
    }
    return row | figures


def _devices(*hashes: str) -> bytes:
    return pack(digest(h) for h in hashes)


def test_a_week_of_two_villages(session: Session) -> None:
    a, b, elsewhere = make_site(session), make_site(session), make_site(session)
    session.flush()
    session.execute(
        insert(SiteDay),
        [
            _day(
                a.id,
                MON,
                sessions=3,
                devices=2,
                online_seconds=7200,
                output_octets=5 * 10**9,
                h20=3600,
                h21=3600,
                len_15m=2,
                len_1h=1,
                device_digests=_devices("d1", "d2"),
            ),
            _day(
                a.id,
                WED,
                sessions=1,
                devices=1,
                online_seconds=600,
                input_octets=10**6,
                h20=600,
                len_15m=1,
                device_digests=_devices("d1"),  # back on Wednesday: one device of the week
            ),
            _day(
                b.id,
                MON,
                sessions=2,
                devices=2,
                online_seconds=1800,
                h08=1800,
                len_30m=2,
                device_digests=_devices("d1", "d3"),  # the same phone in another village
            ),
            _day(b.id, TUE, last_heard=None),  # a row without accounting: no data that day
            _day(elsewhere.id, MON, sessions=50, devices=40),
            _day(a.id, date(2026, 12, 7), sessions=9),  # next Monday: outside the week
        ],
    )
    session.execute(
        insert(SiteDevice),
        [
            {"site_id": a.id, "digest": digest("d2"), "first_day": MON},
            {"site_id": b.id, "digest": digest("d3"), "first_day": date(2026, 11, 2)},
        ],
    )
    ids = [a.id, b.id]
    days = daily(session=session, site_ids=ids, period=WEEK)
    assert [d.day for d in days] == WEEK.dates()
    assert [(d.usage.sessions, d.sites_heard) for d in days[:4]] == [(5, 2), (0, 0), (1, 1), (0, 0)]
    assert days[0].hours[20] == 3600 and days[0].hours[8] == 1800
    found = distinct_devices(
        session=session, scope=OPERATOR, first=WEEK.first, last=WEEK.last, site_ids=ids
    )
    assert found == Count(value=3, exact=True, error=None)  # d1 once, d2, d3
    total = totals(session=session, site_ids=ids, period=WEEK, days=days, devices=found)
    assert total.new_devices == 1  # d2 first seen this week; d3 a month ago
    assert total.usage.device_days == 5
    assert total.usage.sessions == 6
    assert total.usage.octets == 5 * 10**9 + 10**6
    assert (total.sites, total.sites_heard) == (2, 2)
    assert total.median_length == (300, 900)  # 3 of 6 sessions 5-15 min, 2 15-30, 1 longer
    sums = by_site(session=session, site_ids=ids, period=WEEK)
    assert (sums[a.id].usage.sessions, sums[a.id].days_heard) == (4, 2)
    assert (sums[b.id].usage.online_seconds, sums[b.id].days_heard) == (1800, 1)
    grid = weekday_hours(days)
    assert grid[0][20] == 1.0 and grid[0][8] == 0.5  # Monday 20:00: one device online on average
    assert grid[2][20] == 600 / 3600
    assert grid[1] == [None] * 24  # Tuesday: no data, not zero use averaged in
    assert grid[0][3] == 0.0  # Monday at 03:00: heard, nobody online


def test_no_sites_no_figures(session: Session) -> None:
    days = daily(session=session, site_ids=[], period=WEEK)
    assert len(days) == 7 and all(d.sites_heard == 0 for d in days)
    none = Count(value=0, exact=True, error=None)
    total = totals(session=session, site_ids=[], period=WEEK, days=days, devices=none)
    assert (total.new_devices, total.median_length, total.sites) == (0, None, 0)
    assert by_site(session=session, site_ids=[], period=WEEK) == {}


def test_the_median_bucket_is_the_nearest_rank() -> None:
    assert bucket_of_quantile([0] * 10, 0.5) is None
    assert bucket_of_quantile([1] + [0] * 9, 0.5) == (0, 60)
    assert bucket_of_quantile([1, 1] + [0] * 8, 0.5) == (0, 60)  # rank ceil(0.5 * 2) = 1
    assert bucket_of_quantile([1, 2] + [0] * 8, 0.5) == (60, 300)
    assert bucket_of_quantile([0] * 9 + [3], 0.9) == (86400, None)


def test_a_province_of_sites_is_one_parameter_on_postgresql(session: Session, backend: str) -> None:
    # One statement text whatever the number of sites: psycopg spent ~27 ms a statement finding
    # 1,000 placeholders in its text. SQLite has no arrays: an IN list there.
    statements: list[str] = []
    engine = session.get_bind()

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        daily(session=session, site_ids=list(range(1, 1001)), period=WEEK)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    placeholders = statements[-1].count("%(") + statements[-1].count("?")
    # The sums' own few parameters, and one for the sites; or one a site.
    assert placeholders < 100 if backend == "postgresql" else placeholders > 1000
