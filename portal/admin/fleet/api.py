"""The fleet in the JSON API: the listing (the page's filters, sort and pages), one router's
history, the outage log; the same core functions as the pages, scoped alike. Times in UTC,
days as ISO dates (the site's local day, WITA), availability in percent (null: no data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.fleet.query import PER_PAGE, BadQuery, FleetQuery, page_of
from portal.admin.web import Admin
from portal.database import transaction
from wifidesa.db.engine import utcnow
from wifidesa.errors import InvalidInput
from wifidesa.fleet.availability import Availability
from wifidesa.fleet.health import FleetSort, RouterHealthRow, fleet_health
from wifidesa.fleet.outages import outage_log
from wifidesa.fleet.router_view import router_view
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.periods import parse_period

api = APIRouter(prefix="/api", tags=["fleet"])
Caller = Annotated[Admin, Depends(api_caller)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such router or area in your scope"}
}


class RouterOut(BaseModel):
    id: int
    name: str
    site_code: str
    site_name: str
    region_code: str
    configured: bool = Field(description="false: no API address or user, not polled")
    state: str = Field(description="up, down or unknown (no data)")
    cause: str | None = Field(description="when down: backhaul, restart (power cut), central")
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
    availability_30d: float | None = Field(description="percent; null: no data")


class FleetOut(BaseModel):
    routers: list[RouterOut]
    total: int
    page: int
    pages: int


class AvailabilityOut(BaseModel):
    percent: float | None = Field(description="up / (known - power cuts - central); null: none")
    up_seconds: float
    short_outage_seconds: float = Field(description="backhaul outages of 300 s or less")
    outage_seconds: float = Field(description="backhaul outages over 300 s: charged")
    power_seconds: float
    central_seconds: float
    no_data_seconds: float
    outages: int
    power_cuts: int


class StretchOut(BaseModel):
    kind: str = Field(description="up, short_outage, outage, power, central, no_data")
    start: datetime
    end: datetime


class DayOut(BaseModel):
    day: date
    availability: AvailabilityOut
    polls: int
    answered: int
    rtt_avg_ms: float | None
    rtt_max_ms: float | None
    cpu_max: int | None
    active_max: int | None
    wan_down_bytes: int
    wan_up_bytes: int
    restarts: int


class RouterHistoryOut(BaseModel):
    router: RouterOut
    start: datetime
    end: datetime
    stretches: list[StretchOut]
    window: AvailabilityOut = Field(description="the last 30 days")
    month_first: date
    month: AvailabilityOut = Field(description="the local month so far")
    days: list[DayOut] = Field(description="newest first")


class OutageOut(BaseModel):
    router_id: int
    router_name: str
    site_code: str
    site_name: str
    cause: str
    started_at: datetime
    ended_at: datetime | None = Field(description="null: still down")
    seconds: float
    charged: bool = Field(description="counted against availability (backhaul over 300 s)")


class IncidentOut(BaseModel):
    started_at: datetime
    ended_at: datetime | None
    seconds: float
    routers: int = Field(description="your routers it took down")
    fleet_routers: int | None = Field(description="the whole fleet's (province admins only)")
    polled: int | None


class OutagesOut(BaseModel):
    first: date
    last: date
    outages: list[OutageOut]
    total: int
    page: int
    pages: int
    incidents: list[IncidentOut]


def _router(row: RouterHealthRow) -> RouterOut:
    return RouterOut(
        id=row.router_id,
        name=row.name,
        site_code=row.site_code,
        site_name=row.site_name,
        region_code=row.region_code,
        configured=row.configured,
        state=row.state.value,
        cause=row.cause.value if row.cause else None,
        since=row.since,
        last_poll_at=row.last_poll_at,
        last_answer_at=row.last_answer_at,
        version=row.version,
        board=row.board,
        uptime_seconds=row.uptime_seconds,
        cpu_load=row.cpu_load,
        hotspot_active=row.hotspot_active,
        rtt_ms=row.rtt_ms,
        last_failure=row.last_failure,
        last_restart_at=row.last_restart_at,
        availability_30d=row.availability_30d,
    )


def _availability(figures: Availability) -> AvailabilityOut:
    return AvailabilityOut(percent=figures.percent, **figures.__dict__)


@api.get(
    "/fleet", response_model=FleetOut, responses={**NOT_FOUND, 422: {"description": "bad filter"}}
)
def fleet(
    request: Request,
    caller: Caller,
    area: str = "",
    state: str = Query("", description="up, down, unknown or not_configured"),
    down_hours: str = Query("", description="down for more than this many hours"),
    restarted: bool = Query(False, description="restarted since local midnight"),
    older: str = Query("", description="RouterOS older than this version, e.g. 7.15"),
    sort: str = Query(FleetSort.NAME.value, description=", ".join(s.value for s in FleetSort)),
    desc: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = PER_PAGE,
) -> Any:
    """The routers of your scope (or of `area`, a statistics area key) with their health."""
    asked = FleetQuery(
        area=area[:80],
        state=state,
        down_hours=down_hours[:12],
        restarted=restarted,
        older=older[:32],
        sort=sort,
        desc=desc,
    )
    try:
        filters = asked.filters()
    except BadQuery as exc:
        return JSONResponse({"detail": f"bad filter: {exc}"}, 422)
    with transaction(request) as session:
        rows = fleet_health(
            session=session,
            scope=caller.scope,
            now=utcnow(),
            key=asked.area,
            filters=filters,
            sort=asked.sort_key,
            descending=asked.desc,
        )
    shown, number, pages = page_of(rows, page, per_page)
    return FleetOut(routers=[_router(r) for r in shown], total=len(rows), page=number, pages=pages)


@api.get("/fleet/routers/{router_id}", response_model=RouterHistoryOut, responses=NOT_FOUND)
def router_history(request: Request, caller: Caller, router_id: int) -> Any:
    """One router's latest values, its last 30 days as stretches, its days and month."""
    with transaction(request) as session:
        view = router_view(session=session, scope=caller.scope, router_id=router_id, now=utcnow())
        return RouterHistoryOut(
            router=_router(view.health),
            start=view.start,
            end=view.end,
            stretches=[
                StretchOut(kind=s.kind.value, start=s.start, end=s.end) for s in view.stretches
            ],
            window=_availability(view.window),
            month_first=view.month_first,
            month=_availability(view.month),
            days=[
                DayOut(
                    day=d.day,
                    availability=_availability(d.availability),
                    polls=d.polls.polls if d.polls else 0,
                    answered=d.polls.answered if d.polls else 0,
                    rtt_avg_ms=d.polls.rtt_avg_ms if d.polls else None,
                    rtt_max_ms=d.polls.rtt_max_ms if d.polls else None,
                    cpu_max=d.polls.cpu_max if d.polls else None,
                    active_max=d.polls.active_max if d.polls else None,
                    wan_down_bytes=d.polls.wan_down_bytes if d.polls else 0,
                    wan_up_bytes=d.polls.wan_up_bytes if d.polls else 0,
                    restarts=d.polls.restarts if d.polls else 0,
                )
                for d in view.days
            ],
        )


