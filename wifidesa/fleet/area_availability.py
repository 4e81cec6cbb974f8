"""An area's availability (province, kabupaten, kecamatan, desa, a site: the statistics' area
keys) per period: the sum of its routers' time in each class (wifidesa.fleet.availability),
so every router weighs by the time it was known; each site's and each next-level area's too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.db.bulk import one_of_ids
from wifidesa.db.models import Router
from wifidesa.fleet.availability import Availability, Per, router_availability
from wifidesa.stats.areas import Area, open_area


@dataclass(frozen=True)
class AreaAvailability:
    """An area's availability per period, and each site's and each next-level area's."""

    area: Area
    total: dict[date, Availability]
    sites: dict[int, dict[date, Availability]]
    children: list[tuple[Area, dict[date, Availability]]]


def area_availability(
    *,
    session: Session,
    scope: Scope,
    key: str = "",
    first_day: date,
    last_day: date,
    now: datetime,
    per: Per = Per.DAY,
) -> AreaAvailability:
    """An area's availability (province, kabupaten, kecamatan, desa, a site: the statistics'
    area keys), as far as the scope reaches; NotFound outside it."""
    view = open_area(session=session, scope=scope, key=key)
    routers = session.execute(
        select(Router.id, Router.site_id).where(
            one_of_ids(Router.site_id, view.site_ids, session=session)
        )
    ).all()
    by_router = router_availability(
        session=session,
        router_ids=[row.id for row in routers],
        first_day=first_day,
        last_day=last_day,
        now=now,
        per=per,
    )
    sites: dict[int, dict[date, Availability]] = {site: {} for site in view.site_ids}
    for row in routers:
        _add_into(sites[row.site_id], by_router.get(row.id, {}))
    total: dict[date, Availability] = {}
    for periods in sites.values():
        _add_into(total, periods)
    children = [
        (child, _sum_sites(sites, [site.id for site in members]))
        for child, members in view.children
    ]
    return AreaAvailability(
        view.area, _by_date(total), {site: _by_date(of) for site, of in sites.items()}, children
    )


def _sum_sites(
    sites: dict[int, dict[date, Availability]], ids: list[int]
) -> dict[date, Availability]:
    total: dict[date, Availability] = {}
    for site_id in ids:
        _add_into(total, sites.get(site_id, {}))
    return _by_date(total)


def _add_into(total: dict[date, Availability], more: dict[date, Availability]) -> None:
    """Add `more` into `total` in place (a province's year adds 1,000 routers' figures: a
    new sorted copy at every addition was a fifth of its uptime figures)."""
    for key, value in more.items():
        found = total.get(key)
        total[key] = value if found is None else found + value


def _by_date(periods: dict[date, Availability]) -> dict[date, Availability]:
    return dict(sorted(periods.items()))
