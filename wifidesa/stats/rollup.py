"""Statistics per site and local day (`stats_site_days`), recomputed from the stored sessions.

A site-day is always computed from scratch, from every session whose span touches it, each
spread evenly over its span (wifidesa.stats.spans). Recomputing the days that accounting
changed (late records after a satellite outage, a replayed batch) therefore gives the row that
records arriving in order would have given: the rollup equals a full recomputation by
construction, and `recompute_site_days` is the one function that writes it. With each
site-day go the figures derived from it: each device's first day at the site
(wifidesa.stats.first_days), the day's sketches and sums of its kabupaten and province
(wifidesa.stats.area_sketches, wifidesa.stats.area_days), their months' sketches
(wifidesa.stats.area_month_sketches) and the site's month sums (wifidesa.stats.site_months).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Executable, Row, and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from wifidesa.db.models import AcctSession, Site, SiteDay
from wifidesa.db.models.statistics import HOURS, LENGTH_BOUNDS, LENGTHS
from wifidesa.localtime import local_day, local_midnight
from wifidesa.stats.area_month_sketches import (
    AreaMonths,
    compute_area_months,
    replace_area_months,
)
from wifidesa.stats.area_sketches import AreaDays, compute_area_days, replace_area_days
from wifidesa.stats.digests import digest, pack
from wifidesa.stats.first_days import plan_first_days, store_first_days
from wifidesa.stats.site_months import SiteMonths, compute_site_months, replace_site_months
from wifidesa.stats.spans import local_days, spread

# Statistics count at most a session's first week: RouterOS ends hotspot sessions long before,
# and a router's absurd Acct-Session-Time (up to 68 years) would otherwise spread over 24,855
# days. Sessions are looked for this far before the day they might touch.
LONGEST_SESSION = timedelta(days=7)
# A session that started before the first day wanted counts there only if it lasts into it:
# one started more than a bound earlier must be longer than that bound. The database drops the
# week's short sessions by these whole-second comparisons (on any database) rather than send
# them here to be spread and dropped: for a day of a province, 8 days of sessions read become
# ~1. A necessary condition only: which day a session touches is still decided by spreading it.
REACH_BOUNDS = (0, 3600, 3 * 3600, 6 * 3600, 12 * 3600, *(day * 86400 for day in range(1, 8)))
# Sessions read per query. The rollup job runs each query in a transaction of its own: a long
# read would hold back SQLite's restarting checkpoint, which then stalls accounting under the
# writer lock (seen: accounting p99 from 40 to 650 ms with a site-day of 400,000 sessions).
CHUNK = 5_000

# Runs one query and returns all its rows: in the caller's transaction (`fetch_in`), or each
# in a short one of its own (wifidesa.stats.job).
Fetch = Callable[[Executable], Sequence[Row[Any]]]


def fetch_in(session: Session) -> Fetch:
    """Queries run in `session`'s transaction."""
    return lambda query: session.execute(query).all()


def counted_seconds(session_time: int) -> int:
    """How much of a session statistics count (see LONGEST_SESSION)."""
    return max(0, min(session_time, int(LONGEST_SESSION.total_seconds())))


def session_days(*, started_at: datetime, session_time: int, zone: str) -> list[date]:
    """The local days whose statistics a session counts in: to recompute when it changes."""
    return local_days(started_at=started_at, seconds=counted_seconds(session_time), zone=zone)


@dataclass
class _Day:
    """One site-day's figures as its sessions are added."""

    started: list[int] = field(default_factory=list)  # lengths of the sessions started
    devices: set[str] = field(default_factory=set)
    online_seconds: int = 0
    input_octets: int = 0
    output_octets: int = 0
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    last_heard: datetime | None = None
    quota_accounts: set[int] = field(default_factory=set)  # reached their quota this day

    def row(self, site_id: int, day: date) -> dict[str, Any]:
        lengths = sorted(self.started)
        return {
            "site_id": site_id,
            "day": day,
            "sessions": len(lengths),
            "devices": len(self.devices),
            "online_seconds": self.online_seconds,
            "input_octets": self.input_octets,
            "output_octets": self.output_octets,
            "session_p50": nearest_rank(lengths, 0.5),
            "session_p90": nearest_rank(lengths, 0.9),
            "last_heard": self.last_heard,
            **dict(zip(HOURS, self.hours, strict=True)),
            **dict(zip(LENGTHS, length_counts(lengths), strict=True)),
            "device_digests": pack(digest(device) for device in self.devices),
            "quota_accounts": len(self.quota_accounts),
        }


