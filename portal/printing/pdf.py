"""Voucher cards as a PDF: an A4 sheet of cards with cut lines, or a 58 mm thermal-printer strip.

Drawn with fpdf2's core fonts (Helvetica, Courier: nothing to embed, so 5,000 cards stay small)
and QR codes as vector rectangles, sharp at any printer resolution.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from fpdf import FPDF

from portal.printing.cards import QR_BORDER, Card, qr_matrix

Layout = Literal["a4", "strip58"]
Progress = Callable[[int, int], None]

PROGRESS_EVERY = 100  # cards between progress reports
PT = 25.4 / 72  # millimetres per point
MONO_WIDTH = 0.6  # Courier: every glyph is 0.6 em wide


@dataclass(frozen=True)
class _A4:
    width: float = 210.0
    height: float = 297.0
    columns: int = 3
    rows: int = 8
    # Office printers leave 4-6 mm unprinted at the edges: keep cut lines and cards inside.
    margin_x: float = 8.0
    margin_y: float = 8.5
    padding: float = 2.5
    qr_box: float = 29.0  # the QR with its quiet zone, at most (0.7 mm modules)
    qr_module: float = 0.75  # mm per module, at most

    @property
    def card_width(self) -> float:
        return (self.width - 2 * self.margin_x) / self.columns

    @property
    def card_height(self) -> float:
        return (self.height - 2 * self.margin_y) / self.rows


@dataclass(frozen=True)
class _Strip:
    width: float = 58.0
    printable: float = 48.0  # 58 mm rolls print 48 mm (384 dots at 203 dpi)
    # 7 dots at 203 dpi: whole printer dots per module, so every module prints the same size.
    qr_module: float = 0.875
    cards_per_page: int = 10
    padding: float = 3.0
    line: float = 3.6  # profile words, per line


A4 = _A4()
A4_WORD_LINES = 6  # of profile words, wrapped, under the code
STRIP = _Strip()

# Core PDF fonts speak Latin-1 only. Typographic punctuation has a plain equivalent; other
# letters lose their accents (NFKD) or become '?', so a village name never stops a print run.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": ",",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u00a0": " ",
        "\u2264": "<=",
        "\u2265": ">=",
    }
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DARK_RUN = re.compile(rb"\x01+")


def latin1(text: str) -> str:
    """Text that the core PDF fonts can show: Latin-1, with look-alikes for the rest."""
    text = _CONTROL.sub(" ", text.translate(_PLAIN))
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        plain = "".join(
            c
            for c in unicodedata.normalize("NFKD", ch)
            if ord(c) < 256 and not unicodedata.combining(c)
        )
        out.append(plain or "?")
    return "".join(out)


def _rectangles(matrix: list[bytes]) -> Iterator[tuple[int, int, int, int]]:
    """Dark modules as (x, y, width, height) rectangles: horizontal runs of dark modules,
    stacked when the same run repeats on the next rows. A QR code of 33 x 33 modules becomes
    ~150 rectangles instead of ~550 squares, which keeps 5,000 cards quick and small."""
    open_runs: dict[tuple[int, int], int] = {}
    for y, row in enumerate([*matrix, b""]):
        runs = {(m.start(), m.end()) for m in _DARK_RUN.finditer(row)}
        for run in [r for r in open_runs if r not in runs]:
            start = open_runs.pop(run)
            yield run[0], start, run[1] - run[0], y - start
        for run in runs:
            open_runs.setdefault(run, y)


class _PDF(FPDF):
    def qr_path(self, matrix: list[bytes], x: float, y: float, module: float) -> None:
        """The QR's dark modules as one filled path, with the top-left corner of its quiet zone
        at (x, y) mm.

        fpdf2's rect() validates its arguments on every call (~10 µs): for 5,000 cards of
        ~230 rectangles that is most of the run. Instead one transform (`cm`) puts the path in
        module units, y downwards, so each rectangle is four small integers, and one fill
        paints them all; `q`/`Q` keep the transform from leaking into the rest of the page.
        """
        k = self.k  # points per mm
        left = (x + QR_BORDER * module) * k
        top = (self.h - y - QR_BORDER * module) * k
        scale = module * k
        parts = [f"q 0 g {scale:.4f} 0 0 {-scale:.4f} {left:.2f} {top:.2f} cm"]
        parts.extend(f"{mx} {my} {mw} {mh} re" for mx, my, mw, mh in _rectangles(matrix))
        parts.append("f Q\n")
        # _out is fpdf2's one way to write page content operators it has no method for.
        self._out("\n".join(parts))


class _Writer:
    def __init__(self, title: str) -> None:
        pdf = _PDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.set_title(title)
        pdf.set_creator("wifidesa")
        pdf.set_line_width(0.2)
        self.pdf = pdf
        self.title = latin1(title)

    def qr(self, matrix: list[bytes], x: float, y: float, module: float) -> None:
        """Draws the QR with the top-left corner of its quiet zone at (x, y)."""
        self.pdf.qr_path(matrix, x, y, module)

    def fitted(
        self, text: str, width: float, family: str, style: str, size: float, smallest: float = 0
    ) -> str:
        """`text` in the given font, made smaller down to `smallest` points, then shortened
        with '...' to fit `width` mm. The font stays set for drawing it."""
        pdf = self.pdf
        pdf.set_font(family, style, size)
        while pdf.get_string_width(text) > width and size - 0.5 >= smallest:
            size -= 0.5
            pdf.set_font(family, style, size)
        if pdf.get_string_width(text) <= width:
            return text
        while text and pdf.get_string_width(text + "...") > width:
            text = text[:-1]
        return text.rstrip() + "..."

    def wrapped(self, text: str, width: float) -> list[str]:
        """`text` broken between words into lines of at most `width` mm in the current font;
        a single word too long for a line is left for fitted() to shorten."""
        lines: list[str] = []
        for word in text.split():
            if lines and self.pdf.get_string_width(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    def code(self, code: str, x: float, baseline: float, width: float, largest: float) -> None:
        """The code in bold Courier, as large as fits `width` (up to `largest` points)."""
        size = min(largest, width / (MONO_WIDTH * max(len(code), 1) * PT))
        self.pdf.set_font("Courier", "B", size)
        self.pdf.text(x, baseline, code)

    def dashed(self, x1: float, y1: float, x2: float, y2: float) -> None:
        pdf = self.pdf
        pdf.set_draw_color(140)
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        pdf.line(x1, y1, x2, y2)
        pdf.set_dash_pattern()


def _a4(writer: _Writer, cards: Sequence[Card], report: Callable[[int], None]) -> None:
    pdf, g = writer.pdf, A4
    per_page = g.columns * g.rows
    pages = max(1, math.ceil(len(cards) / per_page))
    for page in range(pages):
        pdf.add_page()
        batch = cards[page * per_page : (page + 1) * per_page]
        for i, card in enumerate(batch):
            x = g.margin_x + (i % g.columns) * g.card_width
            y = g.margin_y + (i // g.columns) * g.card_height
            _a4_card(writer, card, x, y)
            report(page * per_page + i + 1)
        _a4_cut_lines(writer)
        pdf.set_font("Helvetica", "", 6)
        pdf.set_text_color(110)
        footer = writer.fitted(f"{writer.title}  {page + 1}/{pages}", 150, "Helvetica", "", 6)
        pdf.text(g.margin_x, g.height - g.margin_y / 2 + 1, footer)
        pdf.set_text_color(0)


def _a4_cut_lines(writer: _Writer) -> None:
    g = A4
    right, bottom = g.width - g.margin_x, g.height - g.margin_y
    for column in range(g.columns + 1):
        x = g.margin_x + column * g.card_width
        writer.dashed(x, g.margin_y, x, bottom)
    for row in range(g.rows + 1):
        y = g.margin_y + row * g.card_height
        writer.dashed(g.margin_x, y, right, y)


def _a4_card(writer: _Writer, card: Card, x: float, y: float) -> None:
    pdf, g = writer.pdf, A4
    matrix = qr_matrix(card.url)
    module = min(g.qr_module, g.qr_box / _modules(matrix))
    qr_size = _modules(matrix) * module
    # The quiet zone doubles as the card's padding on the right.
    writer.qr(matrix, x + g.card_width - qr_size, y + (g.card_height - qr_size) / 2, module)
    left, width = x + g.padding, g.card_width - qr_size - g.padding
    village = writer.fitted(latin1(card.village), width, "Helvetica", "B", 8, smallest=6)
    pdf.text(left, y + g.padding + 8 * PT, village)
    writer.code(latin1(card.display_code), left, y + 13, width, 12)
    pdf.set_font("Helvetica", "", 6.5)
    lines = [part for line in card.profile_words for part in writer.wrapped(latin1(line), width)]
    baseline = y + 17.5
    for line in lines[:A4_WORD_LINES]:
        pdf.text(left, baseline, writer.fitted(line, width, "Helvetica", "", 6.5))
        baseline += 3.0


def _modules(matrix: list[bytes]) -> int:
    """The QR code's width in modules, quiet zone included."""
    return len(matrix) + 2 * QR_BORDER


