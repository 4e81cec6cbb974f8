"""Labelled values as horizontal bars (top and bottom villages): each label on its own line
above its bar, so long village names fit a phone's width, and each value written at the end
of its bar, so no axis is needed. No data is said in words, apart from a zero-length bar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.stats.charts import scale
from portal.stats.charts.shapes import (
    FONT_SIZE,
    SMALL_FONT,
    Figure,
    Line,
    Rect,
    Text,
    fit_text,
    text_width,
)
from wifidesa.i18n import Gettext
from wifidesa.stats.sheets import Kind

ROW = 36.0  # label line and bar
BAR = 13.0
LEFT = 4.0
RIGHT = 6.0
ZERO_MARK = 1.5  # a zero is drawn as a hairline at the axis, so the row is not empty


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data


def bar_chart(
    *,
    bars: Sequence[Bar],
    kind: Kind,
    title: str,
    language: str,
    gettext: Gettext,
    width: float = 320.0,
) -> Figure:
    """One bar per label, in the order given, lengths to scale from zero."""
    _ = gettext
    values = [b.value for b in bars]
    scale.check_values(values)
    known = [v for v in values if v is not None]
    top = max(known, default=0.0)
    texts = [_("no data") if v is None else scale.value_text(v, kind, language) for v in values]
    room = max((text_width(t, SMALL_FONT) for t in texts), default=0.0) + 6
    plot_width = width - LEFT - RIGHT - room
    height = max(len(bars), 1) * ROW + 6
    figure = Figure(width, height, title, _describe(bars, texts, _))
    if not bars:
        figure.add(Text(width / 2, ROW / 2 + 4, _("No data for this period."), anchor="middle"))
        return figure

    figure.add(Line(LEFT, 2, LEFT, height - 4, scale.FRAME))
    for index, (bar, text) in enumerate(zip(bars, texts, strict=True)):
        y = index * ROW
        label = fit_text(bar.label, width - LEFT - RIGHT)
        figure.add(Text(LEFT + 4, y + 13, label, FONT_SIZE))
        bar_top = y + 17
        if bar.value is None:
            figure.add(
                Rect(LEFT, bar_top, 14, BAR, scale.NO_DATA, scale.FRAME, tip=bar.label),
                Line(LEFT, bar_top + BAR, LEFT + 14, bar_top, scale.NO_DATA_MARK),
                Text(LEFT + 20, bar_top + 10.5, text, SMALL_FONT, fill=scale.MUTED, italic=True),
            )
            continue
        length = bar.value / top * plot_width if top > 0 else 0.0
        tip = f"{bar.label}: {text}"
        figure.add(
            Rect(LEFT, bar_top, max(length, ZERO_MARK), BAR, scale.SERIES[0], tip=tip),
            Text(LEFT + max(length, ZERO_MARK) + 4, bar_top + 10.5, text, SMALL_FONT),
        )
    return figure


def _describe(bars: Sequence[Bar], texts: Sequence[str], _: Gettext) -> str:
    known = [(b.value, b.label, t) for b, t in zip(bars, texts, strict=True) if b.value is not None]
    if not known:
        return _("No data for this period.")
    _value, label, text = max(known, key=lambda row: row[0] or 0.0)
    return _("{count} bars; highest: {label}, {value}.").format(
        count=len(bars), label=label, value=text
    )
