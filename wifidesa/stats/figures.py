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

from sqlalchemy import ColumnElement, Label, func, select
from sqlalchemy.orm import Session

from wifidesa.db.id_lists import one_of
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
        one_of(SiteDay.site_id, site_ids, session=session),
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
    after them from the site-days."""
    if not site_ids:
        return {}
    months = whole_months(period) if aggregates else None
    found = [] if months is None else list(_month_sums(session, site_ids, *months))
    days = [(period.first, period.last)]
    if months is not None:
        end = period_of(PeriodKind.MONTH, months[1]).last
        days = [
            (period.first, months[0] - timedelta(days=1)),
            (end + timedelta(days=1), period.last),
        ]
    for first, last in days:
        if first > last:
            continue
        # One query a span: each reads the sites' primary key ranges (an OR of two spans made
        # SQLite read every day of every site).
        found += list(
            session.execute(
                select(
                    SiteDay.site_id,
                    *_sums(*_SUMMED),
                    func.count(SiteDay.last_heard).label("heard"),
                    func.max(SiteDay.last_heard).label("last_heard"),
                )
                .where(*_in_period(session, site_ids, Period(PeriodKind.CUSTOM, first, last)))
                .group_by(SiteDay.site_id)
            )
        )
    figures: dict[int, SiteFigures] = {}
    for row in found:
        figure = SiteFigures(row.site_id, _usage(row), int(row.heard), row.last_heard)
        figures[row.site_id] = (
            _plus(figures[row.site_id], figure) if row.site_id in figures else figure
        )
    return figures


def _month_sums(
    session: Session, site_ids: Sequence[int], first: date, last: date
) -> Sequence[Any]:
    return session.execute(
        select(
            SiteMonth.site_id,
            *_sums(*_SUMMED, table=SiteMonth),
            func.coalesce(func.sum(SiteMonth.days_heard), 0).label("heard"),
            func.max(SiteMonth.last_heard).label("last_heard"),
        )
        .where(
            one_of(SiteMonth.site_id, site_ids, session=session),
            SiteMonth.month >= first,
            SiteMonth.month <= last,
        )
        .group_by(SiteMonth.site_id)
    ).all()


def _plus(one: SiteFigures, other: SiteFigures) -> SiteFigures:
    usage = Usage(*(getattr(one.usage, n) + getattr(other.usage, n) for n in Usage.__annotations__))
    heard = [moment for moment in (one.last_heard, other.last_heard) if moment is not None]
    return SiteFigures(
        one.site_id, usage, one.days_heard + other.days_heard, max(heard, default=None)
    )


def new_devices(*, session: Session, site_ids: Sequence[int], period: Period) -> int:
    """Devices first seen at one of these villages in the period (a device new at two villages
    counts at each: it was new to both)."""
    if not site_ids:
        return 0
    query = select(func.count()).where(
        one_of(SiteDevice.site_id, site_ids, session=session),
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
