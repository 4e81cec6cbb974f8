"""Exports end to end with the web service's worker running: asked on the page (or through
the API), made in the background while the page reloads itself, downloaded by the admin who
asked — nobody else."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import openpyxl
import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import KAB_OTHER, KAB_OWN, World, sign_in
from wdtest.stats_usage import village_a_used

from portal.app import create_app
from wifidesa.crypto import SecretBox
from wifidesa.settings import Settings


@pytest.fixture
def working(settings: Settings, world: World) -> Iterator[TestClient]:
    """The web service as `wifidesa serve` runs it: with its export worker."""
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def _until_done(client: TestClient, url: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = client.get(url)
        assert answer.status_code == 200
        if "Refresh" not in answer.headers:
            return answer.text
        time.sleep(0.3)
    raise AssertionError(f"{url} still waiting after 30 s")


def test_a_kabupaten_spreadsheet_asked_on_the_page(
    working: TestClient, world: World, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    day = village_a_used(sessions, world, box)
    csrf = sign_in(working, sessions, KAB_OWN)
    asked = working.post(
        "/admin/stats/exports",
        data={"csrf": csrf, "format": "xlsx", "period": "month", "on": day.isoformat()},
    )
    assert asked.status_code == 303
    status_url = asked.headers["location"]
    first = working.get(status_url)
    assert first.status_code == 200
    page = _until_done(working, status_url)
    assert "Unduh" in page and ".xlsx" in page
    download = working.get(f"{status_url}/file")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    villages = book[book.sheetnames[2]]
    names = {row[0].value for row in villages.iter_rows(min_row=4)}
    assert str(world.ids["site_name_a"]) in names
    sign_in(working, sessions, KAB_OTHER)  # another kabupaten's admin: as if it did not exist
    assert working.get(status_url).status_code == 404
    assert working.get(f"{status_url}/file").status_code == 404


def test_the_evaluation_report_as_a_pdf(
    working: TestClient, world: World, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    day = village_a_used(sessions, world, box)
    csrf = sign_in(working, sessions, KAB_OWN)
    page = working.get(f"/admin/stats?period=month&on={day}")
    assert '<option value="pdf">' in page.text
    asked = working.post(
        "/admin/stats/exports",
        data={"csrf": csrf, "format": "pdf", "period": "month", "on": day.isoformat()},
    )
    status_url = asked.headers["location"]
    assert "laporan" in _until_done(working, status_url)
    download = working.get(f"{status_url}/file")
    assert download.headers["content-type"] == "application/pdf"
    document = pdfium.PdfDocument(download.content)
    text = "".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
    assert "Laporan evaluasi bulanan" in text
    assert str(world.ids["site_name_a"]) in text


def test_an_export_without_the_form_token_is_refused(
    working: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(working, sessions, KAB_OWN)
    answer = working.post("/admin/stats/exports", data={"format": "xlsx"})
    assert answer.status_code == 403


def test_a_csv_through_the_api(working: TestClient, world: World) -> None:
    bearer = {"Authorization": f"Bearer {world.api_tokens[KAB_OWN]}"}
    asked = working.post(
        "/api/stats/exports", json={"format": "csv", "table": "villages"}, headers=bearer
    )
    assert asked.status_code == 202, asked.text
    export_id = asked.json()["id"]
    deadline = time.monotonic() + 30
    while (seen := working.get(f"/api/stats/exports/{export_id}", headers=bearer).json())[
        "state"
    ] != "done":
        assert seen["state"] in ("queued", "running") and time.monotonic() < deadline
        time.sleep(0.3)
    data = working.get(seen["file"], headers=bearer)
    assert data.content.startswith("\ufeff".encode())
    assert str(world.ids["site_name_b"]) in data.content.decode("utf-8-sig")
    bad = working.post("/api/stats/exports", json={"format": "doc"}, headers=bearer)
    assert bad.status_code == 422