@api.get(
    "/fleet/outages",
    response_model=OutagesOut,
    responses={**NOT_FOUND, 422: {"description": "bad period"}},
)
def outages(
    request: Request,
    caller: Caller,
    area: str = "",
    period: str = "",
    on: str = "",
    first: str = "",
    last: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Any:
    """Outages overlapping a period (as /api/stats takes it; WITA days), newest first; the
    central-side incidents of the period, one each."""
    now = utcnow()
    try:
        chosen = parse_period(
            kind=period, today=local_day(now, DEFAULT_TIMEZONE), on=on, first=first, last=last
        )
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    with transaction(request) as session:
        log = outage_log(
            session=session,
            scope=caller.scope,
            first_day=chosen.first,
            last_day=chosen.last,
            now=now,
            zone=DEFAULT_TIMEZONE,
            key=area[:80],
            page=page,
        )
    return OutagesOut(
        first=chosen.first,
        last=chosen.last,
        outages=[
            OutageOut(
                router_id=o.router_id,
                router_name=o.router_name,
                site_code=o.site_code,
                site_name=o.site_name,
                cause=o.cause.value,
                started_at=o.started_at,
                ended_at=o.ended_at,
                seconds=o.seconds,
                charged=o.charged,
            )
            for o in log.outages
        ],
        total=log.total,
        page=log.page,
        pages=log.pages,
        incidents=[
            IncidentOut(
                started_at=i.started_at,
                ended_at=i.ended_at,
                seconds=i.seconds,
                routers=i.routers,
                fleet_routers=i.fleet_routers,
                polled=i.polled,
            )
            for i in log.incidents
        ],
    )
