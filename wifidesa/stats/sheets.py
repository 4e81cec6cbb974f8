"""Tables of figures written as CSV and XLSX files: the exports of every statistics table.

A `Table` is a title, typed columns and rows of plain values (`None` is *no data*, an empty
cell, never a zero). CSV is written row by row, UTF-8 with a byte-order mark (without it Excel
reads UTF-8 as the machine's ANSI code page and mangles names such as "Long Apari's ċ"). XLSX
goes through XlsxWriter in constant-memory mode: each row is flushed to a temporary file as it
is written, so a province-year of site-days costs the same memory as ten rows.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula
("=HYPERLINK(...)" in a village name). CSV text cells get a leading apostrophe, which
spreadsheets show as text (OWASP's CSV injection advice); XLSX stores text as a string cell,
which a spreadsheet never evaluates, so it keeps the text exactly.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Excel's limits: rows per sheet (the title and header take three), characters in a sheet
# name, and these characters are refused in one.
XLSX_MAX_ROWS = 1_048_576
SHEET_NAME_LENGTH = 31
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
SECONDS_PER_DAY = 86_400


class Kind(StrEnum):
    """What a column holds, which decides how each file writes it."""

    TEXT = "text"
    INTEGER = "integer"
    OCTETS = "octets"  # a count of bytes
    SECONDS = "seconds"  # a duration
    DATE = "date"  # a local day
    PERCENT = "percent"  # a fraction: 0.25 is 25 %
    NUMBER = "number"  # a measure with decimals (devices online on average)


# Column widths in characters, for kinds whose values have a known shape.
_WIDTHS = {
    Kind.INTEGER: 12,
    Kind.OCTETS: 18,
    Kind.SECONDS: 12,
    Kind.DATE: 12,
    Kind.PERCENT: 9,
    Kind.NUMBER: 10,
}
TEXT_WIDTH = (10, 40)  # a text column fits its header, within these bounds


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    width: int | None = None  # characters; None: from the kind and the title

    def chars(self) -> int:
        if self.width is not None:
            return self.width
        low, high = TEXT_WIDTH
        return max(_WIDTHS.get(self.kind, low), min(len(self.title) + 2, high))


@dataclass(frozen=True)
class Table:
    """A titled table. `rows` may be a generator: each file reads it once, row by row."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet shows as it is, never runs as a formula (OWASP: a leading ')."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _check_row(table: Table, row: Sequence[object]) -> None:
    if len(row) != len(table.columns):
        raise ValueError(f"a row of {len(row)} cells in a table of {len(table.columns)} columns")


def _csv_cell(kind: Kind, value: object) -> object:
    if value is None:
        return ""
    if kind is Kind.TEXT:
        return neutralise_formula(str(value))
    if kind is Kind.DATE:
        return _as_date(value).isoformat()
    if kind in (Kind.PERCENT, Kind.NUMBER):
        return _as_number(value)
    return _as_integer(value)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):  # a datetime is a date too: refuse it by name
        raise TypeError(f"a date column holds a datetime: {value!r}")
    if not isinstance(value, date):
        raise TypeError(f"a date column holds {value!r}")
    return value


def _as_integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a whole-number column holds {value!r}")
    return value


def _as_number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"a number column holds {value!r}")
    return float(value)


def iter_csv(table: Table) -> Iterator[str]:
    """The CSV file in pieces, one per row (the first with the byte-order mark and header),
    for a streaming HTTP answer. Text is quoted, numbers are not (RFC 4180, comma-separated);
    the title is not part of a CSV file: it belongs in the file name."""
    buffer = io.StringIO()
    # Quote every text cell: OWASP advises quotes around neutralised cells, and a quoted
    # header reads as text even where a locale's spreadsheet splits on another character.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([neutralise_formula(c.title) for c in table.columns])
    yield BOM + _take(buffer)
    kinds = [c.kind for c in table.columns]
    for row in table.rows:
        _check_row(table, row)
        writer.writerow([_csv_cell(k, v) for k, v in zip(kinds, row, strict=True)])
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_csv(table: Table, out: IO[str]) -> None:
    """Write the CSV file to a text stream opened with newline="" (rows are CRLF-ended)."""
    for piece in iter_csv(table):
        out.write(piece)


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    name = " ".join(title.translate(_SHEET_NAME_FORBIDDEN).split()).strip("'")
    return name[:SHEET_NAME_LENGTH] or "Sheet1"


