"""A router's history as one band over time: up, outages (charged or short), power cuts,
central-side incidents and no data, each its own colour, with a tick at every local midnight
(WITA) and a legend of the classes shown. The stretches themselves, with their times, are in
the table beside it.

An outage of five minutes in thirty days is a sliver of a pixel: every stretch that is not up
or no data is drawn at least `MIN_MARK` wide, on top of the rest, so none disappears.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from portal.stats.charts import scale
from portal.stats.charts.shapes import SMALL_FONT, Figure, Line, Rect, Text, text_width
from wifidesa.fleet.availability import Stretch, TimeClass
from wifidesa.i18n import Gettext
from wifidesa.localtime import local_day, local_midnight
from wifidesa.units import format_duration

BAND_TOP = 6.0
BAND_HEIGHT = 34.0
AXIS_LABELS = 16.0
LEGEND_ROW = 18.0
SIDE = 6.0
MIN_MARK = 2.0
# Okabe & Ito's palette (told apart with any colour-vision deficiency); no data is the grey
# of every other chart.
COLOURS = {
    TimeClass.UP: "#009E73",
    TimeClass.SHORT_OUTAGE: "#E69F00",
    TimeClass.OUTAGE: "#D55E00",
    TimeClass.POWER: "#CC79A7",
    TimeClass.CENTRAL: "#56B4E9",
    TimeClass.NO_DATA: scale.NO_DATA,
}
# What readers look for drawn last, on top.
_BACKGROUND = (TimeClass.UP, TimeClass.NO_DATA)


def state_timeline(
    *,
    stretches: Sequence[Stretch],
    start: datetime,
    end: datetime,
    zone: str,
    labels: Mapping[TimeClass, str],
    title: str,
    language: str,
    gettext: Gettext,
    width: float = 560.0,
) -> Figure:
    """The stretches (oldest first, within `start`..`end`) on one band; `labels` names each
    class in the reader's language."""
    _ = gettext
    if end <= start:
        raise ValueError("a timeline needs end after start")
    span = (end - start).total_seconds()
    plot = width - 2 * SIDE

    def x(moment: datetime) -> float:
        return SIDE + (moment - start).total_seconds() / span * plot

    shown = [kind for kind in TimeClass if any(s.kind is kind for s in stretches)]
    rows = math.ceil(len(shown) / 2) if shown else 0
    height = BAND_TOP + BAND_HEIGHT + AXIS_LABELS + rows * LEGEND_ROW + 4
    figure = Figure(width, height, title, _description(stretches, labels, _))
    figure.add(Rect(SIDE, BAND_TOP, plot, BAND_HEIGHT, scale.NO_DATA))
    ordered = sorted(stretches, key=lambda s: s.kind not in _BACKGROUND)
    for stretch in ordered:
        left, right = x(max(stretch.start, start)), x(min(stretch.end, end))
        if stretch.kind not in _BACKGROUND and right - left < MIN_MARK:
            left = min(left, SIDE + plot - MIN_MARK)
            right = left + MIN_MARK
        figure.add(
            Rect(
                left,
                BAND_TOP,
                max(right - left, 0.0),
                BAND_HEIGHT,
                COLOURS[stretch.kind],
                tip=_tip(stretch, labels, zone),
            )
        )
    figure.add(Rect(SIDE, BAND_TOP, plot, BAND_HEIGHT, "none", scale.FRAME))
    _day_ticks(figure, start, end, zone, x, plot, language)
    top = BAND_TOP + BAND_HEIGHT + AXIS_LABELS + 4
    column = plot / 2
    for index, kind in enumerate(shown):
        left = SIDE + (index % 2) * column
        y = top + (index // 2) * LEGEND_ROW
        figure.add(
            Rect(left, y, 14, 10, COLOURS[kind], scale.FRAME),
            Text(left + 20, y + 9, labels[kind], SMALL_FONT, fill=scale.INK),
        )
    return figure


def _day_ticks(
    figure: Figure,
    start: datetime,
    end: datetime,
    zone: str,
    x: Callable[[datetime], float],
    plot: float,
    language: str,
) -> None:
    """A short tick at every local midnight, a label under as many as fit side by side."""
    day = local_day(start, zone) + timedelta(days=1)
    midnights = []
    while (moment := local_midnight(day, zone)) < end:
        midnights.append((day, moment))
        day += timedelta(days=1)
    if not midnights:
        return
    sample = format_date(midnights[0][0], "d MMM", locale=language)
    fit = max(int(plot // text_width(sample + "   ", SMALL_FONT)), 1)
    every = math.ceil(len(midnights) / fit)
    bottom = BAND_TOP + BAND_HEIGHT
    for index, (day, moment) in enumerate(midnights):
        position = x(moment)
        labelled = index % every == 0
        figure.add(Line(position, bottom, position, bottom + (5 if labelled else 3), scale.FRAME))
        if labelled:
            label = format_date(day, "d MMM", locale=language)
            half = text_width(label, SMALL_FONT) / 2
            text_x = min(max(position, half + 1), figure.width - half - 1)
            figure.add(Text(text_x, bottom + 15, label, SMALL_FONT, "middle", scale.MUTED))


def _when(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%d-%m %H.%M}"


def _tip(stretch: Stretch, labels: Mapping[TimeClass, str], zone: str) -> str:
    length = format_duration(int(stretch.seconds))
    return (
        f"{labels[stretch.kind]}: {_when(stretch.start, zone)}–{_when(stretch.end, zone)}"
        f" ({length})"
    )


def _description(stretches: Sequence[Stretch], labels: Mapping[TimeClass, str], _: Gettext) -> str:
    if not stretches:
        return _("No data for this period.")
    totals: dict[TimeClass, float] = {}
    for stretch in stretches:
        totals[stretch.kind] = totals.get(stretch.kind, 0.0) + stretch.seconds
    parts = [f"{labels[kind]}: {format_duration(int(seconds))}" for kind, seconds in totals.items()]
    return "; ".join(parts) + "."