def _strip(writer: _Writer, cards: Sequence[Card], report: Callable[[int], None]) -> None:
    # Pages of a fixed height holding a whole number of cards, not one endless page: viewers
    # and printer drivers cap a PDF page at 200 in (5.08 m), and a page always ends on a cut
    # line, so a driver that feeds or cuts between pages never splits a card.
    pdf, s = writer.pdf, STRIP
    lines = min(max((len(c.profile_words) for c in cards), default=0), 6)
    # Codes of one batch have one length, so their QR codes one size; a larger one shrinks.
    qr_box = (_modules(qr_matrix(cards[0].url)) if cards else 41) * s.qr_module
    card_height = s.padding + 5 + 8 + lines * s.line + 1 + qr_box + s.padding
    left = (s.width - s.printable) / 2
    for start in range(0, max(len(cards), 1), s.cards_per_page):
        batch = cards[start : start + s.cards_per_page]
        pdf.add_page(format=(s.width, card_height * max(len(batch), 1)))
        for i, card in enumerate(batch):
            top = i * card_height
            _strip_card(writer, card, left, top, lines, qr_box)
            writer.dashed(0, top + card_height, s.width, top + card_height)
            report(start + i + 1)


def _strip_card(
    writer: _Writer, card: Card, left: float, top: float, lines: int, qr_box: float
) -> None:
    pdf, s = writer.pdf, STRIP
    width = s.printable

    def centred(text: str, baseline: float) -> None:
        pdf.text(left + (width - pdf.get_string_width(text)) / 2, baseline, text)

    village = writer.fitted(latin1(card.village), width, "Helvetica", "B", 10, smallest=7)
    centred(village, top + s.padding + 10 * PT)
    code = latin1(card.display_code)
    size = min(16, width / (MONO_WIDTH * max(len(code), 1) * PT))
    pdf.set_font("Courier", "B", size)
    centred(code, top + s.padding + 5 + 6)
    baseline = top + s.padding + 13 + s.line - 0.8
    for line in card.profile_words[:lines]:
        centred(writer.fitted(latin1(line), width, "Helvetica", "", 8), baseline)
        baseline += s.line
    matrix = qr_matrix(card.url)
    module = min(s.qr_module, qr_box / _modules(matrix))
    qr_size = _modules(matrix) * module
    qr_top = top + s.padding + 13 + lines * s.line + 1
    writer.qr(matrix, left + (width - qr_size) / 2, qr_top, module)


def render_pdf(
    cards: Sequence[Card],
    layout: Layout,
    title: str,
    progress: Progress | None = None,
) -> bytes:
    """The cards as a PDF, A4 sheets (3 x 8 cards with cut lines) or a 58 mm strip.

    `progress(done, total)` is called every PROGRESS_EVERY cards and at the end, for batches
    of thousands that a web page shows as they are drawn.
    """
    writer = _Writer(title)
    total = len(cards)

    def report(done: int) -> None:
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)

    if layout == "a4":
        _a4(writer, cards, report)
    elif layout == "strip58":
        _strip(writer, cards, report)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return bytes(writer.pdf.output())
