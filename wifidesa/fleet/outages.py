"""The outage log: the routers' outages in a period, newest first, each with its cause
(backhaul, power cut), start, end (or still down), length and village; and the central-side
incidents of the period, one line each however many routers they took down. A router's
outage in an incident is the incident's, not listed on its own. Scoped: an admin sees the
outages of their villages, and the incidents that took down any of them, counted in their
routers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.db.models import (
    FleetIncident,
    OutageCause,
    Router,
    RouterHealth,
    RouterInterval,
    RouterState,
    Site,
)
from wifidesa.fleet.availability import SLA_MIN_OUTAGE, open_end
from wifidesa.localtime import local_midnight
from wifidesa.stats.areas import open_area

PER_PAGE = 100


@dataclass(frozen=True)
class Outage:
    interval_id: int
    router_id: int
    router_name: str
    site_code: str
    site_name: str
    cause: OutageCause
    started_at: datetime
    ended_at: datetime | None  # None: still down
    seconds: float  # until it ended, or until now

    @property
    def charged(self) -> bool:
        """Counted against availability: a backhaul outage longer than 300 s."""
        return self.cause is OutageCause.BACKHAUL and self.seconds > SLA_MIN_OUTAGE.seconds


@dataclass(frozen=True)
class Incident:
    id: int
    started_at: datetime
    ended_at: datetime | None
    seconds: float
    routers: int  # the scope's routers it took down
    # The most routers of the whole fleet failing in one of its rounds, of how many polled:
    # shown to those who see the whole fleet only (None otherwise).
    fleet_routers: int | None
    polled: int | None


@dataclass(frozen=True)
class OutageLog:
    outages: list[Outage]  # this page's, newest first
    total: int  # outages in the period, every page
    page: int
    pages: int
    incidents: list[Incident]  # newest first, all of the period


def outage_log(
    *,
    session: Session,
    scope: Scope,
    first_day: date,
    last_day: date,
    now: datetime,
    zone: str,
    key: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> OutageLog:
    """The outages and incidents that overlap the local days `first_day`..`last_day` in
    `zone`, within the area `key` (a statistics area key, "" for the whole scope); NotFound
    for an area outside the scope."""
    view = open_area(session=session, scope=scope, key=key)
    start = local_midnight(first_day, zone)
    end = min(local_midnight(last_day + timedelta(days=1), zone), now)
    overlapping = and_(
        RouterInterval.started_at < end,
        or_(RouterInterval.ended_at.is_(None), RouterInterval.ended_at > start),
    )
    in_area = Router.site_id.in_(view.site_ids)
    own = (
        select(
            RouterInterval,
            Router.name,
            Site.code,
            Site.name.label("site_name"),
            RouterHealth.last_poll_at,
        )
        .join(Router, Router.id == RouterInterval.router_id)
        .join(Site, Site.id == Router.site_id)
        .outerjoin(RouterHealth, RouterHealth.router_id == RouterInterval.router_id)
        .where(
            in_area,
            overlapping,
            RouterInterval.state == RouterState.DOWN,
            RouterInterval.cause != OutageCause.CENTRAL,
        )
    )
    total = session.scalar(select(func.count()).select_from(own.subquery())) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    found = session.execute(
        own.order_by(RouterInterval.started_at.desc(), RouterInterval.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    outages = [
        Outage(
            interval_id=row.RouterInterval.id,
            router_id=row.RouterInterval.router_id,
            router_name=row.name,
            site_code=row.code,
            site_name=row.site_name,
            cause=row.RouterInterval.cause,
            started_at=row.RouterInterval.started_at,
            ended_at=row.RouterInterval.ended_at,
            # An outage still open lasts until now, or until the last poll if the poller stopped
            # (what came after nobody saw): as availability counts it.
            seconds=_seconds(
                row.RouterInterval.started_at,
                row.RouterInterval.ended_at,
                open_end(row.last_poll_at, now),
            ),
        )
        for row in found
    ]
    return OutageLog(
        outages=outages,
        total=total,
        page=page,
        pages=pages,
        incidents=_incidents(session, view.site_ids, start, end, now, whole=scope.everything),
    )


def _incidents(
    session: Session,
    site_ids: list[int],
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    whole: bool,
) -> list[Incident]:
    """The period's incidents that took down routers of these sites, with how many."""
    incidents = list(
        session.scalars(
            select(FleetIncident)
            .where(
                FleetIncident.started_at < end,
                or_(FleetIncident.ended_at.is_(None), FleetIncident.ended_at > start),
            )
            .order_by(FleetIncident.started_at.desc(), FleetIncident.id.desc())
        )
    )
    if not incidents:
        return []
    earliest = min(incident.started_at for incident in incidents)
    central = session.execute(
        select(RouterInterval.router_id, RouterInterval.started_at, RouterInterval.ended_at)
        .join(Router, Router.id == RouterInterval.router_id)
        .where(
            Router.site_id.in_(site_ids),
            RouterInterval.cause == OutageCause.CENTRAL,
            or_(RouterInterval.ended_at.is_(None), RouterInterval.ended_at > earliest),
        )
    ).all()
    found = []
    for incident in incidents:
        until = incident.ended_at or now
        # A router's central outage overlaps its incident (it may begin at the failed poll
        # that came just before the round the incident was declared in).
        routers = {
            row.router_id
            for row in central
            if row.started_at <= until
            and (row.ended_at is None or row.ended_at >= incident.started_at)
        }
        if routers:
            found.append(
                Incident(
                    id=incident.id,
                    started_at=incident.started_at,
                    ended_at=incident.ended_at,
                    seconds=_seconds(incident.started_at, incident.ended_at, now),
                    routers=len(routers),
                    fleet_routers=incident.routers if whole else None,
                    polled=incident.polled if whole else None,
                )
            )
    return found


def _seconds(start: datetime, end: datetime | None, now: datetime) -> float:
    return max(((end or now) - start).total_seconds(), 0.0)
