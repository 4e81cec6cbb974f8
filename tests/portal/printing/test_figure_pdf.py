"""A chart's figure drawn on a PDF page: each shape where the figure puts it, scaled to the
width asked for, in its colour; text kept as text."""

from __future__ import annotations

import pypdfium2
import pytest
from fpdf import FPDF
from PIL import Image

from portal.printing.figure_pdf import draw_figure, rgb
from portal.stats.charts.shapes import Dot, Figure, Line, Polyline, Rect, Text

DPI_SCALE = 4.0  # pixels per point
PX_PER_MM = DPI_SCALE * 72 / 25.4


def _page(figure: Figure, *, x: float, y: float, width: float) -> tuple[Image.Image, str, float]:
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    height = draw_figure(pdf, figure, x=x, y=y, width=width)
    document = pypdfium2.PdfDocument(bytes(pdf.output()))
    page = document[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    image = page.render(scale=DPI_SCALE).to_pil().convert("RGB")
    return image, text, height


def _at(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, int, int]:
    pixel = image.getpixel((round(x_mm * PX_PER_MM), round(y_mm * PX_PER_MM)))
    assert isinstance(pixel, tuple)
    return pixel[0], pixel[1], pixel[2]


def _near(found: tuple[int, int, int], colour: str) -> bool:
    return all(abs(a - b) <= 6 for a, b in zip(found, rgb(colour), strict=True))


def test_shapes_land_where_the_figure_puts_them_scaled_to_the_width() -> None:
    figure = Figure(200, 100, "t", "d")
    figure.add(
        Rect(0, 0, 100, 50, "#0072B2"),  # top-left quarter
        Rect(100, 50, 100, 50, "#D55E00", "#000000"),  # bottom-right quarter, framed
        Line(0, 75, 90, 75, "#000000", 4.0),
        Polyline(((110, 10), (150, 40), (190, 10)), "#0c2c84", 4.0, dashed=True),
        Dot(50, 75, 8, "#225ea8"),
    )
    # 200 units on 100 mm: half a millimetre per unit, from (20, 30) mm.
    image, _text, height = _page(figure, x=20, y=30, width=100)
    assert height == pytest.approx(50)
    assert _near(_at(image, 45, 42), "#0072B2")
    assert _near(_at(image, 95, 67), "#D55E00")
    assert _near(_at(image, 95, 42), "#ffffff")  # the top-right quarter stays empty
    assert _near(_at(image, 22, 67.5), "#000000")  # the line, 2 mm thick at y = 67.5
    assert _near(_at(image, 45, 67.5), "#225ea8")  # the dot over it, at (50, 75) units
    assert _near(_at(image, 15, 42), "#ffffff")  # nothing left of the figure


def test_text_is_searchable_anchored_and_plain_where_latin1_ends() -> None:
    figure = Figure(200, 40, "t", "d")
    figure.add(
        Text(100, 20, "Tengah", 12, anchor="middle"),
        Text(200, 35, "≤ 5 jam", 10, anchor="end", bold=True),
        Text(0, 35, "Desa Ujung…", 10, italic=True),
    )
    image, text, _height = _page(figure, x=10, y=10, width=100)
    assert "Tengah" in text and "<= 5 jam" in text and "Desa Ujung..." in text
    # "Tengah" is centred on x = 100 units (60 mm): ink on both sides of the middle.
    row = round(19.5 * PX_PER_MM)
    inked = [
        x / PX_PER_MM
        for x in range(image.width)
        if sum(image.getpixel((x, row))[:3]) < 300  # type: ignore[index]
    ]
    assert inked and min(inked) < 58 < 62 < max(inked)


def test_a_colour_that_is_not_hex_is_refused() -> None:
    assert rgb("#0072B2") == (0, 114, 178)
    with pytest.raises(ValueError, match="colour"):
        rgb("blue")
