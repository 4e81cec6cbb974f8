"""A report's tables as exported (CSV, XLSX, the PDF's tables): the same numbers the page
shows, in units a spreadsheet computes with (octets, seconds, dates), titled in the reader's
language. No data is an empty cell, never a zero."""

from __future__ import annotations

from collections.abc import Callable

from wifidesa.i18n import Gettext
from wifidesa.stats.outcomes import is_refusal, outcome_label
from wifidesa.stats.report import AreaRow, Report
from wifidesa.stats.sheets import Column, Kind, Table

# Each table by the name an export asks for it, and its title (gettext, in the reader's
# language): the statistics page's export form lists them from here.
TABLES: dict[str, Callable[[Report, Gettext], Table]] = {}
TITLES = {
    "days": "Day by day",
    "areas": "By area",
    "villages": "Villages",
    "hours": "Devices online by weekday and hour (average)",
    "logins": "Logins",
    "silent": "Villages without accounting for more than two days",
}


def _table(
    name: str,
) -> Callable[[Callable[[Report, Gettext], Table]], Callable[[Report, Gettext], Table]]:
    def register(build: Callable[[Report, Gettext], Table]) -> Callable[[Report, Gettext], Table]:
        TABLES[name] = build
        return build

    return register


def _heading(report: Report, _: Gettext, what: str) -> str:
    area = report.view.area.name or _("My villages")
    period = report.period
    span = period.first.isoformat()
    if period.days > 1:
        span += f" – {period.last.isoformat()}"
    return f"{_(what)}: {area}, {span}"


def _usage_columns(_: Gettext) -> list[Column]:
    return [
        Column(_("Sessions"), Kind.INTEGER),
        Column(_("Device-days"), Kind.INTEGER),
        Column(_("Time online"), Kind.SECONDS),
        Column(_("Data downloaded (bytes)"), Kind.OCTETS),
        Column(_("Data uploaded (bytes)"), Kind.OCTETS),
        Column(_("Account-days over quota"), Kind.INTEGER),
    ]


def _usage_cells(row: AreaRow) -> list[object]:
    usage = row.usage
    return [
        usage.sessions,
        usage.device_days,
        usage.online_seconds,
        usage.output_octets,
        usage.input_octets,
        usage.quota_accounts,
    ]


@_table("days")
def days_table(report: Report, _: Gettext) -> Table:
    columns = [
        Column(_("Day"), Kind.DATE),
        *_usage_columns(_),
        Column(_("Villages heard"), Kind.INTEGER),
    ]
    rows = []
    for day in report.days:
        if day.sites_heard == 0:
            rows.append([day.day, None, None, None, None, None, None, 0])
            continue
        u = day.usage
        rows.append(
            [
                day.day,
                u.sessions,
                u.device_days,
                u.online_seconds,
                u.output_octets,
                u.input_octets,
                u.quota_accounts,
                day.sites_heard,
            ]
        )
    return Table(_heading(report, _, TITLES["days"]), columns, rows)


def _area_rows(report: Report, _: Gettext, rows: list[AreaRow], what: str) -> Table:
    columns = [
        Column(_("Area"), Kind.TEXT),
        Column(_("Code"), Kind.TEXT),
        Column(_("Villages"), Kind.INTEGER),
        Column(_("Villages heard"), Kind.INTEGER),
        Column(_("Days with accounting"), Kind.INTEGER),
        *_usage_columns(_),
    ]
    cells = [
        [r.area.name, r.area.code, r.sites, r.sites_heard, r.days_heard, *_usage_cells(r)]
        for r in rows
    ]
    return Table(_heading(report, _, what), columns, cells)


@_table("areas")
def areas_table(report: Report, _: Gettext) -> Table:
    return _area_rows(report, _, report.children, TITLES["areas"])


@_table("villages")
def villages_table(report: Report, _: Gettext) -> Table:
    """Every village of the area (the most used first), not only the page's top ten."""
    return _area_rows(report, _, report.villages, TITLES["villages"])


@_table("hours")
def hours_table(report: Report, _: Gettext) -> Table:
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    columns = [Column(_("Hour"), Kind.INTEGER)] + [Column(_(w), Kind.NUMBER) for w in weekdays]
    rows = [
        [hour, *(_rounded(report.weekday_hours[w][hour]) for w in range(7))] for hour in range(24)
    ]
    return Table(_heading(report, _, TITLES["hours"]), columns, rows)


@_table("logins")
def logins_table(report: Report, _: Gettext) -> Table:
    columns = [
        Column(_("How"), Kind.TEXT),
        Column(_("Accepted") + " / " + _("Refused"), Kind.TEXT),
        Column(_("Logins"), Kind.INTEGER),
    ]
    rows = [
        [_(outcome_label(o)), _("Refused") if is_refusal(o) else _("Accepted"), n]
        for o, n in report.logins.items()
    ]
    return Table(_heading(report, _, TITLES["logins"]), columns, rows)


@_table("silent")
def silent_table(report: Report, _: Gettext) -> Table:
    columns = [
        Column(_("Village"), Kind.TEXT),
        Column(_("Code"), Kind.TEXT),
        Column(_("Last accounting heard (UTC)"), Kind.TEXT),
    ]
    rows = [
        [
            s.site.name,
            s.site.code,
            s.last_heard.strftime("%Y-%m-%d %H:%M") if s.last_heard else None,
        ]
        for s in report.silent
    ]
    return Table(_heading(report, _, TITLES["silent"]), columns, rows)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def report_tables(report: Report, _: Gettext) -> list[Table]:
    """Every table of the report, in the page's order."""
    return [build(report, _) for build in TABLES.values()]
