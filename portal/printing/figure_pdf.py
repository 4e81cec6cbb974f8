"""A chart's figure (portal.stats.charts.shapes) drawn on a PDF page with fpdf2's own
primitives — rectangles, lines, polylines, circles, text — so a printed report shows the very
charts the statistics page shows, as vectors (sharp on any printer, text searchable).

Text uses the core Helvetica like the voucher cards: nothing to embed, and Latin-1 covers
Bahasa Indonesia; the few symbols the charts use beyond it are written plainly (≤ as <=).
"""

from __future__ import annotations

from fpdf import FPDF

from portal.printing.pdf import PT, latin1
from portal.stats.charts.shapes import Dot, Figure, Line, Polyline, Rect, Shape, Text

# The SVG renderer's dash patterns, in drawing units (portal.stats.charts.svg).
LINE_DASH = (4.0, 3.0)
POLYLINE_DASH = (6.0, 4.0)


def rgb(colour: str) -> tuple[int, int, int]:
    """'#0072B2' as (0, 114, 178)."""
    value = colour.removeprefix("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _Pen:
    """Draws shapes in drawing units onto the page, `k` mm per unit from (left, top) mm."""

    def __init__(self, pdf: FPDF, left: float, top: float, k: float) -> None:
        self.pdf, self.left, self.top, self.k = pdf, left, top, k

    def x(self, value: float) -> float:
        return self.left + value * self.k

    def y(self, value: float) -> float:
        return self.top + value * self.k

    def stroke(self, colour: str, width: float, dash: tuple[float, float] | None) -> None:
        self.pdf.set_draw_color(*rgb(colour))
        self.pdf.set_line_width(width * self.k)
        if dash is None:
            self.pdf.set_dash_pattern()
        else:
            self.pdf.set_dash_pattern(dash=dash[0] * self.k, gap=dash[1] * self.k)

    def shape(self, shape: Shape) -> None:
        if isinstance(shape, Rect):
            self.rect(shape)
        elif isinstance(shape, Line):
            self.stroke(shape.stroke, shape.width, LINE_DASH if shape.dashed else None)
            self.pdf.line(self.x(shape.x1), self.y(shape.y1), self.x(shape.x2), self.y(shape.y2))
        elif isinstance(shape, Polyline):
            self.stroke(shape.stroke, shape.width, POLYLINE_DASH if shape.dashed else None)
            points = [(self.x(px), self.y(py)) for px, py in shape.points]
            self.pdf.polyline(points, style="D")
        elif isinstance(shape, Dot):
            self.pdf.set_fill_color(*rgb(shape.fill))
            self.pdf.circle(self.x(shape.x), self.y(shape.y), shape.radius * self.k, style="F")
        else:
            self.text(shape)

    def rect(self, shape: Rect) -> None:
        filled = shape.fill != "none"
        if filled:
            self.pdf.set_fill_color(*rgb(shape.fill))
        if shape.stroke:
            # SVG's default stroke is one unit wide, centred on the edge, as here.
            self.stroke(shape.stroke, 1.0, None)
        style = ("F" if filled else "") + ("D" if shape.stroke else "")
        if style:
            w, h = shape.width * self.k, shape.height * self.k
            self.pdf.rect(self.x(shape.x), self.y(shape.y), w, h, style=style)

    def text(self, shape: Text) -> None:
        pdf = self.pdf
        style = ("B" if shape.bold else "") + ("I" if shape.italic else "")
        pdf.set_font("Helvetica", style, shape.size * self.k / PT)
        pdf.set_text_color(*rgb(shape.fill))
        words = latin1(shape.text)
        x = self.x(shape.x)
        if shape.anchor != "start":
            width = pdf.get_string_width(words)
            x -= width / 2 if shape.anchor == "middle" else width
        pdf.text(x, self.y(shape.y), words)


def draw_figure(pdf: FPDF, figure: Figure, *, x: float, y: float, width: float) -> float:
    """Draws `figure` with its top-left corner at (x, y), scaled to `width` (the page's
    units); returns the height it took. Colours, line width and dashes are reset after."""
    pen = _Pen(pdf, x, y, width / figure.width)
    for shape in figure.shapes:
        pen.shape(shape)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0)
    pdf.set_fill_color(255)
    pdf.set_text_color(0)
    return figure.height * pen.k
