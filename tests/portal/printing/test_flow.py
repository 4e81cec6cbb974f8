"""Text and tables flowing over A4 pages: long text wraps or is cut within its width, a
table carries on over pages with its title and header row on each."""

from __future__ import annotations

import re

import pypdfium2
import pytest
from fpdf import FPDF

from portal.printing.flow import FONT, Column, Flow, Table


def _flow() -> Flow:
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    flow = Flow(pdf)
    pdf.set_font(FONT, "", 8)
    return flow


def _page_texts(pdf: FPDF) -> list[str]:
    document = pypdfium2.PdfDocument(bytes(pdf.output()))
    texts = []
    for index in range(len(document)):
        text = document[index].get_textpage().get_text_range()
        texts.append(re.sub(r"\s+", " ", text))
    return texts


def test_long_text_wraps_between_words_and_is_cut_after_the_last_line() -> None:
    flow = _flow()
    name = "Desa Sungai Mahakam Hulu Tengah Kampung Baru Seberang Ulu Ilir Timur Laut Jauh"
    lines = flow.wrapped(name, 30)
    assert len(lines) == 3
    assert all(flow.pdf.get_string_width(line) <= 30 for line in lines)
    assert " ".join(lines[:2]) == name[: len(" ".join(lines[:2]))]
    assert lines[-1].endswith("...")
    assert flow.wrapped("Desa Kecil", 30) == ["Desa Kecil"]


def test_a_word_too_long_for_its_line_breaks_after_a_hyphen_or_is_cut() -> None:
    flow = _flow()
    assert flow.wrapped("Perangkat-hari", 15) == ["Perangkat-", "hari"]
    cut = flow.fitted("Tanjungredebkotabaruhulu", 15)
    assert cut.endswith("...") and flow.pdf.get_string_width(cut) <= 15
    assert flow.wrapped("Tanjungredebkotabaruhulu", 15) == [cut]


def test_a_table_repeats_its_title_and_header_on_every_page() -> None:
    flow = _flow()
    columns = [Column("Desa", 120, wrap=True), Column("Jam online", 60, "R")]
    table = Table(flow, columns, continued="Semua desa (lanjutan)")
    table.start("Semua desa")
    for n in range(150):
        table.row([f"Desa Nomor {n:03d}", f"{n}.5"])
    table.end()
    pages = _page_texts(flow.pdf)
    assert len(pages) >= 3
    assert pages[0].startswith("Semua desa Desa Jam online Desa Nomor 000")
    for text in pages[1:]:
        assert text.startswith("Semua desa (lanjutan) Desa Jam online Desa Nomor")
    every = " ".join(pages)
    assert all(f"Desa Nomor {n:03d} {n}.5" in every for n in range(150))


def test_a_heading_with_too_little_room_under_it_moves_to_the_next_page() -> None:
    flow = _flow()
    flow.y = flow.bottom - 20
    flow.heading("Per hari", keep=40)
    assert flow.pdf.page_no() == 2


def test_columns_wider_than_the_page_are_refused() -> None:
    with pytest.raises(ValueError, match="wide"):
        Table(_flow(), [Column("A", 100), Column("B", 100)], continued="")
