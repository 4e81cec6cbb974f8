"""One router's page: its latest values, its history over the last 30 days as stretches of
one class each (up, outage, power cut, central, no data), its day rows with their
availability, and the availability of the month so far. Scoped like everything else: a router
of a village outside the scope is not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.db.models import Router, RouterDay, Site
from wifidesa.errors import ErrorCode, NotFound
from wifidesa.fleet.availability import (
    Availability,
    Per,
    Stretch,
    router_availability,
    timeline,
    window_availability,
)
from wifidesa.fleet.health import AVAILABILITY_WINDOW, RouterHealthRow, fleet_health
from wifidesa.localtime import local_day


@dataclass(frozen=True)
class DayFigures:
    """One local day of the router: its polls (None: no row, the poller never polled it that
    day) and its availability."""

    day: date
    polls: RouterDay | None
    availability: Availability


@dataclass(frozen=True)
class RouterView:
    health: RouterHealthRow
    start: datetime  # the history shown: the last 30 days
    end: datetime
    stretches: list[Stretch]  # oldest first
    days: list[DayFigures]  # newest first, every local day of the window
    window: Availability  # the 30 days
    month_first: date
    month: Availability  # the local month so far


def router_view(*, session: Session, scope: Scope, router_id: int, now: datetime) -> RouterView:
    """The router's page; NotFound for a router that does not exist or that the scope does
    not reach, alike."""
    site_code = session.scalar(
        select(Site.code).join(Router, Router.site_id == Site.id).where(Router.id == router_id)
    )
    if site_code is None:
        raise NotFound(ErrorCode.ROUTER_NOT_FOUND, router_id=router_id)
    # The listing of its site, scoped: NotFound when the scope does not reach the village.
    try:
        rows = fleet_health(session=session, scope=scope, now=now, key=f"s:{site_code}")
    except NotFound:
        raise NotFound(ErrorCode.ROUTER_NOT_FOUND, router_id=router_id) from None
    health = next(row for row in rows if row.router_id == router_id)
    zone = health.zone
    start = now - AVAILABILITY_WINDOW
    stretches = timeline(session=session, router_id=router_id, start=start, end=now, now=now)
    today = local_day(now, zone)
    first_day = local_day(start, zone)
    daily = router_availability(
        session=session, router_ids=[router_id], first_day=first_day, last_day=today, now=now
    ).get(router_id, {})
    polls = {
        row.day: row
        for row in session.scalars(
            select(RouterDay).where(
                RouterDay.router_id == router_id,
                RouterDay.day >= first_day,
                RouterDay.day <= today,
            )
        )
    }
    days = [
        DayFigures(day, polls.get(day), daily.get(day, Availability()))
        for day in _days_back(today, first_day)
    ]
    month_first = today.replace(day=1)
    month = router_availability(
        session=session,
        router_ids=[router_id],
        first_day=month_first,
        last_day=today,
        now=now,
        per=Per.PERIOD,
    )
    window = window_availability(
        session=session, router_ids=[router_id], start=start, end=now, now=now
    )[router_id]
    return RouterView(
        health=health,
        start=start,
        end=now,
        stretches=stretches,
        days=days,
        window=window,
        month_first=month_first,
        month=month.get(router_id, {}).get(month_first, Availability()),
    )


def _days_back(today: date, first: date) -> list[date]:
    return [today - timedelta(days=n) for n in range((today - first).days + 1)]
