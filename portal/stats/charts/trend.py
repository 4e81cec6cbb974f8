"""A daily trend: one panel per series (data, devices, ...) over the same days, one above the
other, each with its own axis in its own unit (two units on one axis mislead; two axes on a
phone-wide chart are unreadable).

A day without data is a grey band, and the line breaks there; a day of zero use is a point on
the zero line. A day standing alone between gaps is a dot, so one day of data still shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from portal.stats.charts import scale
from portal.stats.charts.shapes import (
    FONT_SIZE,
    SMALL_FONT,
    Dot,
    Figure,
    Line,
    Polyline,
    Rect,
    Text,
    text_width,
)
from wifidesa.i18n import Gettext
from wifidesa.stats.sheets import Kind

PANEL_TITLE = 18.0
PLOT_HEIGHT = 84.0
PANEL_GAP = 14.0
AXIS_LABELS = 18.0
LEGEND = 20.0
RIGHT = 8.0
DOTS_UP_TO = 62  # days; past two months dots would merge into the line


@dataclass(frozen=True)
class Series:
    name: str
    kind: Kind
    values: Sequence[float | None]  # one per day; None: no data that day


def _runs(values: Sequence[float | None]) -> list[tuple[int, int, bool]]:
    """(first index, end index, has data) of each run of days with and without data."""
    runs: list[tuple[int, int, bool]] = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or (values[i] is None) != (values[start] is None):
            runs.append((start, i, values[start] is not None))
            start = i
    return runs


def _day_labels(days: Sequence[date], plot_width: float, language: str) -> list[tuple[int, str]]:
    """Which days get a label under the axis, and the label: every k-th day, or month starts
    on long ranges, as many as fit side by side."""
    if not days:
        return []
    long_range = len(days) > DOTS_UP_TO
    pattern = "MMM yy" if long_range else "d MMM"
    sample = format_date(days[0], pattern, locale=language)
    fit = max(int(plot_width // (text_width(sample + "  ", SMALL_FONT))), 1)
    if long_range:
        starts = [i for i, day in enumerate(days) if day.day == 1] or [0]
        chosen = starts[:: math.ceil(len(starts) / fit)]
    else:
        chosen = list(range(0, len(days), math.ceil(len(days) / fit)))
    return [(i, format_date(days[i], pattern, locale=language)) for i in chosen]


def daily_trend(
    *,
    days: Sequence[date],
    series: Sequence[Series],
    title: str,
    language: str,
    gettext: Gettext,
    width: float = 320.0,
) -> Figure:
    """The trend of each series over `days` (consecutive local days, oldest first)."""
    _ = gettext
    if not 1 <= len(series) <= len(scale.SERIES):
        raise ValueError(f"a trend has 1 or {len(scale.SERIES)} series, not {len(series)}")
    for one in series:
        if len(one.values) != len(days):
            raise ValueError(f"{len(one.values)} values for {len(days)} days")
        scale.check_values(list(one.values))
    tops = [max((v for v in s.values if v is not None), default=0.0) for s in series]
    axes = [scale.ticks(top, s.kind) for top, s in zip(tops, series, strict=True)]
    labels = [
        [scale.value_text(t, s.kind, language) for t in axis]
        for axis, s in zip(axes, series, strict=True)
    ]
    left = max(text_width(t, SMALL_FONT) for ls in labels for t in ls) + 8
    plot_width = width - left - RIGHT
    step = plot_width / max(len(days), 1)
    missing = any(v is None for s in series for v in s.values)
    height = len(series) * (PANEL_TITLE + PLOT_HEIGHT + PANEL_GAP) + AXIS_LABELS
    height += LEGEND if missing or not days else 0
    figure = Figure(width, height, title, _trend_description(days, series, language, _))

    top = 0.0
    for index, one in enumerate(series):
        colour, dashed = scale.SERIES[index], index == 1
        figure.add(
            Line(left, top + 9, left + 18, top + 9, colour, 2.5, dashed),
            Text(left + 24, top + 13, one.name, FONT_SIZE, bold=True),
        )
        plot_top = top + PANEL_TITLE
        bottom = plot_top + PLOT_HEIGHT

        def y(value: float, axis: list[float] = axes[index], bottom: float = bottom) -> float:
            return bottom - value / axis[-1] * PLOT_HEIGHT

        for run_start, run_end, has_data in _runs(one.values):
            if not has_data:
                figure.add(
                    Rect(left + run_start * step, plot_top, (run_end - run_start) * step,
                         PLOT_HEIGHT, scale.NO_DATA)
                )  # fmt: skip
        for tick, label in zip(axes[index], labels[index], strict=True):
            figure.add(
                Line(left, y(tick), left + plot_width, y(tick), scale.GRID, 1.0),
                Text(left - 4, y(tick) + 4, label, SMALL_FONT, "end", scale.MUTED),
            )
        figure.add(Line(left, bottom, left + plot_width, bottom, scale.FRAME, 1.0))
        _draw_series(figure, days, one, index, y, left, step, language)
        top = bottom + PANEL_GAP

    for i, label in _day_labels(days, plot_width, language):
        x = left + (i + 0.5) * step
        # A label at either end is kept inside the drawing rather than centred on its day.
        half = text_width(label, SMALL_FONT) / 2
        text_x = min(max(x, half + 1), width - half - 1)
        figure.add(
            Line(x, top - PANEL_GAP, x, top - PANEL_GAP + 4, scale.FRAME),
            Text(text_x, top + 2, label, SMALL_FONT, "middle", scale.MUTED),
        )
    if missing or not days:
        y0 = top + AXIS_LABELS
        figure.add(
            Rect(left, y0 - 9, 14, 10, scale.NO_DATA, scale.FRAME),
            Text(left + 20, y0, _("no data"), SMALL_FONT, fill=scale.MUTED),
        )
    return figure


def _draw_series(
    figure: Figure,
    days: Sequence[date],
    one: Series,
    index: int,
    y: Callable[[float], float],
    left: float,
    step: float,
    language: str,
) -> None:
    colour = scale.SERIES[index]
    for run_start, run_end, has_data in _runs(one.values):
        if not has_data:
            continue
        points = [
            (left + (i + 0.5) * step, y(one.values[i] or 0.0)) for i in range(run_start, run_end)
        ]
        if len(points) > 1:
            figure.add(Polyline(tuple(points), colour, 2.0, dashed=index == 1))
        if len(points) == 1 or len(days) <= DOTS_UP_TO:
            for i, (px, py) in zip(range(run_start, run_end), points, strict=True):
                value = scale.value_text(one.values[i] or 0.0, one.kind, language)
                day = format_date(days[i], "d MMM y", locale=language)
                figure.add(Dot(px, py, 3.0 if len(points) > 1 else 4.0, colour, f"{day}: {value}"))


def _trend_description(
    days: Sequence[date], series: Sequence[Series], language: str, _: Gettext
) -> str:
    if not days:
        return _("No data for this period.")
    first = format_date(days[0], "d MMMM y", locale=language)
    last = format_date(days[-1], "d MMMM y", locale=language)
    parts = [_("Per day from {first} to {last}.").format(first=first, last=last)]
    for one in series:
        known = [(v, i) for i, v in enumerate(one.values) if v is not None]
        if not known:
            parts.append(_("{name}: no data.").format(name=one.name))
            continue
        value, i = max(known, key=lambda pair: (pair[0], -pair[1]))
        parts.append(
            _("{name}: highest {value} on {day}; {missing} days without data.").format(
                name=one.name,
                value=scale.value_text(value, one.kind, language),
                day=format_date(days[i], "d MMMM", locale=language),
                missing=len(one.values) - len(known),
            )
        )
    return " ".join(parts)
