"""Voucher cards for tests, and reading printed cards back: PDF text, and QR codes decoded from
rendered pages (pypdfium2 draws the page, zxing-cpp reads every QR code on it)."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2
import zxingcpp
from PIL import Image

from portal.i18n import translations
from portal.printing.cards import Card, build_cards
from wifidesa.db.models import AfterQuota, Profile, ProfileLimit, QuotaPeriod
from wifidesa.vouchers.codes import random_code

PUBLIC_URL = "https://wifi.kaltimprov.go.id"


def daily_profile() -> Profile:
    """A typical paket, in memory: 1 GB a day at 5 Mbps, then 512 kbps; a week; two devices."""
    return Profile(
        name="harian",
        rate_limit="2M/5M",
        devices_at_once=2,
        validity_seconds=7 * 86400,
        after_quota=AfterQuota.THROTTLE,
        throttle_rate_limit="256k/512k",
        limits=[ProfileLimit(period=QuotaPeriod.DAY, data_bytes=1024**3)],
    )


def sample_cards(count: int, *, village: str = "Desa Long Apari", prefix: str = "") -> list[Card]:
    return build_cards(
        village=village,
        site_code="long-apari",
        codes=[random_code(prefix) for _ in range(count)],
        profile=daily_profile(),
        public_url=PUBLIC_URL,
        gettext=translations("id").gettext,
    )


def read_qr_codes(image: Image.Image) -> list[str]:
    """The text of every QR code in the image."""
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


@dataclass(frozen=True)
class PdfPage:
    width_pt: float
    height_pt: float
    text: str
    qr_codes: list[str]


def read_pdf(data: bytes, *, scale: float = 2.0) -> list[PdfPage]:
    """Every page's size, text and decoded QR codes (rendered at 72 * scale dpi)."""
    pages = []
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range()
                finally:
                    textpage.close()
                bitmap = page.render(scale=scale)
                try:  # the image shares the bitmap's memory: read it before closing
                    qr_codes = read_qr_codes(bitmap.to_pil())
                finally:
                    bitmap.close()
                width, height = page.get_size()
                pages.append(PdfPage(width, height, text, qr_codes))
            finally:
                page.close()
    finally:
        document.close()
    return pages
