"""Voucher print views in a real browser (headless Chromium): every QR code on the screen and
in the browser's own print-out decodes to its card's portal URL, on clean A4 sheets and 58 mm
strip pages, with nothing fetched from anywhere."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.templating import Jinja2Templates
from PIL import Image
from playwright.sync_api import Browser
from wdtest.browser import Device, chromium, open_tab
from wdtest.cards import read_pdf, read_qr_codes, sample_cards

from portal.app import TEMPLATES_DIR
from portal.i18n import translations
from portal.printing.cards import Card

MM = 72 / 25.4


@dataclass(frozen=True)
class SharpScreen(Device):
    """A desktop with twice the pixels per CSS pixel, as a print preview is drawn."""

    def context_options(self) -> dict[str, Any]:
        return super().context_options() | {"device_scale_factor": 2}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def render(layout: str, cards: list[Card]) -> str:
    template = Jinja2Templates(directory=TEMPLATES_DIR).env.get_template(f"vouchers/{layout}.html")
    return template.render(cards=cards, title="Batch 7", _=translations("id").gettext, lang="id")


def test_a4_view_on_screen_shows_every_qr_code_decodable(browser: Browser) -> None:
    cards = sample_cards(30)
    with open_tab(browser, SharpScreen()) as tab:
        tab.page.set_content(render("a4", cards))
        shot = Image.open(io.BytesIO(tab.page.screenshot(full_page=True)))
        assert tab.requested == []  # not a font, not an image: nothing
    assert sorted(read_qr_codes(shot)) == sorted(card.url for card in cards)


@pytest.mark.parametrize(
    ("layout", "count", "pages", "width_mm"), [("a4", 30, 2, 210), ("strip58", 4, 4, 58)]
)
def test_browser_print_out_keeps_cards_whole_and_qr_codes_readable(
    browser: Browser, layout: str, count: int, pages: int, width_mm: float
) -> None:
    cards = sample_cards(count)
    with open_tab(browser) as tab:
        tab.page.set_content(render(layout, cards))
        pdf = tab.page.pdf(prefer_css_page_size=True, print_background=True)
    read = read_pdf(pdf, scale=3)
    assert len(read) == pages
    assert all(page.width_pt == pytest.approx(width_mm * MM, abs=1) for page in read)
    # A card cut in two by a page break would lose its QR code here.
    assert sorted(url for page in read for url in page.qr_codes) == sorted(c.url for c in cards)
    text = "".join(page.text for page in read)
    assert all(card.display_code in text for card in cards)
    assert "Cetak" not in text  # the toolbar stays on the screen