def length_counts(lengths: Iterable[int]) -> list[int]:
    """How many of these session lengths fall in each bucket of LENGTHS."""
    counts = [0] * len(LENGTHS)
    for seconds in lengths:
        counts[bisect.bisect_right(LENGTH_BOUNDS, seconds)] += 1
    return counts


def nearest_rank(ordered: list[int], q: float) -> int:
    """The q-quantile of sorted values by the nearest-rank method (an actual value; 0 if none)."""
    if not ordered:
        return 0
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def compute_site_days(
    *, fetch: Fetch, site_days: Iterable[tuple[int, date]]
) -> list[dict[str, Any]]:
    """The rows of these (site id, local day) pairs from the stored sessions, reading only; a
    day without sessions has none. Sessions are read in chunks (see CHUNK): a session changed
    between two chunks has marked its days again (wifidesa.stats.dirty), so they are computed
    once more and no change is left out."""
    wanted: dict[int, set[date]] = defaultdict(set)
    for site_id, day in site_days:
        wanted[site_id].add(day)
    zones: dict[int, str] = {
        row.id: row.timezone
        for row in fetch(select(Site.id, Site.timezone).where(Site.id.in_(wanted)))
    }
    rows = []
    for site_id, days in sorted(wanted.items()):
        if site_id in zones:  # else deleted meanwhile: its rows went with it
            figures = _figures(fetch, site_id, days, zones[site_id])
            rows += [figures[day].row(site_id, day) for day in sorted(figures)]
    return rows


def replace_site_days(
    *, session: Session, site_days: Iterable[tuple[int, date]], rows: list[dict[str, Any]]
) -> None:
    """Put `rows` (from compute_site_days) in place of the stored rows of these pairs."""
    by_site: dict[int, list[date]] = defaultdict(list)
    for site_id, day in sorted(set(site_days)):
        by_site[site_id].append(day)
    for site_id, days in by_site.items():
        session.execute(delete(SiteDay).where(SiteDay.site_id == site_id, SiteDay.day.in_(days)))
    if rows:
        session.execute(insert(SiteDay), rows)


@dataclass
class Figures:
    """What recomputing site-days gives, computed reading only, waiting to be stored."""

    site_days: set[tuple[int, date]]
    rows: list[dict[str, Any]]  # stats_site_days
    first_days: list[dict[str, Any]]  # stats_site_devices made earlier or new
    area_days: AreaDays  # stats_area_day_sketches, stats_area_days
    area_months: AreaMonths  # stats_area_month_sketches
    site_months: SiteMonths  # stats_site_months


def derive_figures(
    *, fetch: Fetch, site_days: Iterable[tuple[int, date]], rows: list[dict[str, Any]]
) -> Figures:
    """What new site-day `rows` for these (site id, local day) pairs change, reading only (a
    pair without a row: the site-day has no sessions now)."""
    pairs = set(site_days)
    area_days = compute_area_days(fetch=fetch, site_days=pairs, rows=rows)
    return Figures(
        site_days=pairs,
        rows=rows,
        first_days=plan_first_days(fetch=fetch, rows=rows),
        area_days=area_days,
        area_months=compute_area_months(fetch=fetch, area_days=area_days),
        site_months=compute_site_months(fetch=fetch, site_days=pairs, rows=rows),
    )


def compute_figures(*, fetch: Fetch, site_days: Iterable[tuple[int, date]]) -> Figures:
    """Everything recomputing these (site id, local day) pairs changes, reading only."""
    pairs = set(site_days)
    rows = compute_site_days(fetch=fetch, site_days=pairs)
    return derive_figures(fetch=fetch, site_days=pairs, rows=rows)


def store_figures(*, session: Session, figures: Figures) -> None:
    """Store computed figures in the caller's transaction."""
    replace_site_days(session=session, site_days=figures.site_days, rows=figures.rows)
    store_first_days(session=session, changes=figures.first_days)
    replace_area_days(session=session, area_days=figures.area_days)
    replace_area_months(session=session, area_months=figures.area_months)
    replace_site_months(session=session, site_months=figures.site_months)


