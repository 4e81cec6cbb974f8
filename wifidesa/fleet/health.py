"""The fleet page's listing: the routers an admin's scope reaches, each with its latest state,
since when, its last poll and what it reported, and its availability over the last 30 days;
filtered ("down for more than N hours", "restarted today", "RouterOS older than X") and
sorted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.db.models import OutageCause, Region, Router, RouterHealth, RouterState, Site
from wifidesa.fleet.availability import window_availability
from wifidesa.fleet.versions import older_than, version_key
from wifidesa.localtime import local_day, local_midnight
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.areas import open_area

AVAILABILITY_WINDOW = timedelta(days=30)
# What the poller polls (wifidesa.fleet.targets.api_targets), as a column.
_CONFIGURED = and_(
    Router.is_active.is_(True), Router.api_host.is_not(None), Router.api_username.is_not(None)
)


class FleetSort(StrEnum):
    NAME = "name"
    SITE = "site"
    STATE = "state"
    SINCE = "since"
    LAST_POLL = "last_poll"
    VERSION = "version"
    CPU = "cpu"
    ACTIVE_USERS = "active_users"
    AVAILABILITY = "availability"


@dataclass(frozen=True)
class FleetFilter:
    down_longer_than: timedelta | None = None  # down, since longer than this
    restarted_today: bool = False  # started again since local midnight (the site's zone)
    older_than: str | None = None  # RouterOS older than this version
    state: RouterState | None = None
    # True: only routers the poller reaches (a management address and an API user); False:
    # only those it does not ("not configured", never down).
    configured: bool | None = None


@dataclass(frozen=True)
class RouterHealthRow:
    router_id: int
    name: str
    site_id: int
    site_code: str
    site_name: str
    region_code: str
    state: RouterState  # unknown for a router never polled
    cause: OutageCause | None
    since: datetime | None
    last_poll_at: datetime | None
    last_answer_at: datetime | None
    version: str | None
    board: str | None
    uptime_seconds: int | None
    cpu_load: int | None
    hotspot_active: int | None
    rtt_ms: float | None
    last_failure: str | None
    last_restart_at: datetime | None
    availability_30d: float | None  # percent; None: nothing known in 30 days
    # Polled at all: active, with a management address and an API user (as the poller's
    # wifidesa.fleet.targets.api_targets picks them). A router that is not is "not
    # configured", whatever its last state.
    configured: bool = True
    zone: str = DEFAULT_TIMEZONE


def fleet_health(
    *,
    session: Session,
    scope: Scope,
    now: datetime,
    key: str = "",
    filters: FleetFilter | None = None,
    sort: FleetSort = FleetSort.NAME,
    descending: bool = False,
) -> list[RouterHealthRow]:
    """The routers of an area (a statistics area key; "" for all the scope reaches) with
    their health; NotFound for an area outside the scope."""
    filters = filters or FleetFilter()
    view = open_area(session=session, scope=scope, key=key)
    query = (
        select(
            Router.id,
            Router.name,
            Router.site_id,
            Site.code.label("site_code"),
            Site.name.label("site_name"),
            Site.timezone,
            Region.code.label("region_code"),
            _CONFIGURED.label("configured"),
            RouterHealth,
        )
        .join(Site, Site.id == Router.site_id)
        .join(Region, Region.id == Site.region_id)
        .outerjoin(RouterHealth, RouterHealth.router_id == Router.id)
        .where(Router.site_id.in_(view.site_ids))
    )
    if filters.down_longer_than is not None:
        query = query.where(
            RouterHealth.state == RouterState.DOWN,
            RouterHealth.state_since <= now - filters.down_longer_than,
        )
    if filters.state is RouterState.UNKNOWN:
        query = query.where(
            (RouterHealth.state == RouterState.UNKNOWN) | RouterHealth.router_id.is_(None)
        )
    elif filters.state is not None:
        query = query.where(RouterHealth.state == filters.state)
    if filters.configured is not None:
        query = query.where(_CONFIGURED if filters.configured else ~_CONFIGURED)
    found = [row for row in session.execute(query) if _kept(row, filters, now)]
    availability = window_availability(
        session=session,
        router_ids=[row.id for row in found],
        start=now - AVAILABILITY_WINDOW,
        end=now,
        now=now,
    )
    rows = [_row(row, availability[row.id].percent) for row in found]
    return _sorted(rows, sort, descending)


def _kept(row: Any, filters: FleetFilter, now: datetime) -> bool:
    health: RouterHealth | None = row.RouterHealth
    if filters.restarted_today:
        today = local_midnight(local_day(now, row.timezone), row.timezone)
        if health is None or health.last_restart_at is None or health.last_restart_at < today:
            return False
    if filters.older_than is not None:
        version = health.version if health is not None else None
        if not older_than(version, filters.older_than):
            return False
    return True


def _row(row: Any, availability: float | None) -> RouterHealthRow:
    health: RouterHealth | None = row.RouterHealth
    return RouterHealthRow(
        router_id=row.id,
        name=row.name,
        site_id=row.site_id,
        site_code=row.site_code,
        site_name=row.site_name,
        region_code=row.region_code,
        state=health.state if health is not None else RouterState.UNKNOWN,
        cause=health.cause if health is not None else None,
        since=health.state_since if health is not None else None,
        last_poll_at=health.last_poll_at if health is not None else None,
        last_answer_at=health.last_answer_at if health is not None else None,
        version=health.version if health is not None else None,
        board=health.board if health is not None else None,
        uptime_seconds=health.uptime_seconds if health is not None else None,
        cpu_load=health.cpu_load if health is not None else None,
        hotspot_active=health.hotspot_active if health is not None else None,
        rtt_ms=health.rtt_ms if health is not None else None,
        last_failure=health.last_failure if health is not None else None,
        last_restart_at=health.last_restart_at if health is not None else None,
        availability_30d=availability,
        configured=bool(row.configured),
        zone=row.timezone,
    )


# Down first, then unknown, then up: what needs attention at the top.
_STATE_ORDER = {RouterState.DOWN: 0, RouterState.UNKNOWN: 1, RouterState.UP: 2}
_KEYS: dict[FleetSort, Callable[[RouterHealthRow], Any]] = {
    FleetSort.NAME: lambda row: row.name,
    FleetSort.SITE: lambda row: (row.site_name, row.site_code),
    FleetSort.STATE: lambda row: _STATE_ORDER[row.state],
    FleetSort.SINCE: lambda row: row.since,
    FleetSort.LAST_POLL: lambda row: row.last_poll_at,
    FleetSort.VERSION: lambda row: version_key(row.version),
    FleetSort.CPU: lambda row: row.cpu_load,
    FleetSort.ACTIVE_USERS: lambda row: row.hotspot_active,
    FleetSort.AVAILABILITY: lambda row: row.availability_30d,
}


def _sorted(
    rows: list[RouterHealthRow], sort: FleetSort, descending: bool
) -> list[RouterHealthRow]:
    """Sorted by `sort` then name; rows without a value last either way."""
    key = _KEYS[sort]
    rows = sorted(rows, key=lambda row: row.name)
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    return sorted(known, key=key, reverse=descending) + unknown
