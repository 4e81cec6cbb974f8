"""The statistics page's charts, drawn from its report (numbers in the tables beside them)."""

from __future__ import annotations

from markupsafe import Markup

from portal.stats.charts.bars import Bar, bar_chart
from portal.stats.charts.heatmap import heatmap
from portal.stats.charts.svg import render
from portal.stats.charts.trend import Series, daily_trend
from wifidesa.i18n import Gettext
from wifidesa.stats.report import Report
from wifidesa.stats.sheets import Kind

WIDTH = 560.0  # drawing units; the SVG scales down to a 320 px phone


def report_charts(report: Report, language: str, _: Gettext) -> dict[str, Markup]:
    """The trend, the most used villages and the weekday-hour heatmap, as inline SVG."""
    charts: dict[str, Markup] = {}
    if report.days:
        heard = [d.sites_heard > 0 for d in report.days]
        trend = daily_trend(
            days=[d.day for d in report.days],
            series=[
                Series(
                    _("Hours online"),
                    Kind.SECONDS,
                    [
                        d.usage.online_seconds if h else None
                        for d, h in zip(report.days, heard, strict=True)
                    ],
                ),
                Series(
                    _("Sessions"),
                    Kind.INTEGER,
                    [
                        d.usage.sessions if h else None
                        for d, h in zip(report.days, heard, strict=True)
                    ],
                ),
            ],
            title=_("Day by day"),
            language=language,
            gettext=_,
            width=WIDTH,
        )
        charts["trend"] = render(trend, element_id="chart-trend")
    if report.most_used:
        bars = bar_chart(
            bars=[Bar(r.area.name, r.usage.online_seconds) for r in report.most_used],
            kind=Kind.SECONDS,
            title=_("Most used villages"),
            language=language,
            gettext=_,
            width=WIDTH,
        )
        charts["most_used"] = render(bars, element_id="chart-most-used")
    grid = heatmap(
        values=report.weekday_hours,
        kind=Kind.NUMBER,
        title=_("Devices online by weekday and hour (average)"),
        language=language,
        gettext=_,
        width=WIDTH,
    )
    charts["hours"] = render(grid, element_id="chart-hours")
    return charts
