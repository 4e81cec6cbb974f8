"""Voucher card PDFs read back as a printer would show them: every code as text, and every QR
code decoded from the rendered pages to exactly the cards' portal URLs."""

from __future__ import annotations

import re

import pytest
from wdtest.cards import read_pdf, sample_cards

from portal.printing.pdf import latin1, render_pdf

MM = 72 / 25.4  # points per millimetre


@pytest.mark.parametrize(("layout", "pages", "width_mm"), [("a4", 2, 210), ("strip58", 3, 58)])
def test_every_card_prints_its_code_and_a_qr_code_that_opens_it(
    layout: str, pages: int, width_mm: float
) -> None:
    cards = sample_cards(30, prefix="KT")
    read = read_pdf(render_pdf(cards, layout, "Batch 7"))  # type: ignore[arg-type]
    assert len(read) == pages
    assert all(page.width_pt == pytest.approx(width_mm * MM, abs=0.1) for page in read)
    text = "\n".join(page.text for page in read)
    for card in cards:
        assert card.display_code in text
    decoded = [url for page in read for url in page.qr_codes]
    assert sorted(decoded) == sorted(card.url for card in cards)  # each exactly once


def test_a4_sheets_hold_24_cards() -> None:
    cards = sample_cards(30)
    first, second = read_pdf(render_pdf(cards, "a4", "Batch"))
    assert first.height_pt == pytest.approx(297 * MM, abs=0.1)
    assert len(first.qr_codes) == 24 and len(second.qr_codes) == 6
    assert re.search(r"Batch\s+1/2", first.text)  # the footer, for telling sheets apart


def test_strip_pages_end_on_a_card_boundary() -> None:
    cards = sample_cards(12)
    first, second = read_pdf(render_pdf(cards, "strip58", "Batch"))
    assert len(first.qr_codes) == 10 and len(second.qr_codes) == 2
    assert first.height_pt == pytest.approx(5 * second.height_pt, rel=1e-3)
    assert first.height_pt < 5080 * MM  # under the 200-inch page limit of viewers and drivers


def test_progress_is_reported_every_hundred_cards_and_at_the_end() -> None:
    cards = sample_cards(1, village="Desa")[0:1] * 230  # the same card: only the count matters
    calls: list[tuple[int, int]] = []
    render_pdf(cards, "strip58", "Batch", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(100, 230), (200, 230), (230, 230)]


def test_village_names_outside_latin1_are_replaced_not_fatal() -> None:
    village = "Desa \u201cSungai\u201d \u2014 Tanjung\u2019s Đông ā\u0301 😀 北\x07"
    cards = sample_cards(2, village=village)
    for layout in ("a4", "strip58"):
        read = read_pdf(render_pdf(cards, layout, "Batch \u2013 \u201c1\u201d 😀"))  # type: ignore[arg-type]
        assert 'Desa "Sungai" - Tanjung' in read[0].text
        assert sorted(read[0].qr_codes) == sorted(card.url for card in cards)


def test_latin1_keeps_latin1_and_finds_look_alikes() -> None:
    assert latin1("Désa Tenggarong") == "Désa Tenggarong"
    assert latin1("\u201cA\u201d \u2018b\u2019 \u2013 c\u2026") == "\"A\" 'b' - c..."
    assert latin1("Ā ō ṣ") == "A o s"
    assert latin1("≤ 2 jam, ≥ 24 h") == "<= 2 jam, >= 24 h"  # chart legends, session lengths
    assert latin1("😀 北 Đ") == "? ? ?"
    assert latin1("a\tb\x00c") == "a b c"
    latin1("".join(map(chr, range(0x2000, 0x2100)))).encode("latin-1")


def test_no_cards_is_still_a_valid_pdf() -> None:
    for layout in ("a4", "strip58"):
        assert render_pdf([], layout, "Empty").startswith(b"%PDF-")  # type: ignore[arg-type]


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="layout"):
        render_pdf(sample_cards(1), "letter", "Batch")  # type: ignore[arg-type]
