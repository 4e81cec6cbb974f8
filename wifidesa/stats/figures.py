"""Figures for a set of sites over a period, from the site-day rollups (stats_site_days): the
daily trend, sums per site, the hour-of-day profile and the headline totals. Every figure is a
sum of site-days, except distinct devices, which are counted over the period itself (a device
that came back every day of a month is one device, not thirty).

The same sums are kept ready for the long periods of many sites: per province or kabupaten
and day (stats_area_days: a region's daily figures and headline) and per site and month
(stats_site_months: each site's sums over the period's whole months). Each equals the sum of
its site-days (wifidesa.stats.area_days, wifidesa.stats.site_months); `aggregates=False`
reads the site-days alone, the reference they are checked against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Label, Select, case, func, select, union_all
from sqlalchemy.orm import Session

from wifidesa.db.bulk import one_of_ids
from wifidesa.db.models import AreaDay, SiteDay, SiteDevice, SiteMonth
from wifidesa.db.models.statistics import HOURS, LENGTH_BOUNDS, LENGTHS
from wifidesa.stats.area_sketches import has_sketches
from wifidesa.stats.distinct import Count
from wifidesa.stats.periods import Period, PeriodKind, period_of, whole_months

_SUMMED = (
    "sessions",
    "devices",
    "online_seconds",
    "input_octets",
    "output_octets",
    "quota_accounts",
)


@dataclass(frozen=True)
class Usage:
    """Sums over site-days. `device_days` adds each site-day's distinct devices: a device
    counts once per site and day."""

    sessions: int = 0
    device_days: int = 0
    online_seconds: int = 0
    input_octets: int = 0  # from the devices (upload)
    output_octets: int = 0  # to the devices (download)
    quota_accounts: int = 0  # accounts that reached their quota, summed over days

    @property
    def octets(self) -> int:
        return self.input_octets + self.output_octets


@dataclass(frozen=True)
class DayFigures:
    day: date
    usage: Usage
    hours: tuple[int, ...]  # seconds online in each local hour 00..23
    sites_heard: int  # sites with any accounting for this day: 0 is "no data", not zero use


@dataclass(frozen=True)
class SiteFigures:
    site_id: int
    usage: Usage
    days_heard: int  # days of the period with accounting from the site
    last_heard: datetime | None  # the latest accounting for a day of the period


@dataclass(frozen=True)
class Totals:
    usage: Usage
    devices: Count  # distinct devices over the whole period (exact, or an estimate)
    new_devices: int  # first seen at a village of the area in the period
    lengths: tuple[int, ...]  # sessions by length bucket (LENGTHS)
    sites: int
    sites_heard: int

    @property
    def median_length(self) -> tuple[int, int | None] | None:
        """The length bucket of the median session: (from, to) seconds, None above a day."""
        return bucket_of_quantile(self.lengths, 0.5)


def _usage(row: object, prefix: str = "") -> Usage:
    values = [int(getattr(row, f"{prefix}{name}") or 0) for name in _SUMMED]
    return Usage(*values)


def _sums(*names: str, table: Any = SiteDay) -> list[Label[int]]:
    return [func.coalesce(func.sum(getattr(table, name)), 0).label(name) for name in names]


def summed_area(area: str | None) -> str | None:
    """The code of `area` if its sums per day are kept (a province or kabupaten), else None."""
    return area if area is not None and has_sketches(area) else None


def _in_period(
    session: Session, site_ids: Sequence[int], period: Period
) -> list[ColumnElement[bool]]:
    return [
        one_of_ids(SiteDay.site_id, site_ids, session=session),
        SiteDay.day >= period.first,
        SiteDay.day <= period.last,
    ]


def daily(
    *, session: Session, site_ids: Sequence[int], period: Period, area: str | None = None
) -> list[DayFigures]:
    """One entry per day of the period, days without rows included (sites_heard 0). `area`:
    the code of the region these are all the sites of, whose sums per day are read if kept
    (summed_area)."""
    if summed_area(area) is not None:
        query = select(
            AreaDay.day,
            *(getattr(AreaDay, name) for name in (*_SUMMED, *HOURS)),
            AreaDay.sites_heard.label("heard"),
        ).where(AreaDay.area_code == area, AreaDay.day >= period.first, AreaDay.day <= period.last)
    else:
        query = (
            select(
                SiteDay.day,
                *_sums(*_SUMMED, *HOURS),
                func.count(SiteDay.last_heard).label("heard"),
            )
            .where(*_in_period(session, site_ids, period))
            .group_by(SiteDay.day)
        )
    found = {row.day: row for row in session.execute(query)} if site_ids else {}
    days = []
    for day in period.dates():
        row = found.get(day)
        if row is None:
            days.append(DayFigures(day, Usage(), (0,) * 24, 0))
        else:
            hours = tuple(int(getattr(row, hour)) for hour in HOURS)
            days.append(DayFigures(day, _usage(row), hours, int(row.heard)))
    return days


def by_site(
    *, session: Session, site_ids: Sequence[int], period: Period, aggregates: bool = True
) -> dict[int, SiteFigures]:
    """Sums per site over the period; sites without rows are left out. The period's whole
    months are read from the site-months (unless `aggregates` is False), the days before and
    after them from the site-days; the database adds them up, one row a site."""
    if not site_ids:
        return {}
    months = whole_months(period) if aggregates else None
    parts: list[Select[Any]] = []
    spans = [(period.first, period.last)]
    if months is not None:
        parts.append(
            select(
                SiteMonth.site_id,
                *(getattr(SiteMonth, name).label(name) for name in _SUMMED),
                SiteMonth.days_heard.label("heard"),
                SiteMonth.last_heard,
            ).where(
                one_of_ids(SiteMonth.site_id, site_ids, session=session),
                SiteMonth.month >= months[0],
                SiteMonth.month <= months[1],
            )
        )
        end = period_of(PeriodKind.MONTH, months[1]).last
        spans = [
            (period.first, months[0] - timedelta(days=1)),
            (end + timedelta(days=1), period.last),
        ]
    # One part a span: each reads the sites' primary key ranges (an OR of two spans made
    # SQLite read every day of every site).
    parts += [
        select(
            SiteDay.site_id,
            *(getattr(SiteDay, name).label(name) for name in _SUMMED),
            case((SiteDay.last_heard.is_not(None), 1), else_=0).label("heard"),
            SiteDay.last_heard,
        ).where(*_in_period(session, site_ids, Period(PeriodKind.CUSTOM, first, last)))
        for first, last in spans
        if first <= last
    ]
    rows = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    query = select(
        rows.c.site_id,
        *(func.coalesce(func.sum(rows.c[name]), 0).label(name) for name in _SUMMED),
        func.coalesce(func.sum(rows.c.heard), 0).label("heard"),
        func.max(rows.c.last_heard).label("last_heard"),
    ).group_by(rows.c.site_id)
    return {
        row.site_id: SiteFigures(row.site_id, _usage(row), int(row.heard), row.last_heard)
        for row in session.execute(query)
    }


def new_devices(*, session: Session, site_ids: Sequence[int], period: Period) -> int:
    """Devices first seen at one of these villages in the period (a device new at two villages
    counts at each: it was new to both)."""
    if not site_ids:
        return 0
    query = select(func.count()).where(
        one_of_ids(SiteDevice.site_id, site_ids, session=session),
        SiteDevice.first_day >= period.first,
        SiteDevice.first_day <= period.last,
    )
    return int(session.scalar(query) or 0)


def totals(
    *,
    session: Session,
    site_ids: Sequence[int],
    period: Period,
    days: list[DayFigures],
    devices: Count,
    per_site: dict[int, SiteFigures] | None = None,
    area: str | None = None,
) -> Totals:
    """The headline figures: sums of the days (from `daily`), lengths, and the distinct
    devices counted by the caller (wifidesa.stats.distinct, in the caller's scope). The sites
    heard are those of `per_site` (by_site's) with a day heard, if the caller has them;
    `area` as for `daily`."""
    usage = Usage(*(sum(getattr(d.usage, name) for d in days) for name in Usage.__annotations__))
    lengths: tuple[int, ...] = (0,) * len(LENGTHS)
    heard = 0
    if site_ids:
        if summed_area(area) is not None:
            query = select(*_sums(*LENGTHS, table=AreaDay)).where(
                AreaDay.area_code == area, AreaDay.day >= period.first, AreaDay.day <= period.last
            )
        else:
            query = select(*_sums(*LENGTHS)).where(
                *_in_period(session, site_ids, period), SiteDay.last_heard.is_not(None)
            )
        row = session.execute(query).one()
        lengths = tuple(int(getattr(row, name)) for name in LENGTHS)
        if per_site is None:
            per_site = by_site(session=session, site_ids=site_ids, period=period)
        heard = sum(1 for figures in per_site.values() if figures.days_heard)
    return Totals(
        usage=usage,
        devices=devices,
        new_devices=new_devices(session=session, site_ids=site_ids, period=period),
        lengths=lengths,
        sites=len(site_ids),
        sites_heard=heard,
    )


def bucket_of_quantile(counts: Sequence[int], q: float) -> tuple[int, int | None] | None:
    """The length bucket holding the q-quantile of the sessions counted (None: no sessions)."""
    total = sum(counts)
    if total == 0:
        return None
    rank = max(1, -(-int(q * total * 1_000_000) // 1_000_000))  # nearest rank, ceil(q*total)
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= rank:
            low = 0 if index == 0 else LENGTH_BOUNDS[index - 1]
            high = LENGTH_BOUNDS[index] if index < len(LENGTH_BOUNDS) else None
            return low, high
    raise AssertionError("unreachable: the ranks add up to the total")


def weekday_hours(days: Sequence[DayFigures]) -> list[list[float | None]]:
    """Devices online on average in each hour of each weekday (Monday first): the seconds
    online in that hour over the period's days of that weekday, divided by an hour and by how
    many such days had data. Days without data are left out, not counted as empty; a weekday
    without any is None (no data), apart from zero use."""
    seconds = [[0] * 24 for _ in range(7)]
    heard = [0] * 7
    for day in days:
        if day.sites_heard == 0:
            continue
        weekday = day.day.weekday()
        heard[weekday] += 1
        for hour, value in enumerate(day.hours):
            seconds[weekday][hour] += value
    return [
        [value / 3600 / heard[weekday] if heard[weekday] else None for value in row]
        for weekday, row in enumerate(seconds)
    ]
