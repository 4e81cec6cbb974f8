"""The statistics pages: an area over a period, drill-down from the top of the admin's scope.

Everything shown comes from one report (wifidesa.stats.report.area_report); this module only
reads the address, formats and renders. Numbers are always in a table beside any chart.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from portal.admin.fleet.words import percent
from portal.admin.stats.charts import report_charts
from portal.admin.stats.renderers import EXPORT_RENDERERS
from portal.admin.stats.uptime import area_uptime
from portal.admin.web import Admin, gettext_for, page, signed_in
from portal.database import StatsUnavailable, stats_reads
from portal.i18n import request_language
from portal.stats.formats import count, devices, hours, length_words
from wifidesa.db.engine import utcnow
from wifidesa.db.models import ExportFormat
from wifidesa.errors import InvalidInput, translate_error
from wifidesa.i18n import format_moment
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.freshness import replayed_until
from wifidesa.stats.outcomes import is_refusal, outcome_label
from wifidesa.stats.periods import Period, PeriodKind, parse_period
from wifidesa.stats.report import area_report
from wifidesa.stats.tables import TITLES
from wifidesa.units import format_size

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The statistics database (a replica) is down: the page says so; the rest of the admin works.
UNAVAILABLE = (
    "The statistics database cannot be reached right now. Please try again in a few minutes; "
    "the rest of the admin works as usual."
)
RETRY_AFTER = "60"
PERIOD_WORDS = {
    PeriodKind.DAY: "Day",
    PeriodKind.WEEK: "Week",
    PeriodKind.MONTH: "Month",
    PeriodKind.YEAR: "Year",
    PeriodKind.CUSTOM: "Custom",
}


def period_query(area: str, period: Period) -> str:
    """The address part that opens `area` over `period` (links, prev/next, exports)."""
    fields = {"area": area, "period": period.kind.value}
    if period.kind is PeriodKind.CUSTOM:
        fields |= {"first": period.first.isoformat(), "last": period.last.isoformat()}
    else:
        fields["on"] = period.first.isoformat()
    return urlencode({k: v for k, v in fields.items() if v})


@router.get("/stats")
def statistics(
    request: Request,
    admin: SignedIn,
    area: str = "",
    period: str = "",
    on: str = "",
    first: str = "",
    last: str = "",
) -> Response:
    now = utcnow()
    today = local_day(now, DEFAULT_TIMEZONE)
    try:
        chosen = parse_period(kind=period, today=today, on=on, first=first, last=last)
    except InvalidInput as exc:
        detail = translate_error(exc, gettext_for(request))
        title = gettext_for(request)("Statistics")
        return page(request, "admin/error.html", admin, 400, title=title, detail=detail)
    _ = gettext_for(request)
    try:
        with stats_reads(request) as session:
            report = area_report(
                session=session, scope=admin.scope, key=area[:80], period=chosen, now=now
            )
            replayed = replayed_until(session=session)
            uptime = area_uptime(
                session=session,
                scope=admin.scope,
                key=report.view.area.key,
                period=chosen,
                now=now,
                today=today,
            )
    except StatsUnavailable:
        detail = _(UNAVAILABLE)
        response = page(
            request, "admin/error.html", admin, 503, title=_("Statistics"), detail=detail
        )
        response.headers["Retry-After"] = RETRY_AFTER
        return response
    language = request_language(request)
    as_of = format_moment(moment=replayed, zone=DEFAULT_TIMEZONE, gettext=_) if replayed else ""
    return page(
        request,
        "stats/overview.html",
        admin,
        report=report,
        charts=report_charts(report, language, _),
        as_of=as_of,
        query=lambda key, p=chosen: period_query(key, p),
        here=lambda p: period_query(report.view.area.key, p),
        size=format_size,
        count=partial(count, language=language),
        hours=partial(hours, language=language),
        devices=partial(devices, language=language),
        length=length_words,
        weekdays=WEEKDAYS,
        period_words=PERIOD_WORDS,
        today=today,
        kinds=list(PeriodKind),
        export_tables=TITLES.items(),
        outcome_label=outcome_label,
        is_refusal=is_refusal,
        pdf_ready=ExportFormat.PDF in EXPORT_RENDERERS,
        uptime=uptime,
        percent=partial(percent, language=language, _=_),
    )
