"""Text and tables flowing down A4 portrait pages: a cursor that starts a new page when a
block does not fit, and tables drawn row by row that carry on over pages with their title
and header row repeated.

Drawn with fpdf2's plain text and rectangles rather than its `table()`: measured on 1,000
rows of eight columns, `table()` took 3.5 s and this 0.2 s — a province report lists every
village, and an export job should not keep a core busy for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from fpdf import FPDF

from portal.printing.pdf import PT, latin1

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
MARGIN = 15.0  # office printers leave 4-6 mm unprinted; 15 mm also leaves room to punch
FOOTER = 14.0  # under the flow, for the page's footer
FONT = "Helvetica"
BODY = 8.0  # points, table text
LINE = 3.5  # mm per line of table text
PAD = 1.0  # mm above and below a row's text
MAX_LINES = 3  # a wrapped cell shows this many lines at most, the last cut with "..."
STRIPE = 243  # grey of every other row: tells rows apart on a black-and-white printout
RULE = 120


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # mm
    align: Literal["L", "R"] = "L"
    wrap: bool = False  # long text wraps onto more lines (else it is cut with "...")


class Flow:
    """Where the next block goes on the page, and a new page when it does not fit."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.left = MARGIN
        self.width = PAGE_WIDTH - 2 * MARGIN
        self.bottom = PAGE_HEIGHT - MARGIN - FOOTER
        self.y = MARGIN
        self.new_page()

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = MARGIN

    def room(self, height: float) -> None:
        """Starts a new page unless `height` mm fit under the cursor (a block taller than a
        page starts at the top of one)."""
        if self.y + height > self.bottom and self.y > MARGIN:
            self.new_page()

    def fitted(self, text: str, width: float) -> str:
        """`text` in the current font, cut with '...' to fit `width` mm."""
        pdf = self.pdf
        text = latin1(text)
        if pdf.get_string_width(text) <= width:
            return text
        while text and pdf.get_string_width(text.rstrip() + "...") > width:
            text = text[:-1]
        return text.rstrip() + "..."

    def wrapped(self, text: str, width: float, most: int = MAX_LINES) -> list[str]:
        """`text` broken between words into at most `most` lines of `width` mm in the current
        font; a word too long for a line breaks after a hyphen (Perangkat-hari) or is cut
        with '...', as is text past the last line."""
        pdf = self.pdf
        tokens: list[tuple[str, str]] = []  # a word and what joins it to the one before
        for word in latin1(text).split():
            if "-" in word.strip("-") and pdf.get_string_width(word) > width:
                parts = [part for part in re.split(r"(?<=-)", word) if part]
                tokens += [(parts[0], " "), *((part, "") for part in parts[1:])]
            else:
                tokens.append((word, " "))
        lines: list[str] = []
        for index, (word, glue) in enumerate(tokens):
            if lines and pdf.get_string_width(f"{lines[-1]}{glue}{word}") <= width:
                lines[-1] = f"{lines[-1]}{glue}{word}"
            elif len(lines) == most:
                rest = "".join(f"{glue}{word}" for word, glue in tokens[index:])
                lines[-1] = self.fitted(lines[-1] + rest, width)
                break
            else:
                lines.append(word)
        return [self.fitted(line, width) for line in lines] or [""]

    def heading(self, text: str, size: float = 12.0, keep: float = 0.0) -> None:
        """A section's title, kept on one page with the next `keep` mm."""
        height = size * PT + 3
        self.room(height + keep)
        self.pdf.set_font(FONT, "B", size)
        self.pdf.set_text_color(0)
        self.y += size * PT
        self.pdf.text(self.left, self.y, self.fitted(text, self.width))
        self.y += 3

    def paragraphs(
        self, texts: Sequence[str], *, title: str = "", size: float = 9.0, gap: float = 1.5
    ) -> None:
        """Wrapped text over the whole width under an optional title, kept on one page when
        it fits one, else carrying on over the page break."""
        pdf = self.pdf
        pdf.set_font(FONT, "", size)
        line = size * PT * 1.35
        blocks = [self.wrapped(text, self.width, most=1_000) for text in texts]
        height = sum(len(lines) * line + gap for lines in blocks)
        whole = height <= self.bottom - MARGIN - 12
        if title:
            self.heading(title, keep=height if whole else 3 * line)
        elif whole:
            self.room(height)
        for lines in blocks:
            for words in lines:
                self.room(line)
                pdf.set_font(FONT, "", size)
                self.y += line
                pdf.text(self.left, self.y - line * 0.25, words)
            self.y += gap


class Table:
    """A table drawn row by row: each page it reaches starts with `title` (continued) and the
    header row."""

    def __init__(self, flow: Flow, columns: Sequence[Column], *, continued: str) -> None:
        total = sum(c.width for c in columns)
        if total > flow.width + 0.01:
            raise ValueError(f"columns are {total} mm wide, the page {flow.width} mm")
        self.flow, self.columns, self.continued = flow, columns, continued
        self.rows = 0

    def _cells(self, cells: Sequence[str], bold: bool) -> list[list[str]]:
        self.flow.pdf.set_font(FONT, "B" if bold else "", BODY)
        return [
            self.flow.wrapped(text, c.width - 2 * PAD) if c.wrap or bold else
            [self.flow.fitted(text, c.width - 2 * PAD)]
            for c, text in zip(self.columns, cells, strict=True)
        ]  # fmt: skip

    def _draw(self, lines: list[list[str]], bold: bool, fill: int | None) -> None:
        flow, pdf = self.flow, self.flow.pdf
        height = max(len(cell) for cell in lines) * LINE + 2 * PAD
        if fill is not None:
            pdf.set_fill_color(fill)
            pdf.rect(flow.left, flow.y, flow.width, height, style="F")
        pdf.set_font(FONT, "B" if bold else "", BODY)
        x = flow.left
        for column, cell in zip(self.columns, lines, strict=True):
            for n, text in enumerate(cell):
                baseline = flow.y + PAD + (n + 1) * LINE - 0.9
                left = x + PAD
                if column.align == "R":
                    left = x + column.width - PAD - pdf.get_string_width(text)
                pdf.text(left, baseline, text)
            x += column.width
        flow.y += height
        if bold:
            pdf.set_draw_color(RULE)
            pdf.set_line_width(0.3)
            pdf.line(flow.left, flow.y, flow.left + flow.width, flow.y)

    def _header(self) -> None:
        self._draw(self._cells([c.title for c in self.columns], bold=True), True, None)

    def start(self, title: str) -> None:
        """The table's title and header, on a page with room for its first rows too."""
        header = self._cells([c.title for c in self.columns], bold=True)
        header_height = max(len(cell) for cell in header) * LINE + 2 * PAD
        self.flow.heading(title, keep=header_height + 2 * (LINE + 2 * PAD))
        self._draw(header, True, None)

    def row(self, cells: Sequence[str]) -> None:
        lines = self._cells(cells, bold=False)
        height = max(len(cell) for cell in lines) * LINE + 2 * PAD
        if self.flow.y + height > self.flow.bottom:
            self.flow.new_page()
            self.flow.heading(self.continued, size=10.0)
            self._header()
        self._draw(lines, False, STRIPE if self.rows % 2 else None)
        self.rows += 1

    def end(self, gap: float = 6.0) -> None:
        self.flow.y += gap
