"""The monthly evaluation report as a printed PDF, read back as a reader and a printer see it:
the text layer holds the area, the month, the headline figures as the page writes them and
every village; the charts are drawn; nothing is fetched from outside; both languages."""

from __future__ import annotations

import re
import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from sqlalchemy.orm import Session
from wdtest import TEST_SECRET

from portal.printing.figure_pdf import rgb
from portal.printing.stats_report import monthly_report_pdf
from portal.stats.charts import scale
from portal.stats.formats import count, devices, hours, length_words
from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.demo_usage import VILLAGES, seed_usage
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import make_engine, make_session_factory
from wifidesa.db.models.statistics import HOURS, LENGTHS
from wifidesa.i18n import gettext_for
from wifidesa.places.sites import SiteSpec, create_site
from wifidesa.stats.periods import PeriodKind, period_of
from wifidesa.stats.report import Report, area_report
from wifidesa.stats.rollup import store_site_days
from wifidesa.units import format_size

NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)  # 20.00 WITA on the month's last day
ID = "id"  # the report is read in Indonesian
DECEMBER = period_of(PeriodKind.MONTH, date(2026, 12, 1))
SCALE = 2.0  # pixels per point when a page is rendered
MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Page:
    text: str  # whitespace made single spaces: wrapped names read as one
    image: Image.Image


def read(data: bytes) -> list[Page]:
    document = pypdfium2.PdfDocument(data)
    pages = []
    for index in range(len(document)):
        page = document[index]
        # pdfium marks a hyphen that ends a line (Perangkat-/hari) as U+FFFE.
        text = page.get_textpage().get_text_range().replace("\ufffe", "-")
        text = re.sub(r"\s+", " ", text)
        pages.append(Page(text, page.render(scale=SCALE).to_pil().convert("RGB")))
    return pages


def render(report: Report, language: str = "id") -> bytes:
    return monthly_report_pdf(
        report, language=language, gettext=gettext_for(language), generated_at=NOW
    )


def _session(template: Path, folder: Path) -> Iterator[Session]:
    path = folder / "report.db"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


# The province's report, in Bahasa and in English, and Kutai Kartanegara's in Bahasa.
Demo = tuple[Report, list[Page], list[Page], list[Page]]


