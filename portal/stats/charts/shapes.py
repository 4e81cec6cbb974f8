"""A chart as plain geometry: rectangles, lines, dots and text in a box of user units.

The chart kinds (trend, bars, heatmap) lay their figures out here, and a renderer turns the
shapes into a format: `svg.render` for pages; a PDF report can draw the same shapes with fpdf2
(y grows downwards in both). Colours are hex strings; text sizes are in the same units as the
coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Anchor = Literal["start", "middle", "end"]

FONT_SIZE = 12.0  # user units; a 320-unit-wide chart at 320 px shows it at ~11 px
SMALL_FONT = 10.5
# Text is measured without a font at hand: sans-serif glyphs average about 0.55 em (digits
# 0.56), DejaVu Sans, Debian's default, ~0.62. Laid out with the widest, a label never
# overlaps its neighbour or the edge.
CHAR_WIDTH = 0.62


def text_width(text: str, size: float = FONT_SIZE) -> float:
    return len(text) * size * CHAR_WIDTH


def fit_text(text: str, width: float, size: float = FONT_SIZE) -> str:
    """The text, cut with an ellipsis where it would be wider than `width`."""
    most = max(int(width / (size * CHAR_WIDTH)), 1)
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None
    tip: str | None = None  # what a pointer over it shows (the value, in words)


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.0
    dashed: bool = False


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    radius: float
    fill: str
    tip: str | None = None


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float = FONT_SIZE
    anchor: Anchor = "start"
    fill: str = "#1b2733"
    bold: bool = False
    italic: bool = False


Shape = Rect | Line | Polyline | Dot | Text


@dataclass
class Figure:
    """A chart's drawing: its size, what it shows in words (title and a description for
    screen readers), and its shapes in drawing order."""

    width: float
    height: float
    title: str
    description: str
    shapes: list[Shape] = field(default_factory=list)

    def add(self, *shapes: Shape) -> None:
        self.shapes.extend(shapes)
