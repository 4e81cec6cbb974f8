"""Signing in and out, password changes and API tokens."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import ADMIN_PASSWORD, DESA_A, World, sign_in

from portal.admin import auth_routes
from portal.admin.web import SESSION_COOKIE, safe_next
from wifidesa.db.models import Account, AccountStatus, AdminToken, AuditEntry, TokenKind


def _login_csrf(web: TestClient, path: str = "/admin/login") -> str:
    form = web.get(path)
    assert form.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match
    return match.group(1)


def _sign_in(web: TestClient, username: str, password: str, next_: str = "") -> object:
    csrf = _login_csrf(web)
    data = {"csrf": csrf, "username": username, "password": password, "next": next_}
    return web.post("/admin/login", data=data)


def test_sign_in_sets_a_protected_cookie_and_opens_the_admins_villages(
    web: TestClient, world: World
) -> None:
    answer = _sign_in(web, "Desa-A", ADMIN_PASSWORD, next_="/admin/")
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/"  # type: ignore[attr-defined]
    cookie = answer.headers["set-cookie"]  # type: ignore[attr-defined]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = web.get("/admin/")
    assert home.status_code == 200
    assert "desa-a" in home.text and "desa-b" not in home.text and "desa-c" not in home.text
    assert "Desa saya" in home.text  # Bahasa Indonesia by default
    assert "My villages" in web.get("/admin/?lang=en").text


def test_cookie_is_secure_behind_https(web: TestClient, world: World) -> None:
    web.app.state.settings.public_url = "https://wifi.kaltimprov.go.id"  # type: ignore[attr-defined]
    answer = _sign_in(web, "province", ADMIN_PASSWORD)
    assert "Secure" in answer.headers["set-cookie"]  # type: ignore[attr-defined]


def test_wrong_password_and_unknown_user_get_the_same_answer(web: TestClient, world: World) -> None:
    wrong = _sign_in(web, "desa-a", "not-the-password")
    unknown = _sign_in(web, "nobody", "not-the-password")
    for answer in (wrong, unknown):
        assert answer.status_code == 401  # type: ignore[attr-defined]
        assert "Nama pengguna atau kata sandi salah." in answer.text  # type: ignore[attr-defined]
        assert f"{SESSION_COOKIE}=" not in answer.headers.get("set-cookie", "")  # type: ignore[attr-defined]


def test_failed_sign_ins_are_throttled(web: TestClient, world: World) -> None:
    for _ in range(5):
        assert _sign_in(web, "kab-own", "guess-guess").status_code == 401  # type: ignore[attr-defined]
    # Even the right password waits out the block.
    blocked = _sign_in(web, "kab-own", ADMIN_PASSWORD)
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "Terlalu banyak percobaan" in blocked.text  # type: ignore[attr-defined]


def _from(web: TestClient, address: str) -> TestClient:
    """The same service, reached from another address."""
    return TestClient(web.app, client=(address, 50000), follow_redirects=False)


def test_guesses_from_one_address_leave_the_admin_free_elsewhere(
    web: TestClient, world: World
) -> None:
    for _ in range(5):
        _sign_in(web, "kab-own", "guess-guess")
    assert _sign_in(web, "kab-own", ADMIN_PASSWORD).status_code == 429  # type: ignore[attr-defined]
    office = _from(web, "198.51.100.7")
    assert _sign_in(office, "kab-own", ADMIN_PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_the_first_block_lasts_a_minute_and_the_next_twice_as_long(
    web: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2026, 5, 1, 23, 58, tzinfo=UTC)  # 07:58 WITA

    def at(seconds: int) -> None:
        monkeypatch.setattr(auth_routes, "utcnow", lambda: start + timedelta(seconds=seconds))

    at(0)
    for _ in range(5):
        _sign_in(web, "kab-own", "guess-guess")
    blocked = _sign_in(web, "kab-own", ADMIN_PASSWORD)
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "07.59" in blocked.text  # type: ignore[attr-defined]
    at(61)
    assert _sign_in(web, "kab-own", "guess-guess").status_code == 401  # type: ignore[attr-defined]
    at(61 + 119)
    assert _sign_in(web, "kab-own", ADMIN_PASSWORD).status_code == 429  # type: ignore[attr-defined]
    at(61 + 121)
    assert _sign_in(web, "kab-own", ADMIN_PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_failed_sign_ins_of_admins_are_audited_and_logged_without_the_password(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="wifidesa.admin.signin"):
        _sign_in(web, "desa-a", "typed-Password-1")
        _sign_in(web, "typed-Password-2", "nothing")  # a password typed into the name field
    assert "desa-a" in caplog.text and "testclient" in caplog.text
    assert "typed-password" not in caplog.text.lower()
    with sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admins.sign_in_failed")
        ).all()
    assert [(e.actor, e.detail) for e in entries] == [("desa-a", {"address": "testclient"})]


def test_sign_in_goes_on_when_the_limiter_cannot_count(
    web: TestClient, world: World, engine: Engine
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE login_failures")
    assert _sign_in(web, "kab-own", "guess-guess").status_code == 401  # type: ignore[attr-defined]
    assert _sign_in(web, "kab-own", ADMIN_PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_sign_in_form_needs_its_csrf_token(web: TestClient, world: World) -> None:
    _login_csrf(web)
    data = {"csrf": "forged", "username": "province", "password": ADMIN_PASSWORD}
    assert web.post("/admin/login", data=data).status_code == 403


def test_next_never_leaves_the_site() -> None:
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "", None):
        assert safe_next(bad) == "/admin/"
    assert safe_next("/admin/vouchers?status=unused") == "/admin/vouchers?status=unused"


def test_sign_out_ends_the_session_for_good(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, DESA_A)
    token = web.cookies.get(SESSION_COOKIE)
    assert web.post("/admin/logout", data={"csrf": csrf}).status_code == 303
    web.cookies.set(SESSION_COOKIE, token or "")  # an old copy of the cookie
    answer = web.get("/admin/")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/login")


def test_password_change_signs_out_the_other_sessions(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, DESA_A)
    other = web.cookies.get(SESSION_COOKIE)
    csrf = sign_in(web, sessions, DESA_A)
    form = {"csrf": csrf, "current": ADMIN_PASSWORD, "new": "new-pass-2026", "repeat": "x"}
    assert "tidak sama" in web.post("/admin/password", data=form).text
    form["repeat"] = form["new"]
    changed = web.post("/admin/password", data=form)
    assert changed.status_code == 200 and "sudah diganti" in changed.text
    assert web.get("/admin/").status_code == 200  # this session stays
    web.cookies.set(SESSION_COOKIE, other or "")
    assert web.get("/admin/").status_code == 303
    web.cookies.clear()
    assert _sign_in(web, "desa-a", "new-pass-2026").status_code == 303  # type: ignore[attr-defined]
    with sessions() as session:
        entries = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "admins.password")
        )
        assert "new-pass-2026" not in str(list(entries))


def test_api_token_is_shown_once_works_as_bearer_and_can_be_revoked(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, DESA_A)
    created = web.post("/admin/tokens", data={"csrf": csrf, "name": "laporan"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.text)
    assert token
    listing = web.get("/admin/tokens").text
    assert "laporan" in listing and token.group(1) not in listing
    with sessions() as session:
        stored = session.scalars(
            select(AdminToken).where(AdminToken.name == "laporan", AdminToken.kind == TokenKind.API)
        ).one()
        assert token.group(1) not in stored.token_hash  # only a digest is kept
    web.cookies.clear()
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert web.get("/openapi.json", headers=headers).status_code == 200
    csrf = sign_in(web, sessions, DESA_A)
    assert web.post(f"/admin/tokens/{stored.id}/revoke", data={"csrf": csrf}).status_code == 303
    assert "laporan" not in web.get("/admin/tokens").text


def test_a_read_only_token_reads_and_changes_nothing(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, DESA_A)
    created = web.post("/admin/tokens", data={"csrf": csrf, "name": "dasbor", "read_only": "1"})
    token = re.search(r'<code id="new-token">([^<]+)</code>', created.text)
    assert token and "hanya baca" in web.get("/admin/tokens").text
    web.cookies.clear()
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert web.get("/api/vouchers", headers=headers).status_code == 200
    refused = web.post(f"/api/vouchers/{world.ids['voucher_a']}/revoke", json={}, headers=headers)
    assert refused.status_code == 403 and refused.json() == {
        "detail": "This API token may only read."
    }
    with sessions() as session:
        account = session.get(Account, world.ids["voucher_a"])
        assert account is not None and account.status is AccountStatus.ACTIVE


def test_api_docs_are_served_here_and_list_every_api_operation(
    web: TestClient, world: World
) -> None:
    web.cookies.clear()
    spec = web.get("/openapi.json").json()
    docs = web.get("/docs")
    assert docs.status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', docs.text), "docs load from another host"
    for path, item in spec["paths"].items():
        if path.startswith("/api/"):
            for method in item:
                assert f"<code>{path}</code>" in docs.text, f"{method} {path} undocumented"
