"""The web app: health check, home page, and error pages in Bahasa Indonesia."""

from pathlib import Path

from fastapi.testclient import TestClient

from portal.app import create_app
from wifidesa.settings import Settings, load_settings


def test_health_reports_the_database(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = load_settings(
        env_file=None, env="development", database_url="postgresql+psycopg://x@127.0.0.1:1/none"
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_home_page_is_indonesian_and_self_contained(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="id">' in response.text
    assert "Internet gratis" in response.text
    # Villages sit behind a walled garden: no outside host in any page.
    assert "http://" not in response.text and "https://" not in response.text


def test_unknown_page_is_an_indonesian_error_page(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text


def test_unknown_api_path_answers_json(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/tidak-ada")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_favicon_costs_nothing(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.get("/favicon.ico")
    assert response.status_code == 204 and response.content == b""