@pytest.fixture(scope="module")
def demo(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo's month of seven villages' usage, its province report and both PDFs."""
    for session in _session(sqlite_template, tmp_path_factory.mktemp("demo")):
        seed_usage(session=session, box=SecretBox(TEST_SECRET), now=NOW)
        report = area_report(session=session, scope=OPERATOR, key="", period=DECEMBER, now=NOW)
        kabupaten = area_report(
            session=session, scope=OPERATOR, key="r:64.03", period=DECEMBER, now=NOW
        )
        yield (
            report,
            read(render(report, "id")),
            read(render(report, "en")),
            read(render(kabupaten)),
        )


@pytest.fixture
def session(sqlite_template: Path, tmp_path: Path) -> Iterator[Session]:
    """A fresh SQLite database: the layout does not depend on the backend (the report's
    queries are tested on both in tests/wifidesa/stats)."""
    yield from _session(sqlite_template, tmp_path)


def test_the_title_block_and_footer_name_the_area_and_the_month(demo: Demo) -> None:
    _report, pages, english, _kabupaten = demo
    first = pages[0].text
    assert first.startswith(
        "Laporan evaluasi bulanan Wi-Fi Desa Kalimantan Timur 64 Desember 2026"
        " Dibuat 31 Desember 2026 pukul 20.00 WITA"
    )
    assert "sejauh ini" not in first  # the month is whole
    assert english[0].text.startswith(
        "Wi-Fi Desa monthly evaluation report Kalimantan Timur 64 December 2026"
    )
    assert 2 <= len(pages) <= 5
    for number, page in enumerate(pages, start=1):
        assert page.text.endswith(
            f"Kalimantan Timur · Desember 2026 Halaman {number} dari {len(pages)}"
        )


def test_the_headline_figures_read_as_on_the_statistics_page(demo: Demo) -> None:
    report, pages, _english, _kabupaten = demo
    t = report.totals
    assert t.usage.sessions > 1000  # the demo's month, not an empty one
    expected = [
        f"Sesi {count(t.usage.sessions, ID)}",
        f"Perangkat (unik selama periode) {devices(t.devices, ID)}",
        f"Perangkat baru (pertama kali di desa) {count(t.new_devices, ID)}",
        f"Jam online {hours(t.usage.online_seconds, ID)}",
        f"Data diunduh {format_size(t.usage.output_octets)}",
        f"Data diunggah {format_size(t.usage.input_octets)}",
        f"Median lama sesi {length_words(t.median_length).replace('–', '-')}",
        f"Desa dengan accounting / semua {t.sites_heard} / {t.sites}",
    ]
    headline = pages[0].text.split("Ringkasan ", 1)[1]
    assert headline.startswith(" ".join(expected))


def test_every_village_is_ranked_with_its_figures(demo: Demo) -> None:
    report, pages, _english, _kabupaten = demo
    text = " ".join(page.text for page in pages)
    ranked = text.split("Semua desa, dari yang paling banyak dipakai", 1)[1]
    used = [r for r in report.villages if r.days_heard]
    assert len(used) == 5 and len(report.villages) == len(VILLAGES)
    for rank, row in enumerate(used, start=1):
        u = row.usage
        assert (
            f"{rank} {row.area.name} {row.area.code} {row.days_heard} {count(u.sessions, ID)}"
            f" {count(u.device_days, ID)} {hours(u.online_seconds, ID)} {format_size(u.octets)}"
        ) in ranked
    never = report.villages[-1]
    assert f"6 {never.area.name} {never.area.code} 0 - - - -" in ranked  # no data, not zeros
    assert "Kabupaten Kutai Kartanegara 64.03 2 / 2" in text  # by kabupaten
    silent = text.split("Desa tanpa accounting lebih dari dua hari", 1)[1]
    assert "Desa Pulau Derawan demo-7 belum pernah terdengar" in silent
    assert "Desa Linggang Bigung demo-4" in silent
    assert "Cara membaca laporan ini Tidak ada data tidak sama dengan nol pemakaian." in text


def _colour_rows(image: Image.Image, colour: str, below: float) -> list[int]:
    """The pixel rows under `below` (pixels from the top) where `colour` is drawn."""
    target = rgb(colour)
    rows = []
    for y in range(round(below), image.height, 2):
        for x in range(0, image.width, 2):
            pixel = image.getpixel((x, y))
            assert isinstance(pixel, tuple)
            if all(abs(a - b) <= 8 for a, b in zip(pixel, target, strict=False)):
                rows.append(y)
                break
    return rows


def test_the_charts_are_drawn_under_their_headings(demo: Demo) -> None:
    report, pages, _english, _kabupaten = demo
    document = pypdfium2.PdfDocument(render(report))
    found = {}
    for heading in ("Per hari", "Perangkat online per hari dan jam (rata-rata)"):
        index = next(i for i, page in enumerate(pages) if heading in page.text)
        textpage = document[index].get_textpage()
        match = textpage.search(heading, match_case=True).get_next()
        assert match is not None
        _left, _bottom, _right, top = textpage.get_charbox(match[0])
        found[heading] = (index, (document[index].get_size()[1] - top) * SCALE)
    page, top = found["Per hari"]
    hours_online = _colour_rows(pages[page].image, scale.SERIES[0], top)  # solid line
    sessions = _colour_rows(pages[page].image, scale.SERIES[1], top)  # dashed, under it
    assert len(hours_online) > 20 and len(sessions) > 20
    assert max(hours_online) < min(sessions)
    page, top = found["Perangkat online per hari dan jam (rata-rata)"]
    busiest = _colour_rows(pages[page].image, scale.SEQUENTIAL[-1], top)  # the evenings
    quiet = _colour_rows(pages[page].image, scale.SEQUENTIAL[0], top)  # the nights
    assert len(busiest) > 3 and len(quiet) > 10
    assert max(busiest) - top < 70 * MM * SCALE  # inside the chart, under its heading


def test_a_kabupaten_report_lists_its_kecamatan_and_only_its_villages(demo: Demo) -> None:
    _report, _pages, _english, kabupaten = demo
    text = " ".join(page.text for page in kabupaten)
    assert text.startswith("Laporan evaluasi bulanan Wi-Fi Desa Kabupaten Kutai Kartanegara 64.03")
    by_area = text.split("Per wilayah", 1)[1]
    assert re.search(r"Kecamatan Contoh 64\.03\.99 1 / 1 [\d,]+", by_area)
    assert re.search(r"Kecamatan Contoh Dua 64\.03\.98 1 / 1 [\d,]+", by_area)
    villages = text.split("Semua desa, dari yang paling banyak dipakai", 1)[1]
    assert "1 Desa Muara Kaman Ulu demo-2" in villages
    assert "2 Desa Sebulu Modern demo-3" in villages
    assert "Desa Tanjung Batu" not in text and "Kutai Barat" not in text
    footer = f"Kabupaten Kutai Kartanegara · Desember 2026 Halaman 1 dari {len(kabupaten)}"
    assert kabupaten[0].text.endswith(footer)


def test_nothing_in_the_pdf_points_outside_it(demo: Demo) -> None:
    report, _pages, _english, _kabupaten = demo
    data = render(report)
    assert data.startswith(b"%PDF-")
    streams = [
        zlib.decompress(body) if b"/FlateDecode" in head else body
        for head, body in re.findall(rb"<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream", data, re.S)
    ]
    assert streams, "the page contents were found"
    for blob in [data, *streams]:
        for needle in (b"/URI", b"/Launch", b"/GoToR", b"/EmbeddedFile", b"/JavaScript", b"/JS"):
            assert needle not in blob
        assert not re.search(rb"https?://", blob)


def test_indonesian_and_english_reports_differ_in_their_words(demo: Demo) -> None:
    _report, pages, english, _kabupaten = demo
    bahasa = " ".join(page.text for page in pages)
    words = " ".join(page.text for page in english)
    for phrase in ("Cara membaca laporan ini", "Per wilayah", "Halaman 1 dari"):
        assert phrase in bahasa and phrase not in words
    for phrase in ("How to read this report", "By area", "Page 1 of", "Every village"):
        assert phrase in words and phrase not in bahasa


def _villages(session: Session, count: int) -> list[int]:
    """`count` villages over the ten kabupaten, some with long names, each used on some days
    of December (one in seven never)."""
    kabupaten = ("64.01", "64.02", "64.03", "64.04", "64.05", "64.09", "64.11", "64.71", "64.72")
    ids = []
    for n in range(count):
        name = f"Desa Uji {n:04d}"
        if n % 9 == 0:
            name += " Sungai Mahakam Hulu Kampung Baru Seberang"
        site = create_site(
            session=session,
            scope=OPERATOR,
            spec=SiteSpec(
                desa_code=f"{kabupaten[n % 9]}.{10 + n % 7:02d}.{2000 + n:04d}",
                desa_name=name,
                kecamatan_name=f"Kecamatan Uji {n % 7}",
                site_code=f"uji-{n:04d}",
            ),
        )
        ids.append(site.id)
    session.flush()
    rows = []
    for n, site_id in enumerate(ids):
        if n % 7 == 3:
            continue
        for day in range(1, 1 + n % 28 + 1):
            rows.append(
                {
                    "site_id": site_id,
                    "day": date(2026, 12, day),
                    "sessions": 3 + n % 11,
                    "devices": 2 + n % 5,
                    "online_seconds": 1800 * (1 + n % 13),
                    "input_octets": 10**6 * n,
                    "output_octets": 10**7 * n,
                    "session_p50": 0,
                    "session_p90": 0,
                    "last_heard": datetime(2026, 12, day, 12, tzinfo=UTC),
                    **dict.fromkeys(HOURS, 0),
                    **dict.fromkeys(LENGTHS, 0),
                    "h19": 1800,
                }
            )
    store_site_days(session=session, rows=rows)
    return ids


def test_two_hundred_villages_lay_out_with_the_header_on_every_page(session: Session) -> None:
    _villages(session, 200)
    report = area_report(session=session, scope=OPERATOR, key="", period=DECEMBER, now=NOW)
    calls: list[tuple[int, int]] = []
    data = monthly_report_pdf(
        report,
        language="id",
        gettext=gettext_for("id"),
        generated_at=NOW,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(100, 200), (200, 200)]
    pages = read(data)
    assert 6 <= len(pages) <= 14
    text = " ".join(page.text for page in pages)
    for row in report.villages:
        name = row.area.name
        assert f"{name} {row.area.code}" in text, name
    table = [
        p
        for p in pages
        if re.search(r"\d+ Desa Uji \d{4}", p.text) and "Desa tanpa accounting" not in p.text
    ]
    assert len(table) >= 4
    header = "No. Desa Kode Hari dengan accounting Sesi Perangkat-hari Jam online Data"
    assert header in table[0].text
    for page in table[1:]:
        assert f"Semua desa, dari yang paling banyak dipakai (lanjutan) {header}" in page.text


def test_a_month_still_running_says_so_and_an_area_without_villages_still_prints(
    session: Session,
) -> None:
    now = datetime(2026, 12, 10, 4, tzinfo=UTC)
    report = area_report(session=session, scope=OPERATOR, key="", period=DECEMBER, now=now)
    assert not report.villages
    pages = read(render(report))
    assert "Desember 2026 (sejauh ini)" in pages[0].text
    text = " ".join(page.text for page in pages)
    assert "Tidak ada desa di wilayah ini." in text
    assert "Desa dengan accounting / semua 0 / 0" in text


def test_a_silent_village_is_dated_in_wita(session: Session) -> None:
    (site_id,) = _villages(session, 1)
    last = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 00.30 WITA on 2 December
    store_site_days(
        session=session,
        rows=[
            {
                "site_id": site_id,
                "day": date(2026, 12, 2),
                "last_heard": last,
                **dict.fromkeys(
                    ("sessions", "devices", "online_seconds", "input_octets", "output_octets"), 0
                ),
                "session_p50": 0,
                "session_p90": 0,
                **dict.fromkeys(HOURS, 0),
                **dict.fromkeys(LENGTHS, 0),
            }
        ],
    )
    report = area_report(
        session=session, scope=OPERATOR, key="", period=DECEMBER, now=last + timedelta(days=5)
    )
    text = " ".join(page.text for page in read(render(report)))
    assert "Desa Uji 0000 Sungai Mahakam Hulu Kampung Baru Seberang uji-0000" in text
    assert "2 Desember 2026 pukul 00.30 WITA" in text


def test_a_generation_time_without_its_zone_is_refused(demo: Demo) -> None:
    report, _pages, _english, _kabupaten = demo
    with pytest.raises(ValueError, match="zone"):
        monthly_report_pdf(
            report, language="id", gettext=gettext_for("id"), generated_at=datetime(2026, 12, 31)
        )
