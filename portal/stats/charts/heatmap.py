"""When a village is online: 7 weekdays (Monday first, as Indonesian calendars) by 24 local
hours, each cell shaded by its value in a few classes of one light-to-dark ramp.

Zero is white in a frame, no data is grey with a slash through: the legend names both apart
from the classes, each class with its upper bound in the value's unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from babel.dates import get_day_names

from portal.stats.charts import scale
from portal.stats.charts.shapes import (
    SMALL_FONT,
    Figure,
    Line,
    Rect,
    Shape,
    Text,
    text_width,
)
from wifidesa.i18n import Gettext
from wifidesa.stats.sheets import Kind

DAYS, HOURS = 7, 24
HOUR_LABELS = 16.0
CELL_HEIGHT = 18.0
RIGHT = 4.0
LEGEND_ROW = 18.0
SWATCH = 12.0


def weekday_names(language: str) -> list[str]:
    names = get_day_names("abbreviated", locale=language)
    return [str(names[d]) for d in range(DAYS)]  # babel: 0 is Monday


def classes(top: float, kind: Kind) -> list[float]:
    """Upper bounds of the shading classes: round steps from zero up to at least `top`."""
    bounds = scale.ticks(top, kind, count=len(scale.SEQUENTIAL) - 1)[1:]
    return bounds[: len(scale.SEQUENTIAL)]


def class_colours(count: int) -> list[str]:
    """`count` colours spread over the ramp, light to dark (darkest always used)."""
    ramp = scale.SEQUENTIAL
    if count == 1:
        return [ramp[-1]]
    return [ramp[round(k * (len(ramp) - 1) / (count - 1))] for k in range(count)]


def heatmap(
    *,
    values: Sequence[Sequence[float | None]],
    kind: Kind,
    title: str,
    language: str,
    gettext: Gettext,
    width: float = 320.0,
) -> Figure:
    """`values[weekday][hour]`, Monday first, local hours 0-23; None: no data."""
    _ = gettext
    if len(values) != DAYS or any(len(row) != HOURS for row in values):
        raise ValueError("a heatmap takes 7 rows (Monday first) of 24 hours")
    flat = [v for row in values for v in row]
    scale.check_values(flat)
    top = max((v for v in flat if v is not None), default=0.0)
    bounds = classes(top, kind)
    colours = class_colours(len(bounds))
    names = weekday_names(language)
    # Day names are short and letter-heavy ("Kam", "Wed"): wider than the average estimate.
    left = max(text_width(n, SMALL_FONT) for n in names) * 1.3 + 6
    cell = (width - left - RIGHT) / HOURS
    hour = _("{hour}:{minute}")

    legend, legend_height = _legend(bounds, colours, kind, language, width, _)
    grid_bottom = HOUR_LABELS + DAYS * CELL_HEIGHT
    height = grid_bottom + 10 + legend_height
    figure = Figure(width, height, title, _describe(values, names, kind, language, _))
    for h in range(0, HOURS, 3):
        x = left + (h + 0.5) * cell
        figure.add(Text(x, HOUR_LABELS - 5, f"{h:02d}", SMALL_FONT, "middle", scale.MUTED))
    for d, row in enumerate(values):
        y = HOUR_LABELS + d * CELL_HEIGHT
        figure.add(Text(left - 5, y + 13, names[d], SMALL_FONT, "end", scale.MUTED))
        for h, value in enumerate(row):
            x = left + h * cell
            when = f"{names[d]} {hour.format(hour=f'{h:02d}', minute='00')}"
            if value is None:
                figure.add(*_no_data_cell(x, y, cell, CELL_HEIGHT, f"{when}: {_('no data')}"))
                continue
            text = scale.value_text(value, kind, language)
            fill = scale.ZERO if value == 0 else colours[_class_of(value, bounds)]
            tip = f"{when}: {text}"
            figure.add(Rect(x, y, cell, CELL_HEIGHT, fill, "#ffffff", tip=tip))
    figure.add(Rect(left, HOUR_LABELS, cell * HOURS, DAYS * CELL_HEIGHT, "none", scale.FRAME))
    for shape in legend:
        figure.add(_moved(shape, grid_bottom + 10))
    return figure


def _class_of(value: float, bounds: list[float]) -> int:
    return next((k for k, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)


def _no_data_cell(x: float, y: float, w: float, h: float, tip: str | None) -> list[Shape]:
    return [
        Rect(x, y, w, h, scale.NO_DATA, "#ffffff", tip=tip),
        Line(x + 1, y + h - 1, x + w - 1, y + 1, scale.NO_DATA_MARK),
    ]


def _legend(
    bounds: list[float],
    colours: list[str],
    kind: Kind,
    language: str,
    width: float,
    _: Gettext,
) -> tuple[list[Shape], float]:
    """The legend's shapes from y = 0, wrapped to the width, and its height."""
    items: list[tuple[list[Shape], str]] = [
        (_no_data_cell(0, 0, SWATCH, SWATCH, None), _("no data")),
        ([Rect(0, 0, SWATCH, SWATCH, scale.ZERO, scale.FRAME)], "0"),
    ]
    for bound, colour in zip(bounds, colours, strict=True):
        label = "≤ " + scale.value_text(bound, kind, language)
        items.append(([Rect(0, 0, SWATCH, SWATCH, colour, scale.FRAME)], label))
    shapes: list[Shape] = []
    x, y = 4.0, 0.0
    for swatch, label in items:
        span = SWATCH + 4 + text_width(label, SMALL_FONT) + 10
        if x > 4 and x + span > width:
            x, y = 4.0, y + LEGEND_ROW
        shapes.extend(_moved(s, y, x) for s in swatch)
        shapes.append(Text(x + SWATCH + 4, y + SWATCH - 1.5, label, SMALL_FONT))
        x += span
    return shapes, y + LEGEND_ROW


def _moved(shape: Shape, dy: float, dx: float = 0.0) -> Shape:
    if isinstance(shape, Line):
        return replace(
            shape, x1=shape.x1 + dx, x2=shape.x2 + dx, y1=shape.y1 + dy, y2=shape.y2 + dy
        )
    if isinstance(shape, Rect | Text):
        return replace(shape, x=shape.x + dx, y=shape.y + dy)
    raise TypeError(f"cannot move {shape!r}")


def _describe(
    values: Sequence[Sequence[float | None]],
    names: list[str],
    kind: Kind,
    language: str,
    _: Gettext,
) -> str:
    known = [(v, d, h) for d, row in enumerate(values) for h, v in enumerate(row) if v is not None]
    if not known:
        return _("No data for this period.")
    value, d, h = max(known, key=lambda cell: (cell[0], -cell[1], -cell[2]))
    when = f"{names[d]} {_('{hour}:{minute}').format(hour=f'{h:02d}', minute='00')}"
    return _("Busiest hour: {when}, {value}.").format(
        when=when, value=scale.value_text(value, kind, language)
    )
