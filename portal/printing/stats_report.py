"""An area's monthly evaluation report as a PDF, ready to print for a coordination meeting
(Rakorda): a title block, the headline figures, the page's charts (the daily trend, devices by
weekday and hour, the most used villages), the next level down, every village ranked, the
silent villages and how to read it all.

A4 portrait and readable in black and white: the charts' colours are colour-blind safe, the
heatmap's ramp runs light to dark, the second trend line is dashed and no data is grey with a
slash. Numbers are written as the statistics page writes them; every word goes through the
reader's gettext (Bahasa Indonesia by default).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from fpdf import FPDF

from portal.admin.stats.charts import report_figures
from portal.printing.figure_pdf import draw_figure
from portal.printing.flow import FONT, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, Column, Flow, Table
from portal.printing.pdf import Progress
from portal.stats.charts.shapes import Figure
from portal.stats.formats import count, devices, hours, length_words
from wifidesa.i18n import MONTHS, Gettext, format_moment
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.periods import Period, PeriodKind
from wifidesa.stats.report import AreaRow, Report
from wifidesa.units import format_size

log = logging.getLogger(__name__)

PROGRESS_EVERY = 100  # villages between progress reports
FIGURE_GAP = 6.0
NO_DATA = "–"  # as the page's tables: no accounting at all, apart from a zero


def _day_words(day: date, _: Gettext) -> str:
    return f"{day.day} {_(MONTHS[day.month - 1])} {day.year}"


def period_words(period: Period, _: Gettext) -> str:
    """'Desember 2026' for a month, else the first and last day."""
    first = period.first
    if period.kind is PeriodKind.MONTH:
        return f"{_(MONTHS[first.month - 1])} {first.year}"
    if period.days == 1:
        return _day_words(first, _)
    return f"{_day_words(first, _)} – {_day_words(period.last, _)}"


class _PDF(FPDF):
    """fpdf2 calls `footer` as each page closes: the area, the period and the page number."""

    place = ""
    page_words = "{page}"  # "Page {page} of {pages}" in the reader's language

    def footer(self) -> None:
        baseline = PAGE_HEIGHT - MARGIN
        width = PAGE_WIDTH - 2 * MARGIN
        self.set_draw_color(150)
        self.set_line_width(0.2)
        self.line(MARGIN, baseline - 4.5, MARGIN + width, baseline - 4.5)
        self.set_font(FONT, "", 8)
        self.set_text_color(80)
        self.text(MARGIN, baseline, self.place)
        # fpdf2 puts the page count in for {nb} when the document is done, right-aligned.
        number = self.page_words.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        self.set_xy(MARGIN, baseline - 3)
        self.cell(width, 4, number, align="R")


class _Writer:
    def __init__(self, report: Report, language: str, _: Gettext) -> None:
        self.report, self.language, self._ = report, language, _
        self.area = report.view.area.name or _("My villages")
        self.period = period_words(report.period, _)
        pdf = _PDF(unit="mm", format="A4")
        pdf.page_words = _("Page {page} of {pages}")
        pdf.set_auto_page_break(False)  # the flow breaks pages itself, keeping blocks whole
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_creator("wifidesa")
        pdf.set_lang(language)
        self.pdf = pdf
        self.flow = Flow(pdf)
        pdf.set_font(FONT, "", 8)
        pdf.place = self.flow.fitted(f"{self.area} · {self.period}", self.flow.width - 40)

    def continued(self, title: str) -> str:
        return self._("{title} (continued)").format(title=title)

    def title_block(self, generated_at: datetime) -> None:
        _, pdf, flow, report = self._, self.pdf, self.flow, self.report
        title = _("Wi-Fi Desa evaluation report")
        if report.period.kind is PeriodKind.MONTH:
            title = _("Wi-Fi Desa monthly evaluation report")
        pdf.set_title(f"{title}: {self.area}, {self.period}")
        pdf.set_font(FONT, "B", 17)
        flow.y += 6
        pdf.text(flow.left, flow.y, flow.fitted(title, flow.width))
        pdf.set_font(FONT, "B", 14)
        flow.y += 8.5
        name = flow.fitted(self.area, flow.width - 40)
        pdf.text(flow.left, flow.y, name)
        code = report.view.area.code
        if code:
            x = flow.left + pdf.get_string_width(name) + 3
            pdf.set_font(FONT, "", 12)
            pdf.set_text_color(80)
            pdf.text(x, flow.y, flow.fitted(code, flow.left + flow.width - x))
            pdf.set_text_color(0)
        pdf.set_font(FONT, "", 13)
        flow.y += 7
        period = self.period
        shown = report.days[-1].day if report.days else None
        if shown is None or shown < report.period.last:
            # A month still running is shown so far (area_report leaves out days to come).
            period += " (" + _("so far") + ")"
        pdf.text(flow.left, flow.y, flow.fitted(period, flow.width))
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(80)
        flow.y += 6
        made = format_moment(moment=generated_at, zone=DEFAULT_TIMEZONE, gettext=_)
        pdf.text(flow.left, flow.y, flow.fitted(_("Made on {moment}").format(moment=made), 180))
        pdf.set_text_color(0)
        flow.y += 3
        pdf.set_draw_color(0)
        pdf.set_line_width(0.5)
        pdf.line(flow.left, flow.y, flow.left + flow.width, flow.y)
        flow.y += 6

    def headline(self) -> None:
        _, pdf, flow = self._, self.pdf, self.flow
        t, lang = self.report.totals, self.language
        rows = [
            (_("Sessions"), count(t.usage.sessions, lang)),
            (_("Devices (distinct over the period)"), devices(t.devices, lang)),
            (_("New devices (first time at a village)"), count(t.new_devices, lang)),
            (_("Hours online"), hours(t.usage.online_seconds, lang)),
            (_("Data downloaded"), format_size(t.usage.output_octets)),
            (_("Data uploaded"), format_size(t.usage.input_octets)),
            (_("Median session length"), length_words(t.median_length)),
            (_("Villages with accounting / all"), f"{t.sites_heard} / {t.sites}"),
        ]
        step = 5.5
        flow.heading(_("Headline"), keep=len(rows) * step)
        pdf.set_draw_color(200)
        pdf.set_line_width(0.2)
        for label, value in rows:
            flow.y += step
            pdf.set_font(FONT, "", 10)
            pdf.text(flow.left + 1, flow.y - 1.7, flow.fitted(label, 95))
            pdf.set_font(FONT, "B", 11)
            pdf.text(flow.left + 100, flow.y - 1.7, flow.fitted(value, flow.width - 100))
            pdf.line(flow.left, flow.y, flow.left + flow.width, flow.y)
        flow.y += FIGURE_GAP

    def figure(self, figure: Figure | None) -> None:
        if figure is None:
            return
        flow = self.flow
        height = figure.height * flow.width / figure.width
        flow.heading(figure.title, keep=height)
        flow.y += draw_figure(self.pdf, figure, x=flow.left, y=flow.y, width=flow.width)
        flow.y += FIGURE_GAP

    def _usage(self, row: AreaRow) -> list[str]:
        if row.days_heard == 0:
            return [NO_DATA] * 4  # no accounting at all: not zero use
        u, lang = row.usage, self.language
        data = format_size(u.octets)
        return [
            count(u.sessions, lang),
            count(u.device_days, lang),
            hours(u.online_seconds, lang),
            data,
        ]

    def _usage_columns(self) -> list[Column]:
        _ = self._
        return [
            Column(_("Sessions"), 18, "R"),
            Column(_("Device-days"), 18, "R"),
            Column(_("Hours online"), 18, "R"),
            Column(_("Data"), 19, "R"),
        ]

    def by_area(self) -> None:
        if not self.report.children:
            return
        _ = self._
        columns = [
            Column(_("Area"), 60, wrap=True),
            Column(_("Code"), 26),
            Column(_("Villages heard"), 21, "R"),
            *self._usage_columns(),
        ]
        title = _("By area")
        table = Table(self.flow, columns, continued=self.continued(title))
        table.start(title)
        for row in self.report.children:
            heard = f"{row.sites_heard} / {row.sites}"
            table.row([row.area.name, row.area.code, heard, *self._usage(row)])
        table.end()

    def villages(self, progress: Progress | None) -> None:
        _, villages = self._, self.report.villages
        columns = [
            Column(_("No."), 9, "R"),
            Column(_("Village"), 53, wrap=True),
            Column(_("Code"), 26),
            Column(_("Days with accounting"), 19, "R"),
            *self._usage_columns(),
        ]
        title = _("Every village, the most used first")
        table = Table(self.flow, columns, continued=self.continued(title))
        table.start(title)
        total = len(villages)
        for number, row in enumerate(villages, start=1):
            cells = [str(number), row.area.name, row.area.code, str(row.days_heard)]
            table.row([*cells, *self._usage(row)])
            if progress is not None and number % PROGRESS_EVERY == 0 and number < total:
                progress(number, total)
        if not villages:
            self.flow.paragraphs([_("No villages in this area.")])
        table.end()
        if progress is not None:
            progress(total, total)

    def silent(self) -> None:
        _ = self._
        title = _("Villages without accounting for more than two days")
        if not self.report.silent:
            none = _("None: every village was heard in the last two days.")
            self.flow.paragraphs([none], title=title, gap=6)
            return
        columns = [
            Column(_("Village"), 70, wrap=True),
            Column(_("Code"), 40),
            Column(_("Last accounting heard"), 70),
        ]
        table = Table(self.flow, columns, continued=self.continued(title))
        table.start(title)
        for silent in self.report.silent:
            heard = (
                format_moment(moment=silent.last_heard, zone=silent.site.zone, gettext=_)
                if silent.last_heard
                else _("never heard")
            )
            table.row([silent.site.name, silent.site.code, heard])
        table.end()

    def notes(self) -> None:
        _ = self._
        paragraphs = [
            [
                _("No data is not zero use."),
                _("No data (grey in the charts, – in the tables): no accounting reached us."),
                _("The router was off, its link was down, or the village was not in use yet."),
                _("A village heard with nobody online shows 0."),
            ],
            [
                _("Devices are counted per village: a phone used in two villages counts twice."),
                _("Device-days add up each day's devices: one phone on 20 days is 20 device-days."),
            ],
            [_("Hours online add up every session: two devices for one hour are two hours.")],
            [_("Days and hours are local time, WITA (UTC+8), midnight to midnight.")],
            [_("Devices by weekday and hour: the average online in each hour, on days with data.")],
            [_("Villages silent for more than two days are listed apart: check their router.")],
        ]
        texts = [" ".join(sentences) for sentences in paragraphs]
        self.flow.paragraphs(texts, title=_("How to read this report"))


def monthly_report_pdf(
    report: Report,
    *,
    language: str,
    gettext: Gettext,
    generated_at: datetime,
    progress: Progress | None = None,
) -> bytes:
    """The report as an A4 PDF in the reader's language. `generated_at` (aware) is printed in
    WITA; `progress(done, total)` hears about the village rows drawn (every PROGRESS_EVERY
    and at the end), the part that grows with the area."""
    if generated_at.tzinfo is None:
        # A naive time would be read in the server's zone, not WITA.
        raise ValueError("generated_at must carry its time zone")
    writer = _Writer(report, language, gettext)
    writer.pdf.set_creation_date(generated_at)
    figures = report_figures(report, language, gettext)
    writer.title_block(generated_at)
    writer.headline()
    writer.figure(figures.get("trend"))
    writer.figure(figures.get("hours"))
    writer.by_area()
    writer.figure(figures.get("most_used"))
    writer.villages(progress)
    writer.silent()
    writer.notes()
    data = bytes(writer.pdf.output())
    log.info(
        "report PDF for %s %s: %d villages, %d pages, %d bytes",
        report.view.area.key or "(top)",
        report.period.first.isoformat(),
        len(report.villages),
        writer.pdf.pages_count,
        len(data),
    )
    return data
