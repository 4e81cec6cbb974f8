"""Distinct devices over a period for a set of sites: a desa, a kecamatan, a kabupaten, the
province. A distinct count is not a sum of daily counts (a villager online every day of a
month is one device, not thirty).

Counted exactly from the site-days' device digests (wifidesa.stats.digests) while that reads
at most `EXACT_LIMIT` device-days (~0.15 s) in at most `EXACT_SITE_DAYS` rows; above, for a
kabupaten or the province, estimated
from the area's HyperLogLog sketches (a month sketch for each whole calendar month,
wifidesa.stats.area_month_sketches, a day sketch for each other day), with a relative
standard error of 1.15 % (hll.STANDARD_ERROR): 95 % of estimates lie within 2.3 % of the true
count. Both count the devices online in the site-days' rollups, as the daily figures do.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, ScalarSelect, func, not_, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, site_filter
from wifidesa.db.models import AreaDay, Region, Site, SiteDay
from wifidesa.errors import ErrorCode, NotFound
from wifidesa.stats import hll
from wifidesa.stats.area_month_sketches import period_sketch
from wifidesa.stats.area_sketches import has_sketches
from wifidesa.stats.digests import unpack

# Device-days read for an exact count: measured on PostgreSQL by scripts/bench_distinct.py,
# a kabupaten's year, 2.4 million digests, was read and counted in 0.3 s.
EXACT_LIMIT = 1_000_000
# Site-days read for an exact count: each is a row, however few its devices. A province's
# year of quiet villages (365,000 site-days of ~2 devices) took 0.5 s on SQLite, its month
# (30,000 site-days of ~8) 0.18 s on PostgreSQL (`make bench-stats` at a twentieth of the
# sessions). Past this, a kabupaten's year or the province's month is estimated, as it is at
# full scale past EXACT_LIMIT; a kecamatan's year and a kabupaten's month stay exact.
EXACT_SITE_DAYS = 25_000


@dataclass(frozen=True)
class Count:
    """A number of devices; `error` is an estimate's relative standard error (None: exact)."""

    value: int
    exact: bool
    error: float | None


def distinct_devices(
    *,
    session: Session,
    scope: Scope,
    first: date,
    last: date,
    site_ids: Collection[int] | None = None,
    area: str | None = None,
    exact_limit: int = EXACT_LIMIT,
    exact_site_days: int = EXACT_SITE_DAYS,
) -> Count:
    """Distinct devices online from `first` to `last` (local days, inclusive) at the given
    sites, or at the sites of the region with code `area` (64, 64.03, 64.03.01, ...): one of
    the two. A site or area the scope does not wholly reach is not found."""
    if (site_ids is None) == (area is None):
        raise ValueError("give site_ids or area, not both")
    if area is not None:
        sites = _area_sites(session=session, scope=scope, area=area)
    else:
        sites = _given_sites(session=session, scope=scope, site_ids=site_ids or ())
    in_period = (SiteDay.site_id.in_(sites), SiteDay.day >= first, SiteDay.day <= last)
    if area is not None and has_sketches(area):
        # Device-days and site-days heard, from the area's sums per day (stats_area_days).
        size = session.execute(
            select(
                func.coalesce(func.sum(AreaDay.devices), 0).label("device_days"),
                func.coalesce(func.sum(AreaDay.sites_heard), 0).label("site_days"),
            ).where(AreaDay.area_code == area, AreaDay.day >= first, AreaDay.day <= last)
        ).one()
        if size.device_days > exact_limit or size.site_days > exact_site_days:
            registers = period_sketch(session=session, area=area, first=first, last=last)
            estimate = hll.estimate(registers)
            return Count(value=round(estimate), exact=False, error=hll.STANDARD_ERROR)
    devices: set[int] = set()
    for blob in session.scalars(select(SiteDay.device_digests).where(*in_period)):
        devices.update(unpack(blob))
    return Count(value=len(devices), exact=True, error=None)


def _in_area(area: str) -> ColumnElement[bool]:
    return Site.region_id.in_(
        select(Region.id).where(
            (Region.code == area) | Region.code.startswith(f"{area}.", autoescape=True)
        )
    )


def _area_sites(*, session: Session, scope: Scope, area: str) -> ScalarSelect[int]:
    """The sites of an area, as a subquery; NotFound if no region has its code or a site of
    it lies outside the scope (its total would tell of villages the admin may not see)."""
    if session.scalar(select(Region.id).where(Region.code == area)) is None:
        raise NotFound(ErrorCode.REGION_NOT_FOUND, what="region", code=area)
    outside = select(Site.id).where(_in_area(area), not_(site_filter(scope, Site.id))).limit(1)
    if not scope.everything and session.scalar(outside) is not None:
        raise NotFound(ErrorCode.REGION_NOT_FOUND, what="region", code=area)
    return select(Site.id).where(_in_area(area)).scalar_subquery()


def _given_sites(*, session: Session, scope: Scope, site_ids: Collection[int]) -> ScalarSelect[int]:
    """The given sites, as a subquery; NotFound for the first one outside the scope."""
    wanted = set(site_ids)
    query = select(Site.id).where(Site.id.in_(wanted), site_filter(scope, Site.id))
    missing = sorted(wanted - set(session.scalars(query)))
    if missing:
        raise NotFound(ErrorCode.SITE_ID_NOT_FOUND, site_id=missing[0])
    return select(Site.id).where(Site.id.in_(wanted)).scalar_subquery()
