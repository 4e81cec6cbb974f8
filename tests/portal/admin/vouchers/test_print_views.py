"""The HTML print views of voucher cards: every code, a QR code per card, clean A4 sheets,
a print button that also works without JavaScript, nothing from another host."""

from __future__ import annotations

import re

import pytest
from fastapi.templating import Jinja2Templates
from wdtest.cards import sample_cards

from portal.app import TEMPLATES_DIR
from portal.i18n import translations
from portal.printing.cards import Card


def render(layout: str, cards: list[Card], language: str = "id", title: str = "Batch 7") -> str:
    # The app's own template set-up: autoescaping as in production.
    env = Jinja2Templates(directory=TEMPLATES_DIR).env
    template = env.get_template(f"vouchers/{layout}.html")
    return template.render(
        cards=cards, title=title, _=translations(language).gettext, lang=language
    )


@pytest.mark.parametrize("layout", ["a4", "strip58"])
def test_every_card_has_its_code_and_a_qr_code(layout: str) -> None:
    cards = sample_cards(30, prefix="KT")
    page = render(layout, cards)
    for card in cards:
        assert card.display_code in page
    assert page.count("<svg ") == len(cards) == page.count('class="qr"')
    assert page.count('class="card"') == len(cards)


@pytest.mark.parametrize("layout", ["a4", "strip58"])
def test_print_view_is_self_contained(layout: str) -> None:
    page = render(layout, sample_cards(3))
    assert not re.search(r"\b(src|href)=", page)
    assert "@import" not in page and "url(" not in page and "@font-face" not in page
    assert "http://" not in page and "https://" not in page
    assert "@media print" in page and "@page" in page


def test_a4_groups_24_cards_a_sheet_that_never_splits_a_card() -> None:
    page = render("a4", sample_cards(50))
    assert page.count('<section class="sheet">') == 3
    assert "size:A4" in page and "break-inside:avoid" in page and "break-after:page" in page


def test_strip_is_58_mm_wide() -> None:
    page = render("strip58", sample_cards(2))
    assert re.search(r"@page\{size:58mm [\d.]+mm", page)


@pytest.mark.parametrize(("language", "button"), [("id", "Cetak"), ("en", "Print")])
def test_print_button_in_the_admins_language_with_a_no_javascript_hint(
    language: str, button: str
) -> None:
    page = render("a4", sample_cards(1), language)
    assert f'<html lang="{language}">' in page
    assert f'onclick="window.print()">{button}</button>' in page
    assert "<noscript>" in page and "Ctrl+P" in page


def test_village_names_and_titles_are_escaped() -> None:
    cards = sample_cards(1, village="<script>alert(1)</script>")
    page = render("a4", cards, title="<b>x</b>")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page


def test_no_cards_renders_an_empty_view() -> None:
    for layout in ("a4", "strip58"):
        assert "<svg" not in render(layout, [])
