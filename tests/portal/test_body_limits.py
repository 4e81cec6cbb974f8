"""Request bodies are bounded per route before anything parses them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from portal.body_limits import limit_for

from .conftest import Village, router_post


def test_each_route_has_its_limit() -> None:
    assert limit_for("/portal/login") == 16 * 1024
    assert limit_for("/admin/members/import") > 512 * 1024 > limit_for("/admin/members")
    assert limit_for("/api/members") == 256 * 1024


def test_an_oversized_form_is_refused_before_it_is_read(web: TestClient, village: Village) -> None:
    fields = router_post(village) | {"padding": "x" * 20_000}
    answer = web.post("/portal/login", data=fields)
    assert answer.status_code == 413
    assert "Permintaan terlalu besar" in answer.text


def test_a_chunked_body_without_a_length_is_counted_as_it_arrives(
    web: TestClient, village: Village
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"router=" + village.router.encode()
        for _ in range(40):
            yield b"&x=" + b"y" * 1000

    answer = web.post(
        "/portal/login",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413


def test_a_form_under_the_limit_still_works(web: TestClient, village: Village) -> None:
    assert web.post("/portal/login", data=router_post(village)).status_code == 200


@pytest.mark.parametrize("parts", [65, 120])
def test_a_multipart_form_with_too_many_parts_is_refused(
    web: TestClient, village: Village, parts: int
) -> None:
    files = [(f"f{i}", (None, "v")) for i in range(parts)]
    answer = web.post("/portal/login", files=files)
    assert answer.status_code == 400


def test_the_api_says_so_in_json(web: TestClient) -> None:
    answer = web.post(
        "/api/sites",
        content=b"{" + b" " * 300_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413 and answer.json() == {"detail": "request body too large"}