class _Sheets:
    """Worksheets of one table: a title row, a blank row and a frozen, filterable header;
    rows past Excel's last row go on to a next sheet with the same header."""

    HEADER_ROW = 2

    def __init__(self, workbook: Any, table: Table) -> None:
        self.workbook = workbook
        self.table = table
        self.bold = workbook.add_format({"bold": True, "font_size": 13})
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.formats: dict[Kind, Any] = {
            Kind.TEXT: None,
            Kind.INTEGER: workbook.add_format({"num_format": "#,##0"}),
            Kind.OCTETS: workbook.add_format({"num_format": "#,##0"}),
            # A duration as Excel keeps one (a fraction of a day): it sums, and shows 26:30:00.
            Kind.SECONDS: workbook.add_format({"num_format": "[h]:mm:ss"}),
            Kind.DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
            Kind.PERCENT: workbook.add_format({"num_format": "0.0%"}),
            Kind.NUMBER: workbook.add_format({"num_format": "#,##0.00"}),
        }
        self.count = 0
        self.sheet: Any = None
        self.row = 0

    def _open(self) -> None:
        if self.sheet is not None:
            self._close()
        self.count += 1
        base = sheet_name(self.table.title)
        suffix = f" ({self.count})" if self.count > 1 else ""
        name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        sheet = self.workbook.add_worksheet(name)
        for index, column in enumerate(self.table.columns):
            sheet.set_column(index, index, column.chars())
        sheet.write_string(0, 0, self.table.title + suffix, self.bold)
        for index, column in enumerate(self.table.columns):
            sheet.write_string(self.HEADER_ROW, index, column.title, self.header)
        sheet.freeze_panes(self.HEADER_ROW + 1, 0)
        self.sheet = sheet
        self.row = self.HEADER_ROW + 1

    def _close(self) -> None:
        last = max(self.row - 1, self.HEADER_ROW)
        self.sheet.autofilter(self.HEADER_ROW, 0, last, len(self.table.columns) - 1)

    def write(self, row: Sequence[object]) -> None:
        if self.sheet is None or self.row >= XLSX_MAX_ROWS:
            self._open()
        for index, (column, value) in enumerate(zip(self.table.columns, row, strict=True)):
            self._cell(index, column.kind, value)
        self.row += 1

    def _cell(self, index: int, kind: Kind, value: object) -> None:
        if value is None:
            return  # no data: an empty cell, never 0
        sheet, row, style = self.sheet, self.row, self.formats[kind]
        if kind is Kind.TEXT:
            # write_string, never write(): write() turns "=..." into a formula.
            sheet.write_string(row, index, str(value))
        elif kind is Kind.DATE:
            sheet.write_datetime(row, index, _as_date(value), style)
        elif kind is Kind.SECONDS:
            sheet.write_number(row, index, _as_integer(value) / SECONDS_PER_DAY, style)
        elif kind in (Kind.PERCENT, Kind.NUMBER):
            sheet.write_number(row, index, _as_number(value), style)
        else:
            sheet.write_number(row, index, _as_integer(value), style)

    def finish(self) -> None:
        if self.sheet is None:
            self._open()  # an empty table is still a sheet with its title and header
        self._close()


def write_xlsx(
    tables: Table | Sequence[Table],
    target: str | Path | IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the table (or tables, a sheet each, in order) as an XLSX workbook to a path or a
    binary file (a BytesIO, a temporary file): numbers as numbers, days as dates, durations as
    Excel durations, text as text. `progress(rows)` is told the rows written so far, every
    1,000 rows and at the end of each table."""
    if isinstance(tables, Table):
        tables = [tables]
    options = {
        "constant_memory": True,
        # Text stays text: no formulas, links or numbers guessed from strings.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_date_format": "yyyy-mm-dd",
    }
    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, options)
    workbook.use_zip64()  # a province-year of site-days passes 4 GB uncompressed sheet data
    # Closed even when a row is refused, which removes the temporary files: the file then
    # holds the rows before it, and the caller discards it with the error.
    written = 0
    try:
        for table in tables:
            sheets = _Sheets(workbook, table)
            for row in table.rows:
                _check_row(table, row)
                sheets.write(row)
                written += 1
                if progress is not None and written % 1000 == 0:
                    progress(written)
            sheets.finish()
            if progress is not None:
                progress(written)
    finally:
        workbook.close()
