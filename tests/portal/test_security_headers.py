"""Every answer carries the security headers: pages, redirects, refusals and error pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from portal.app import create_app
from wifidesa.settings import Settings

from .conftest import Village, router_post

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


def _has_headers(answer: object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    for name in HEADERS:
        assert name in headers, (answer, name)  # type: ignore[attr-defined]
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "script-src 'sha256-" in csp and "unsafe-inline" not in csp.split("script-src")[1]


def test_pages_redirects_and_errors_all_carry_the_headers(
    web: TestClient, village: Village
) -> None:
    _has_headers(web.post("/portal/login", data=router_post(village)))  # a page
    _has_headers(web.get("/admin/", follow_redirects=False))  # a redirect to sign in
    _has_headers(web.get("/no-such-page"))  # 404
    _has_headers(web.post("/portal/login", data={"router": "x", "pad": "x" * 20_000}))  # 413
    _has_headers(web.post("/portal/login", data=router_post(village, router="nobody")))  # 400


def test_an_unexpected_error_page_carries_them_too(settings: Settings, village: Village) -> None:
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/boom")
    assert answer.status_code == 500
    _has_headers(answer)


def test_hsts_only_when_served_over_https(settings: Settings, village: Village) -> None:
    with TestClient(create_app(settings)) as client:
        assert "strict-transport-security" not in client.get("/").headers
    https = settings.model_copy(update={"public_url": "https://wifi.kaltimprov.go.id"})
    with TestClient(create_app(https)) as client:
        assert client.get("/").headers["strict-transport-security"].startswith("max-age=")