def store_site_days(*, session: Session, rows: list[dict[str, Any]]) -> None:
    """Store site-day rows made elsewhere than from the sessions (a test's, an import's) in
    place of those of their site-days, with everything derived from them, in the caller's
    transaction. A row without `device_digests` has no devices to count over periods."""
    rows = [{"device_digests": None, **row} for row in rows]
    pairs = {(row["site_id"], row["day"]) for row in rows}
    figures = derive_figures(fetch=fetch_in(session), site_days=pairs, rows=rows)
    store_figures(session=session, figures=figures)


def recompute_site_days(*, session: Session, site_days: Iterable[tuple[int, date]]) -> int:
    """Recompute these (site id, local day) rows, and what derives from them, in the caller's
    transaction; returns how many rows were written."""
    figures = compute_figures(fetch=fetch_in(session), site_days=site_days)
    store_figures(session=session, figures=figures)
    return len(figures.rows)


def _figures(fetch: Fetch, site_id: int, days: set[date], zone: str) -> dict[date, _Day]:
    found: dict[date, _Day] = {}
    for row in _sessions_touching(fetch, site_id, days, zone):
        _add(found, row, days, zone)
    return found


def _sessions_touching(
    fetch: Fetch, site_id: int, days: set[date], zone: str
) -> Iterable[Row[Any]]:
    """The site's sessions that may touch these days, chunk by chunk in start order."""
    midnight = local_midnight(min(days), zone)
    first = midnight - LONGEST_SESSION
    end = local_midnight(max(days) + timedelta(days=1), zone)
    query = (
        select(
            AcctSession.id,
            AcctSession.started_at,
            AcctSession.updated_at,
            AcctSession.session_time,
            AcctSession.input_octets,
            AcctSession.output_octets,
            AcctSession.device_hash,
            AcctSession.account_id,
            AcctSession.quota_hit_at,
        )
        .where(
            AcctSession.site_id == site_id,
            AcctSession.started_at >= first,
            AcctSession.started_at < end,
            _reaching(midnight),
        )
        .order_by(AcctSession.started_at, AcctSession.id)
        .limit(CHUNK)
    )
    chunk = fetch(query)
    while chunk:
        yield from chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]
        chunk = fetch(
            query.where(
                or_(
                    AcctSession.started_at > last.started_at,
                    and_(AcctSession.started_at == last.started_at, AcctSession.id > last.id),
                )
            )
        )


def _reaching(midnight: datetime) -> ColumnElement[bool]:
    """Sessions started at or after `midnight`, or long enough to reach it (REACH_BOUNDS)."""
    pairs = pairwise(REACH_BOUNDS)
    return or_(
        # A second early: accounting's bulk writes leave a whole second's timestamp on SQLite
        # as text without the ".000000" that a bound value has, so at midnight exactly it
        # would compare as before midnight (seen: a session started at 00:00:00 left out).
        AcctSession.started_at >= midnight - timedelta(seconds=1),
        *(
            and_(
                AcctSession.started_at >= midnight - timedelta(seconds=longer),
                AcctSession.started_at < midnight - timedelta(seconds=bound),
                AcctSession.session_time > bound,
            )
            for bound, longer in pairs
        ),
    )


def _add(found: dict[date, _Day], row: Row[Any], days: set[date], zone: str) -> None:
    """Add one session's shares to the days wanted."""
    seconds = counted_seconds(row.session_time)
    shares = spread(
        started_at=row.started_at,
        seconds=seconds,
        input_octets=row.input_octets,
        output_octets=row.output_octets,
        zone=zone,
    )
    start_day = local_day(row.started_at.replace(microsecond=0), zone)
    quota_day = local_day(row.quota_hit_at, zone) if row.quota_hit_at is not None else None
    for day, share in shares.items():
        if day not in days:
            continue
        figures = found.get(day)
        if figures is None:
            figures = found[day] = _Day()
        if day == start_day:
            figures.started.append(seconds)
        if row.device_hash:
            figures.devices.add(row.device_hash)
        figures.online_seconds += share.seconds
        figures.input_octets += share.input_octets
        figures.output_octets += share.output_octets
        for hour, value in enumerate(share.hours):
            figures.hours[hour] += value
        if figures.last_heard is None or row.updated_at > figures.last_heard:
            figures.last_heard = row.updated_at
        if day == quota_day and row.account_id is not None:
            figures.quota_accounts.add(row.account_id)
