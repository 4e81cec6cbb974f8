"""The fleet pages: every router in the admin's scope with its health (sortable, filterable,
paged), one router's history with its timeline, and the outage log. The figures come from
the core (wifidesa.fleet); this module reads the address, formats and renders."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from portal.admin.fleet import words
from portal.admin.fleet.query import STATES, BadQuery, FleetQuery, page_of
from portal.admin.fleet.task_query import ROUTER_TASKS_SHOWN, router_tasks_link
from portal.admin.fleet.tasks import DONE_WORDS, task_words
from portal.admin.web import Admin, gettext_for, page, signed_in
from portal.database import transaction
from portal.i18n import request_language
from portal.stats.charts.svg import render
from portal.stats.charts.timeline import state_timeline
from portal.stats.formats import count
from wifidesa.admin.scope import Scope
from wifidesa.db.engine import utcnow
from wifidesa.errors import InvalidInput, translate_error
from wifidesa.fleet.health import FleetSort, fleet_health
from wifidesa.fleet.outages import outage_log
from wifidesa.fleet.router_view import router_view
from wifidesa.fleet.task_requests import list_tasks, may_ask
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.areas import Area, open_area
from wifidesa.stats.periods import Period, PeriodKind, parse_period
from wifidesa.units import format_duration, format_size

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]

# The listing's columns: (sort key, heading, hidden on a phone).
COLUMNS = (
    (FleetSort.NAME, "Router", False),
    (FleetSort.STATE, "State", False),
    (FleetSort.SINCE, "Since", True),
    (FleetSort.LAST_POLL, "Last poll", True),
    (FleetSort.AVAILABILITY, "Uptime (30 days)", False),
    (FleetSort.VERSION, "RouterOS", True),
    (FleetSort.CPU, "CPU", True),
    (FleetSort.ACTIVE_USERS, "Active users", False),
)
OLD_ROUTEROS = "7.15"  # the quick filter's version: require-message-auth came with 7.15
PERIOD_WORDS = {
    PeriodKind.DAY: "Day",
    PeriodKind.WEEK: "Week",
    PeriodKind.MONTH: "Month",
    PeriodKind.YEAR: "Year",
    PeriodKind.CUSTOM: "Custom",
}


def area_choices(session: Session, scope: Scope) -> list[Area]:
    """The top of the scope and the areas one level under it (the kabupaten of the
    province, the kecamatan of a kabupaten, a desa admin's villages)."""
    top = open_area(session=session, scope=scope)
    return [top.area, *(child for child, _ in top.children)]


def _common(request: Request) -> dict[str, Any]:
    language = request_language(request)
    _ = gettext_for(request)
    return {
        "percent": partial(words.percent, language=language, _=_),
        "count": partial(count, language=language),
        "duration": lambda seconds: format_duration(int(seconds)),
        "size": format_size,
        "states": words.STATES,
        "causes": words.CAUSES,
        "classes": words.CLASSES,
        "failure_word": words.failure_word,
        "not_configured": words.NOT_CONFIGURED,
    }


def _bad(request: Request, admin: Admin, title: str, detail: str) -> Response:
    return page(request, "admin/error.html", admin, 400, title=title, detail=detail)


@router.get("/fleet")
def fleet(
    request: Request,
    admin: SignedIn,
    area: str = "",
    state: str = "",
    down_hours: str = "",
    restarted: str = "",
    older: str = "",
    sort: str = FleetSort.NAME.value,
    desc: str = "",
    page_number: PageNumber = 1,
) -> Response:
    _ = gettext_for(request)
    asked = FleetQuery(
        area=area[:80],
        state=state,
        down_hours=down_hours[:12],
        restarted=bool(restarted),
        older=older[:32],
        sort=sort,
        desc=bool(desc),
        page=page_number,
    )
    try:
        filters = asked.filters()
    except BadQuery:
        return _bad(request, admin, _("Router status"), _("This filter cannot be applied."))
    now = utcnow()
    with transaction(request) as session:
        rows = fleet_health(
            session=session,
            scope=admin.scope,
            now=now,
            key=asked.area,
            filters=filters,
            sort=asked.sort_key,
            descending=asked.desc,
        )
        areas = area_choices(session, admin.scope)
    shown, number, pages = page_of(rows, asked.page)
    tally = dict.fromkeys(STATES, 0)
    for row in rows:
        tally[row.state.value if row.configured else "not_configured"] += 1
    return page(
        request,
        "admin/fleet.html",
        admin,
        rows=shown,
        total=len(rows),
        tally=tally,
        page_number=number,
        pages=pages,
        asked=replace(asked, page=number),
        areas=areas,
        columns=COLUMNS,
        state_choices=STATES,
        old_routeros=OLD_ROUTEROS,
        **_common(request),
    )


@router.get("/fleet/routers/{router_id}")
def router_page(request: Request, admin: SignedIn, router_id: int, done: str = "") -> Response:
    _ = gettext_for(request)
    now = utcnow()
    with transaction(request) as session:
        view = router_view(session=session, scope=admin.scope, router_id=router_id, now=now)
        latest = list_tasks(
            session=session, scope=admin.scope, router_id=router_id, limit=ROUTER_TASKS_SHOWN
        )
    labels = words.class_labels(_)
    figure = state_timeline(
        stretches=view.stretches,
        start=view.start,
        end=view.end,
        zone=view.health.zone,
        labels=labels,
        title=_("The last 30 days"),
        language=request_language(request),
        gettext=_,
    )
    return page(
        request,
        "admin/fleet_router.html",
        admin,
        view=view,
        r=view.health,
        timeline=render(figure, element_id="chart-timeline"),
        labels=labels,
        tasks=latest,
        all_tasks=router_tasks_link(router_id),
        may_ask=may_ask(admin.scope),
        done=DONE_WORDS.get(done, ""),
        **task_words(),
        **_common(request),
    )


@router.get("/fleet/outages")
def outages(
    request: Request,
    admin: SignedIn,
    area: str = "",
    period: str = "",
    on: str = "",
    first: str = "",
    last: str = "",
    page_number: PageNumber = 1,
) -> Response:
    _ = gettext_for(request)
    now = utcnow()
    today = local_day(now, DEFAULT_TIMEZONE)
    try:
        chosen = parse_period(kind=period, today=today, on=on, first=first, last=last)
    except InvalidInput as exc:
        return _bad(request, admin, _("Outages"), translate_error(exc, _))
    with transaction(request) as session:
        log = outage_log(
            session=session,
            scope=admin.scope,
            first_day=chosen.first,
            last_day=chosen.last,
            now=now,
            zone=DEFAULT_TIMEZONE,
            key=area[:80],
            page=page_number,
        )
        areas = area_choices(session, admin.scope)
    return page(
        request,
        "admin/fleet_outages.html",
        admin,
        log=log,
        period=chosen,
        area=area[:80],
        areas=areas,
        kinds=list(PeriodKind),
        period_words=PERIOD_WORDS,
        here=lambda p, n=1: outages_query(area[:80], p, n),
        today=today,
        now=now,
        **_common(request),
    )


def outages_query(area: str, period: Period, number: int = 1) -> str:
    """The outage log's address for an area, a period and a page."""
    fields = {"area": area, "period": period.kind.value}
    if period.kind is PeriodKind.CUSTOM:
        fields |= {"first": period.first.isoformat(), "last": period.last.isoformat()}
    else:
        fields["on"] = period.first.isoformat()
    if number > 1:
        fields["page"] = str(number)
    return "/admin/fleet/outages?" + urlencode({k: v for k, v in fields.items() if v})
