"""Statistics in the JSON API: the same report as the page (wifidesa.stats.report), scoped
alike; octets and seconds as integers, days as ISO dates (WITA)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.stats.uptime import area_uptime
from portal.admin.web import Admin
from portal.database import StatsUnavailable, stats_reads
from wifidesa.db.engine import utcnow
from wifidesa.errors import InvalidInput
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.areas import Area
from wifidesa.stats.figures import Usage
from wifidesa.stats.freshness import replayed_until
from wifidesa.stats.periods import parse_period
from wifidesa.stats.report import AreaRow, area_report

UNAVAILABLE = "statistics database unavailable"
RETRY_AFTER = "60"
api = APIRouter(prefix="/api", tags=["statistics"])
Caller = Annotated[Admin, Depends(api_caller)]


class AreaOut(BaseModel):
    key: str = Field(description="pass as ?area= to open it; '' is the top of your scope")
    kind: str
    code: str
    name: str
    level: str


class UsageOut(BaseModel):
    sessions: int
    device_days: int = Field(description="each site-day's distinct devices, summed")
    online_seconds: int
    input_octets: int = Field(description="from the devices (upload)")
    output_octets: int = Field(description="to the devices (download)")
    quota_accounts: int = Field(description="accounts that reached their quota, summed over days")


class DayOut(BaseModel):
    day: date
    usage: UsageOut
    hours: list[int] = Field(description="seconds online in each local hour 00..23")
    sites_heard: int = Field(description="0: no accounting that day (no data, not zero use)")


class RowOut(BaseModel):
    area: AreaOut
    sites: int
    sites_heard: int
    days_heard: int
    usage: UsageOut
    uptime_percent: float | None = Field(
        default=None,
        description="children only: the routers' availability over the period so far "
        "(wifidesa.fleet.availability); null: no data",
    )


class SilentOut(BaseModel):
    site_code: str
    site_name: str
    last_heard: datetime | None


class RefusedOut(BaseModel):
    area: AreaOut
    refused: int


class VouchersOut(BaseModel):
    issued: int
    handed_out: int
    first_used: int


class TotalsOut(BaseModel):
    usage: UsageOut
    devices: int = Field(
        description="distinct devices over the period (a device at two villages once)"
    )
    devices_exact: bool = Field(description="false: estimated from HyperLogLog sketches")
    devices_error: float | None = Field(description="an estimate's relative standard error")
    new_devices: int = Field(
        description="devices first seen at a village of the area in the period"
    )
    median_session_seconds: list[int | None] | None = Field(
        description="the length bucket [from, to) of the median session; to null: a day or more"
    )
    session_lengths: list[int] = Field(description="sessions started, by length bucket")
    sites: int
    sites_heard: int
    uptime_percent: float | None = Field(
        description="the routers' availability over the period so far: outages over 300 s "
        "charged, power cuts and central incidents apart; null: no data"
    )


class ReportOut(BaseModel):
    area: AreaOut
    trail: list[AreaOut]
    first: date
    last: date
    totals: TotalsOut
    days: list[DayOut]
    children: list[RowOut]
    most_used: list[RowOut]
    least_used: list[RowOut]
    silent: list[SilentOut]
    logins: dict[str, int] = Field(
        description="logins by outcome: accepted:<voucher|resident|free|remembered_device>, "
        "refused:<reason>"
    )
    most_refused: list[RefusedOut]
    most_over_quota: list[RowOut]
    vouchers: VouchersOut
    weekday_hours: list[list[float | None]] = Field(
        description="devices online on average, Monday first, hours 00..23; null: no data"
    )
    data_as_of: datetime | None = Field(
        description="read from a replica: the figures include changes up to this time (UTC); "
        "null: live, from the main database"
    )


def _area(area: Area) -> AreaOut:
    return AreaOut(
        key=area.key, kind=area.kind.value, code=area.code, name=area.name, level=area.level
    )


def _usage(usage: Usage) -> UsageOut:
    return UsageOut(**usage.__dict__)


def _row(row: AreaRow, uptime: float | None = None) -> RowOut:
    return RowOut(
        area=_area(row.area),
        sites=row.sites,
        sites_heard=row.sites_heard,
        days_heard=row.days_heard,
        usage=_usage(row.usage),
        uptime_percent=uptime,
    )


@api.get(
    "/stats",
    response_model=ReportOut,
    responses={
        404: {"description": "no such area in your scope"},
        422: {"description": "bad period"},
        503: {"description": "the statistics database (a replica) cannot be reached"},
    },
)
def statistics(
    request: Request,
    caller: Caller,
    area: str = "",
    period: str = "",
    on: str = "",
    first: str = "",
    last: str = "",
) -> Any:
    """An area over a period: period is day, week, month (default), year or custom (first and
    last, YYYY-MM-DD); `on` picks the day, week, month or year holding that date."""
    now = utcnow()
    try:
        chosen = parse_period(
            kind=period, today=local_day(now, DEFAULT_TIMEZONE), on=on, first=first, last=last
        )
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    try:
        with stats_reads(request) as session:
            report = area_report(
                session=session, scope=caller.scope, key=area[:80], period=chosen, now=now
            )
            replayed = replayed_until(session=session)
            uptime = area_uptime(
                session=session,
                scope=caller.scope,
                key=report.view.area.key,
                period=chosen,
                now=now,
                today=local_day(now, DEFAULT_TIMEZONE),
            )
    except StatsUnavailable:
        return JSONResponse({"detail": UNAVAILABLE}, 503, headers={"Retry-After": RETRY_AFTER})
    totals = report.totals
    return ReportOut(
        area=_area(report.view.area),
        trail=[_area(a) for a in report.view.trail],
        first=chosen.first,
        last=chosen.last,
        totals=TotalsOut(
            usage=_usage(totals.usage),
            devices=totals.devices.value,
            devices_exact=totals.devices.exact,
            devices_error=totals.devices.error,
            new_devices=totals.new_devices,
            median_session_seconds=list(totals.median_length) if totals.median_length else None,
            session_lengths=list(totals.lengths),
            sites=totals.sites,
            sites_heard=totals.sites_heard,
            uptime_percent=uptime.total.percent,
        ),
        days=[
            DayOut(day=d.day, usage=_usage(d.usage), hours=list(d.hours), sites_heard=d.sites_heard)
            for d in report.days
        ],
        children=[_row(r, uptime.of(r.area.key)) for r in report.children],
        most_used=[_row(r) for r in report.most_used],
        least_used=[_row(r) for r in report.least_used],
        silent=[
            SilentOut(site_code=s.site.code, site_name=s.site.name, last_heard=s.last_heard)
            for s in report.silent
        ],
        weekday_hours=report.weekday_hours,
        logins=report.logins,
        most_refused=[RefusedOut(area=_area(r.area), refused=n) for r, n in report.most_refused],
        most_over_quota=[_row(r) for r in report.most_over_quota],
        vouchers=VouchersOut(**report.vouchers.__dict__),
        data_as_of=replayed,
    )
