"""With an admin host of its own, the admin UI and API answer only there, the portal only on
the public host (every hotspot client reaches that one)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from portal.app import create_app
from wifidesa.settings import Settings

from .conftest import Village, router_post

PORTAL = "http://wifi.kaltimprov.go.id"
ADMIN = "http://admin.wifi.kaltimprov.go.id"


def _client(settings: Settings, base_url: str) -> TestClient:
    split = settings.model_copy(update={"admin_host": "admin.wifi.kaltimprov.go.id"})
    return TestClient(create_app(split), base_url=base_url, follow_redirects=False)


def test_the_portal_host_has_no_admin_pages_or_api(settings: Settings, village: Village) -> None:
    with _client(settings, PORTAL) as portal:
        for path in ("/admin/", "/admin/login", "/api/sites", "/docs", "/openapi.json"):
            assert portal.get(path).status_code == 404, path
        assert portal.post("/portal/login", data=router_post(village)).status_code == 200
        assert portal.get("/healthz").status_code == 200


def test_the_admin_host_has_the_admin_and_no_portal(settings: Settings, village: Village) -> None:
    with _client(settings, ADMIN) as admin:
        assert admin.get("/admin/login").status_code == 200
        assert admin.get("/api/sites").status_code == 401  # there, and asks who calls
        assert admin.get("/").headers["location"] == "/admin/"
        assert admin.post("/portal/login", data=router_post(village)).status_code == 404
        assert admin.get("/healthz").status_code == 200


def test_one_host_serves_everything_when_no_admin_host_is_set(
    web: TestClient, village: Village
) -> None:
    assert web.get("/admin/login").status_code == 200
    assert web.post("/portal/login", data=router_post(village)).status_code == 200
