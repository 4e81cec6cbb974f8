"""The statistics page's charts, drawn from its report (numbers in the tables beside them).
The figures are laid out once here, for the page (inline SVG) and the PDF report alike."""

from __future__ import annotations

from markupsafe import Markup

from portal.stats.charts.bars import Bar, bar_chart
from portal.stats.charts.heatmap import heatmap
from portal.stats.charts.shapes import Figure
from portal.stats.charts.svg import render
from portal.stats.charts.trend import Series, daily_trend
from wifidesa.i18n import Gettext
from wifidesa.stats.report import Report
from wifidesa.stats.sheets import Kind

WIDTH = 560.0  # drawing units; the SVG scales down to a 320 px phone
ELEMENT_IDS = {"trend": "chart-trend", "most_used": "chart-most-used", "hours": "chart-hours"}


def report_figures(
    report: Report, language: str, _: Gettext, width: float = WIDTH
) -> dict[str, Figure]:
    """The trend (when the period has days so far), the most used villages (when any was
    used) and the weekday-hour heatmap, as figures."""
    figures: dict[str, Figure] = {}
    if report.days:
        heard = [d.sites_heard > 0 for d in report.days]
        figures["trend"] = daily_trend(
            days=[d.day for d in report.days],
            series=[
                Series(  # in hours, as the tables write it ("6d" reads as days)
                    _("Hours online"),
                    Kind.NUMBER,
                    [
                        d.usage.online_seconds / 3600 if h else None
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
            width=width,
        )
    if report.most_used:
        figures["most_used"] = bar_chart(
            bars=[Bar(r.area.name, r.usage.online_seconds / 3600) for r in report.most_used],
            kind=Kind.NUMBER,
            title=_("Most used villages") + " (" + _("Hours online") + ")",
            language=language,
            gettext=_,
            width=width,
        )
    figures["hours"] = heatmap(
        values=report.weekday_hours,
        kind=Kind.NUMBER,
        title=_("Devices online by weekday and hour (average)"),
        language=language,
        gettext=_,
        width=width,
    )
    return figures


def report_charts(report: Report, language: str, _: Gettext) -> dict[str, Markup]:
    """The report's figures as inline SVG."""
    return {
        name: render(figure, element_id=ELEMENT_IDS[name])
        for name, figure in report_figures(report, language, _).items()
    }
