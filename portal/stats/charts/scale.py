"""Axis steps and value labels in the app's units, and the charts' colours.

Values are counts, bytes (shown as `wifidesa.units.format_size` shows them: 1.5 GB), seconds
(`format_duration`: 1d6h) or fractions shown as percents; the kinds are the export columns'
(`wifidesa.stats.sheets.Kind`), so a chart and its table's download speak of the same thing.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

from wifidesa.stats.sheets import Kind
from wifidesa.units import format_duration, format_size

NUMBER_KINDS = (Kind.INTEGER, Kind.OCTETS, Kind.SECONDS, Kind.PERCENT, Kind.NUMBER)

# Okabe & Ito's palette, told apart by readers with any colour-vision deficiency; the second
# series is also dashed, so it reads in black and white.
SERIES = ("#0072B2", "#D55E00")
# Light to dark in one hue family (ColorBrewer YlGnBu): ordered by lightness, so it reads
# the same to colour-blind readers and on a grey-scale printout.
SEQUENTIAL = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")
ZERO = "#ffffff"  # zero use: white in a frame
NO_DATA = "#e4e4e4"  # no data: grey with a slash through, apart from zero
NO_DATA_MARK = "#7d8b91"
INK = "#1b2733"
MUTED = "#55656f"
GRID = "#d5dfdb"
FRAME = "#9aa9a3"

_NICE = (1.0, 2.0, 5.0, 10.0)
_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800)
_HOUR_STEPS = (1, 2, 3, 6, 12)
_DAY = 86_400


def _nice(raw: float) -> float:
    """The smallest of 1, 2, 5 x 10^n at least `raw`."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(n * power for n in _NICE if n * power >= raw * (1 - 1e-9))


def _step(top: float, kind: Kind, count: int) -> float:
    raw = top / count
    if kind is Kind.OCTETS:
        # In the unit the largest value is shown in, so labels read 1 GB, 2 GB ...
        factor = 1
        while factor * 1024 <= top and factor < 1024**4:
            factor *= 1024
        return _nice(raw / factor) * factor if raw >= 1 else 1.0
    if kind is Kind.SECONDS:
        for step in (*_SECOND_STEPS, *(h * 3600 for h in _HOUR_STEPS)):
            if step >= raw:
                return float(step)
        return _nice(raw / _DAY) * _DAY
    if kind is Kind.INTEGER:
        return max(_nice(raw), 1.0)
    return _nice(raw)


def ticks(top: float, kind: Kind, *, count: int = 4) -> list[float]:
    """Axis values from 0 in even, round steps, the last at or above `top` (0 to 1 when
    `top` is 0: an empty chart still has an axis)."""
    if kind not in NUMBER_KINDS:
        raise ValueError(f"not a number kind: {kind}")
    if not top > 0:
        return [0.0, 1.0] if kind is not Kind.PERCENT else [0.0, 0.25, 0.5, 0.75, 1.0]
    step = _step(top, kind, count)
    steps = max(math.ceil(top / step - 1e-9), 1)
    return [n * step for n in range(steps + 1)]


def value_text(value: float, kind: Kind, language: str) -> str:
    """A value as the app writes it: 1.234 (Bahasa) / 1,234 (English), 1.5 GB, 1h30m, 25%."""
    if kind is Kind.OCTETS:
        return format_size(round(value))
    if kind is Kind.SECONDS:
        return format_duration(round(value))
    if kind is Kind.PERCENT:
        return format_percent(value, format="#,##0.#%", locale=language)
    if kind is Kind.INTEGER:
        return format_decimal(round(value), locale=language)
    if kind is Kind.NUMBER:
        return format_decimal(value, format="#,##0.#", locale=language)
    raise ValueError(f"not a number kind: {kind}")


def check_values(values: list[float | None]) -> None:
    """Figures are counts and amounts: a negative, infinite or NaN one is a bug upstream."""
    for value in values:
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"a chart value must be a finite number >= 0, not {value!r}")
