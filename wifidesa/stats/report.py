"""One area over one period, everything its statistics page, the API and the exports show:
the headline, the daily trend, the next level down, the best and least used villages and the
villages that went silent. One function builds it, whoever asks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.db.bulk import one_of_ids
from wifidesa.db.models import Site, SiteDay
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.areas import Area, AreaKind, AreaView, SiteInArea, open_area, site_area
from wifidesa.stats.distinct import Count, distinct_devices
from wifidesa.stats.figures import (
    DayFigures,
    SiteFigures,
    Totals,
    Usage,
    by_site,
    daily,
    totals,
    weekday_hours,
)
from wifidesa.stats.logins import REFUSED, logins_by_site
from wifidesa.stats.periods import Period
from wifidesa.stats.voucher_figures import VoucherFigures, voucher_figures

# A village whose last accounting is older than this is listed as silent: a router sends an
# interim update every few minutes while anyone is online, and a village goes a day without
# users only when something is wrong.
SILENT_AFTER = timedelta(days=2)
RANKED = 10  # villages in the best and least used lists


@dataclass(frozen=True)
class AreaRow:
    """A child area's (or a village's) sums over the period."""

    area: Area
    sites: int
    sites_heard: int
    usage: Usage
    days_heard: int  # site-days with accounting


@dataclass(frozen=True)
class SilentSite:
    site: SiteInArea
    last_heard: datetime | None  # None: never heard


@dataclass(frozen=True)
class Report:
    view: AreaView
    period: Period
    days: list[DayFigures]  # up to today: a period still running is shown so far
    totals: Totals
    children: list[AreaRow]
    villages: list[AreaRow]  # every village of the area, the most used first
    most_used: list[AreaRow]
    least_used: list[AreaRow]
    silent: list[SilentSite]
    weekday_hours: list[list[float | None]]
    logins: dict[str, int]  # by outcome: accepted:<kind>, refused:<reason> (wifidesa.stats.logins)
    most_refused: list[tuple[AreaRow, int]]  # villages with most refused logins, and how many
    most_over_quota: list[AreaRow]  # villages where most accounts reached their quota
    vouchers: VoucherFigures


def _row(area: Area, sites: list[SiteInArea], figures: dict[int, SiteFigures]) -> AreaRow:
    found = [figures[s.id] for s in sites if s.id in figures]
    usage = Usage(*(sum(getattr(f.usage, name) for f in found) for name in Usage.__annotations__))
    heard = [f for f in found if f.days_heard]
    return AreaRow(area, len(sites), len(heard), usage, sum(f.days_heard for f in found))


def last_heard(*, session: Session, site_ids: list[int]) -> dict[int, datetime]:
    """The latest accounting heard from each site, over all days (sites never heard: absent)."""
    if not site_ids:
        return {}
    # Per site, so each is one lookup of ix_stats_site_days_site_heard (a GROUP BY read them all).
    latest = (
        select(func.max(SiteDay.last_heard)).where(SiteDay.site_id == Site.id).scalar_subquery()
    )
    query = select(Site.id, latest.label("heard")).where(
        one_of_ids(Site.id, site_ids, session=session)
    )
    return {row.id: row.heard for row in session.execute(query) if row.heard is not None}


def _devices(session: Session, scope: Scope, view: AreaView, period: Period) -> Count:
    """Distinct devices of the area over the period: a region by its code (a kabupaten's or the
    province's year from its sketches), a village or a desa admin's villages by their ids."""
    if not view.sites:
        return Count(value=0, exact=True, error=None)
    first, last = period.first, period.last
    if view.area.kind is AreaKind.REGION:
        return distinct_devices(
            session=session, scope=scope, first=first, last=last, area=view.area.code
        )
    return distinct_devices(
        session=session, scope=scope, first=first, last=last, site_ids=view.site_ids
    )


def area_report(
    *,
    session: Session,
    scope: Scope,
    key: str,
    period: Period,
    now: datetime,
    aggregates: bool = True,
) -> Report:
    """The report of the area `key` (see wifidesa.stats.areas) over `period`; NotFound for an
    area outside the scope. `aggregates` False: every figure summed from the site-days, not
    from the sums kept per region-day and site-month (the same figures, slower)."""
    view = open_area(session=session, scope=scope, key=key)
    ids = view.site_ids
    # A region's view holds all its sites (an admin opens only regions their scope covers).
    area = view.area.code if aggregates and view.area.kind is AreaKind.REGION else None
    # Days still to come are not "no data": they are left out (a month so far).
    today = local_day(now, DEFAULT_TIMEZONE)
    days = [
        d for d in daily(session=session, site_ids=ids, period=period, area=area) if d.day <= today
    ]
    figures = by_site(session=session, site_ids=ids, period=period, aggregates=aggregates)
    villages = [_row(site_area(s), [s], figures) for s in view.sites]
    ranked = sorted(villages, key=lambda r: (-r.usage.online_seconds, r.area.name))
    heard = last_heard(session=session, site_ids=ids)
    silent = [
        SilentSite(site, heard.get(site.id))
        for site in view.sites
        if site.id not in heard or now - heard[site.id] > SILENT_AFTER
    ]
    silent.sort(key=lambda s: (s.last_heard is not None, s.last_heard or now, s.site.name))
    outcomes: dict[str, int] = defaultdict(int)
    refused_at: dict[int, int] = defaultdict(int)
    logins = logins_by_site(session=session, site_ids=ids, first=period.first, last=period.last)
    for (site_id, outcome), count in logins.items():
        outcomes[outcome] += count
        if outcome.startswith(REFUSED):
            refused_at[site_id] += count
    codes = {site.id: site.code for site in view.sites}
    by_code = {r.area.code: r for r in villages}
    refused = sorted(
        ((codes[site_id], n) for site_id, n in refused_at.items() if site_id in codes),
        key=lambda item: (-item[1], by_code[item[0]].area.name),
    )
    return Report(
        view=view,
        period=period,
        days=days,
        totals=totals(
            session=session,
            site_ids=ids,
            period=period,
            days=days,
            devices=_devices(session, scope, view, period),
            per_site=figures,
            area=area,
        ),
        children=[_row(area, sites, figures) for area, sites in view.children],
        villages=ranked,
        most_used=[r for r in ranked[:RANKED] if r.usage.online_seconds],
        least_used=list(reversed(ranked[-RANKED:])),
        silent=silent,
        weekday_hours=weekday_hours(days),
        logins=dict(sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))),
        most_refused=[(by_code[code], n) for code, n in refused[:RANKED] if n],
        most_over_quota=sorted(
            (r for r in ranked if r.usage.quota_accounts),
            key=lambda r: (-r.usage.quota_accounts, r.area.name),
        )[:RANKED],
        vouchers=voucher_figures(session=session, site_ids=ids, period=period),
    )
