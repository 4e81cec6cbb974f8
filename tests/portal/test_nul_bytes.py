"""A NUL byte in the URL or a form is refused with a 400 page, on both backends (PostgreSQL's
text cannot hold one: before, the lookup raised and the portal answered 500)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .conftest import Village, router_post


@pytest.mark.parametrize(
    "path",
    [
        "/portal/v/ABCDE23456?s=%00",
        "/portal/v/ABC%00DE23456?s=desa-p",
        "/mikrotik/%00/login.html",
        "/portal/logo/%00",
        "/portal/status?username=%00",
        "/admin/login?next=%00",
    ],
)
def test_a_nul_in_the_url_is_a_400_page_in_bahasa(web: TestClient, path: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 400, path
    assert "Permintaan tidak valid" in answer.text


def test_a_nul_in_a_form_is_a_400(web: TestClient, village: Village) -> None:
    answer = web.post("/portal/login", data=router_post(village, mac="AA:BB\x00"))
    assert answer.status_code == 400 and "Permintaan tidak valid" in answer.text
    answer = web.post("/admin/login", data={"username": "a\x00", "password": "x"})
    assert answer.status_code == 400


def test_the_api_answers_json(web: TestClient) -> None:
    answer = web.get("/api/sites?q=%00")
    assert answer.status_code == 400 and answer.json() == {"detail": "NUL byte in the request"}
