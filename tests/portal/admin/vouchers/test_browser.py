"""A desa admin on a phone, in a real browser (headless Chromium), without JavaScript: signs in,
generates a batch, opens its A4 print view, and every QR code on the screen decodes to the
portal URL of one of the batch's codes. Nothing is fetched from another host."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import ADMIN_PASSWORD, World
from wdtest.browser import OLD_ANDROID_NO_JS, chromium, open_tab
from wdtest.cards import read_qr_codes
from wdtest.webserver import serve_app

from portal.app import create_app
from portal.printing.cards import card_url
from wifidesa.db.models import Voucher
from wifidesa.settings import Settings
from wifidesa.vouchers.codes import format_code

# Sharp enough for the QR codes of a print view (a print preview draws at twice the pixels).
PHONE = dataclasses.replace(OLD_ANDROID_NO_JS, height=900)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def test_desa_admin_signs_in_generates_a_batch_and_opens_its_print_view(
    browser: Browser, settings: Settings, world: World, sessions: sessionmaker[Session]
) -> None:
    with serve_app(create_app(settings)) as base, open_tab(browser, PHONE) as tab:
        page = tab.page
        page.goto(f"{base}/admin/vouchers/new?lang=en")  # sends the admin to sign in first
        assert "/admin/login" in page.url
        page.fill("#username", "desa-a")
        page.fill("#password", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(
            re.compile(r".*/admin/vouchers/new\?lang=en$")
        )  # back where the admin was going
        assert page.evaluate("document.documentElement.scrollWidth") <= 320  # fits the phone
        page.fill("#count", "9")
        page.select_option("#profile", label="umum")
        page.fill("#prefix", "TP")
        page.click("form.c button[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/vouchers/batches/\d+$"), timeout=30_000)
        match = re.search(r"/admin/vouchers/batches/(\d+)$", page.url)
        assert match, page.url
        batch_id = int(match.group(1))
        with sessions() as session:
            query = select(Voucher.code).where(Voucher.batch_id == batch_id)
            codes = sorted(session.scalars(query))
        assert len(codes) == 9
        assert format_code(codes[0]) in page.content()
        fits = "document.documentElement.scrollWidth <= 320"
        assert page.evaluate(fits), "the batch page is wider than the phone"
        page.goto(f"{base}/admin/vouchers?batch={batch_id}")
        assert page.evaluate(fits), "the voucher list is wider than the phone"
        page.go_back()
        page.click("text=A4 sheet")
        page.wait_for_url(re.compile(r".*/print\?layout=a4&start=0$"))
        text = page.inner_text("body")
        assert all(format_code(code) in text for code in codes)
        page.set_viewport_size({"width": 900, "height": 900})  # the sheet at its own width
        shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
        assert tab.foreign_hosts() == frozenset() and tab.blocked == []
    decoded = sorted(read_qr_codes(shot))
    assert decoded == sorted(card_url(settings.public_url, code, "desa-a") for code in codes)
