"""Voucher cards: the paket in a villager's words, card URLs, and QR codes that decode."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from sqlalchemy.orm import Session
from wdtest.cards import PUBLIC_URL, daily_profile, read_qr_codes, sample_cards
from wdtest.factories import make_profile

from portal.i18n import translations
from portal.printing.cards import (
    card_url,
    download_rate,
    plain_duration,
    profile_words,
    qr_matrix,
    qr_svg,
)
from wifidesa.admin.scope import OPERATOR
from wifidesa.db.models import AfterQuota, Profile, ProfileLimit, QuotaPeriod
from wifidesa.profiles.operations import require_profile_named
from wifidesa.vouchers.codes import format_code


def gettext(language: str):  # type: ignore[no-untyped-def]
    return translations(language).gettext


def test_daily_profile_in_bahasa_indonesia() -> None:
    assert profile_words(daily_profile(), gettext("id")) == [
        "1 GB per hari",
        "Berlaku 7 hari sejak dipakai",
        "Kecepatan s.d. 5 Mbps",
        "Kuota habis: s.d. 512 kbps",
        "2 perangkat sekaligus",
    ]


def test_daily_profile_in_english() -> None:
    assert profile_words(daily_profile(), gettext("en")) == [
        "1 GB per day",
        "Valid 7 days from first use",
        "Speed up to 5 Mbps",
        "After the quota, up to 512 kbps",
        "2 devices at once",
    ]


def test_weekly_time_and_total_data_profile() -> None:
    profile = Profile(
        name="pelajar",
        rate_limit="512k/1.5M 2M/3M",  # bursts are not promised on a card
        devices_at_once=1,
        session_timeout=1800,
        after_quota=AfterQuota.BLOCK,
        limits=[
            ProfileLimit(period=QuotaPeriod.WEEK, time_seconds=10 * 3600),
            ProfileLimit(period=QuotaPeriod.TOTAL, data_bytes=500 * 1024**2),
        ],
    )
    assert profile_words(profile, gettext("id")) == [
        "10 jam per minggu",
        "Total 500 MB",
        "Maks. 30 menit per sesi",
        "Kecepatan s.d. 1.5 Mbps",
        "1 perangkat",
    ]
    assert profile_words(profile, gettext("en"))[:3] == [
        "10 hours per week",
        "500 MB in total",
        "Up to 30 minutes per session",
    ]


def test_profile_without_limits_still_names_its_devices() -> None:
    bare = Profile(name="gratis", devices_at_once=1, after_quota=AfterQuota.THROTTLE, limits=[])
    assert profile_words(bare, gettext("id")) == ["1 perangkat"]


def test_a_stored_profile_reads_the_same(session: Session) -> None:
    make_profile(session, name="harian", daily_bytes=2 * 1024**3, devices_at_once=3)
    session.commit()
    words = profile_words(
        require_profile_named(session=session, scope=OPERATOR, name="harian"), gettext("id")
    )
    assert words == ["2 GB per hari", "Kecepatan s.d. 2 Mbps", "3 perangkat sekaligus"]


def test_every_line_and_unit_is_translated() -> None:
    # tests/portal/test_i18n.py finds _("...") calls; these msgids live in tables instead.
    profile = Profile(
        name="semua",
        rate_limit="1M/2M",
        devices_at_once=1,
        validity_seconds=86400,
        session_timeout=3600,
        after_quota=AfterQuota.THROTTLE,
        throttle_rate_limit="64k/128k",
        limits=[
            ProfileLimit(period=period, data_bytes=10**9, time_seconds=2 * 86400 + 7260)
            for period in QuotaPeriod
        ],
    )
    id_lines = profile_words(profile, gettext("id"))
    en_lines = profile_words(profile, gettext("en"))
    assert len(id_lines) == len(en_lines) == 13
    for indonesian, english in zip(id_lines, en_lines, strict=True):
        assert indonesian != english
    for seconds in (1, 60, 120, 3600, 7200, 86400, 172800):
        assert plain_duration(seconds, gettext("id")) != plain_duration(seconds, gettext("en"))
    profile.devices_at_once = 2
    assert profile_words(profile, gettext("id"))[-1] == "2 perangkat sekaligus"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (45, "45 detik"),
        (60, "1 menit"),
        (5400, "1 jam 30 menit"),
        (86400, "1 hari"),
        (90061, "1 hari 1 jam"),
        (30 * 86400, "30 hari"),
    ],
)
def test_durations_are_words_not_unit_letters(seconds: int, words: str) -> None:
    assert plain_duration(seconds, gettext("id")) == words


@pytest.mark.parametrize(
    ("rate_limit", "bits"),
    [("2M/5M", 5_000_000), ("1M", 1_000_000), ("256k/512k", 512_000), ("64000/128000", 128_000)],
)
def test_download_is_the_routers_transmit_side(rate_limit: str, bits: int) -> None:
    assert download_rate(rate_limit) == bits


def test_download_rate_of_nonsense_is_none() -> None:
    assert download_rate("") is None
    assert download_rate("fast") is None


def test_card_url_opens_the_portal_with_the_code() -> None:
    assert (
        card_url("https://wifi.example/", "ABCDE23456", "long-apari")
        == "https://wifi.example/portal/v/ABCDE23456?s=long-apari"
    )
    assert card_url("https://wifi.example", "X", "a b") == "https://wifi.example/portal/v/X?s=a+b"


def test_cards_carry_code_words_and_url() -> None:
    cards = sample_cards(3, prefix="KT")
    assert len({card.code for card in cards}) == 3
    for card in cards:
        assert card.code.startswith("KT") and len(card.code) == 12
        assert card.display_code == format_code(card.code)
        assert card.url == f"{PUBLIC_URL}/portal/v/{card.code}?s=long-apari"
        assert card.profile_words[0] == "1 GB per hari"


def test_qr_matrix_decodes_to_the_url() -> None:
    url = f"{PUBLIC_URL}/portal/v/ABCDE23456"
    matrix = qr_matrix(url)
    size, border, scale = len(matrix), 4, 6
    image = Image.new("L", ((size + 2 * border) * scale,) * 2, 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                box = ((x + border) * scale, (y + border) * scale)
                image.paste(0, (*box, box[0] + scale, box[1] + scale))
    assert read_qr_codes(image) == [url]


def test_qr_svg_is_inline_crisp_and_sized_by_css() -> None:
    url = f"{PUBLIC_URL}/portal/v/ABCDE23456"
    svg = str(qr_svg(url))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "xmlns" not in svg
    assert 'class="qr"' in svg and 'shape-rendering="crispEdges"' in svg
    assert not re.search(r"\s(width|height)=", svg)  # no fixed size: CSS decides
    modules = len(qr_matrix(url)) + 2 * 4  # quiet zone inside the viewBox
    assert f'viewBox="0 0 {modules} {modules}"' in svg
    assert url not in svg
