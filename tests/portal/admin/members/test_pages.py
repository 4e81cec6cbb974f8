"""Residents' pages and API: forms, errors in Bahasa Indonesia, the import's bad rows, devices."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in

from portal.admin.web import CSRF_HEADER
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountStatus,
    AcctSession,
    AuditEntry,
    CoAResult,
    Member,
)
from wifidesa.passwords import verify_password


def _id(world: World, key: str) -> Any:
    return world.ids[key]


def test_list_shows_own_village_and_searches(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "desa_a")
    page = web.get("/admin/members")
    assert page.status_code == 200
    assert "warga-a" in page.text and "warga-b" not in page.text
    assert "Warga baru" in page.text  # Bahasa Indonesia by default
    assert "New resident" in web.get("/admin/members", params={"lang": "en"}).text
    sign_in(web, sessions, "province")
    found = web.get("/admin/members", params={"q": "warga-c"})
    assert "warga-c" in found.text and "warga-a" not in found.text
    by_site = web.get("/admin/members", params={"site": "desa-b"})
    assert "warga-b" in by_site.text and "warga-c" not in by_site.text


def test_create_with_a_generated_password_shows_it_once(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    form = {
        "csrf": csrf,
        "site": str(_id(world, "site_a")),
        "profile": str(_id(world, "profile_kukar")),
        "username": "Budi",
        "full_name": "Budi Santoso",
        "phone": "0812 3456",
    }
    answer = web.post("/admin/members/new", data=form)
    assert answer.status_code == 200
    shown = re.search(r'<code id="new-password">([^<]+)</code>', answer.text)
    assert shown is not None
    with sessions() as session:
        member = session.scalars(select(Member).where(Member.username == "budi")).one()
        assert verify_password(shown.group(1), member.password_hash)
        assert member.account.profile_id == _id(world, "profile_kukar")
    again = web.get(f"/admin/members/{member.account_id}")
    assert shown.group(1) not in again.text


def test_create_errors_are_shown_in_bahasa_indonesia(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    base = {
        "csrf": csrf,
        "site": str(_id(world, "site_a")),
        "profile": str(_id(world, "profile_all")),
    }
    short = web.post("/admin/members/new", data=base | {"username": "siti", "password": "pendek"})
    assert short.status_code == 400
    assert "kata sandi minimal 8 karakter" in short.text
    assert 'value="siti"' in short.text  # the form keeps what was typed
    taken = web.post(
        "/admin/members/new", data=base | {"username": "warga-b", "password": "rahasia-panjang"}
    )
    assert taken.status_code == 400
    assert "nama pengguna &#39;warga-b&#39; sudah ada" in taken.text
    other_site = web.post(
        "/admin/members/new",
        data=base | {"site": str(_id(world, "site_b")), "username": "x1", "password": "rahasia-xx"},
    )
    assert other_site.status_code == 404


def test_import_shows_every_bad_row_and_stores_nothing(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    text = "username;password\nsiti;rahasia-siti\nwarga-a;rahasia-xx\njoko;pendek\n"
    answer = web.post(
        "/admin/members/import",
        data={
            "csrf": csrf,
            "site": str(_id(world, "site_a")),
            "profile": str(_id(world, "profile_all")),
        },
        files={"file": ("warga.csv", ("\ufeff" + text).encode(), "text/csv")},
    )
    assert answer.status_code == 400
    assert "2 masalah, tidak ada yang diimpor" in answer.text
    assert "baris 3: nama pengguna &#39;warga-a&#39; sudah ada" in answer.text
    assert "baris 4: kata sandi minimal 8 karakter" in answer.text
    with sessions() as session:
        assert session.scalar(select(Member).where(Member.username == "siti")) is None
    good = web.post(
        "/admin/members/import",
        data={
            "csrf": csrf,
            "site": str(_id(world, "site_a")),
            "profile": str(_id(world, "profile_all")),
            "csv": "username,password,full_name\nsiti,rahasia-siti,Siti\njoko,rahasia-joko,Joko\n",
        },
    )
    assert good.status_code == 200 and "2 warga diimpor" in good.text


def test_disable_queues_a_disconnect_and_enable_undoes_it(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "kab_own")
    member = _id(world, "member_a")
    answer = web.post(f"/admin/members/{member}/disable", data={"csrf": csrf})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/members/{member}?done=disabled-kicked"
    page = web.get(answer.headers["location"])
    assert "perangkatnya yang sedang daring sedang diputus" in page.text
    with sessions() as session:
        live = session.get(AcctSession, _id(world, "session_a"))
        assert live is not None and live.coa_result is CoAResult.QUEUED
        account = session.get(Account, member)
        assert account is not None and account.status is AccountStatus.DISABLED
    again = web.post(f"/admin/members/{member}/disable", data={"csrf": csrf})
    assert again.status_code == 400 and "hanya warga yang aktif" in again.text
    assert web.post(f"/admin/members/{member}/enable", data={"csrf": csrf}).status_code == 303
    with sessions() as session:
        account = session.get(Account, member)
        assert account is not None and account.status is AccountStatus.ACTIVE


def test_password_reset_and_device_removal(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    member, device = _id(world, "member_a"), _id(world, "device_a")
    page = web.get(f"/admin/members/{member}")
    assert "AA:BB:CC:00:00:0" in page.text and f"/devices/{device}/remove" in page.text
    typed = web.post(
        f"/admin/members/{member}/password", data={"csrf": csrf, "password": "baru-sekali-1"}
    )
    assert typed.status_code == 200 and 'id="new-password"' not in typed.text
    removed = web.post(f"/admin/members/{member}/devices/{device}/remove", data={"csrf": csrf})
    assert removed.status_code == 303
    assert "Tidak ada perangkat yang diingat." in web.get(removed.headers["location"]).text
    with sessions() as session:
        row = session.get(AccountDevice, device)
        assert row is not None and row.remembered_until is None
        stored = session.get(Member, member)
        assert stored is not None and verify_password("baru-sekali-1", stored.password_hash)
        details = [e.detail for e in session.scalars(select(AuditEntry))]
    assert not any("baru-sekali-1" in str(d) for d in details)


def test_api_create_read_disable_and_import(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    web.cookies.clear()
    headers = {"Authorization": f"Bearer {world.api_tokens['desa_a']}"}
    created = web.post(
        "/api/members",
        headers=headers,
        json={
            "site_id": _id(world, "site_a"),
            "profile_id": _id(world, "profile_all"),
            "username": "rina",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["member"]["username"] == "rina" and len(body["password"]) >= 8
    account_id = body["member"]["account_id"]
    read = web.get(f"/api/members/{account_id}", headers=headers).json()
    assert read["status"] == "active" and read["remembered_devices"] == []
    assert "password" not in read
    listed = web.get("/api/members", headers=headers, params={"q": "rina"}).json()
    assert [m["username"] for m in listed["members"]] == ["rina"]
    member_a = _id(world, "member_a")
    disabled = web.post(f"/api/members/{member_a}/disable", headers=headers)
    assert disabled.json() == {"status": "disabled", "disconnects_queued": 1}
    bad = web.post(
        "/api/members/import",
        headers=headers,
        json={
            "site_id": _id(world, "site_a"),
            "csv": "username,password,profile\nrina,rahasia-rina,umum\n",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["problems"] == ["line 2: username 'rina' exists already"]
    gone = web.delete(f"/api/members/{member_a}/devices/{_id(world, 'device_a')}", headers=headers)
    assert gone.status_code == 204
    assert web.get(f"/api/members/{member_a}", headers=headers).json()["remembered_devices"] == []


def test_api_with_the_session_cookie_needs_the_csrf_header(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    member = _id(world, "member_a")
    assert web.post(f"/api/members/{member}/password", json={}).status_code == 403
    answer = web.post(f"/api/members/{member}/password", json={}, headers={CSRF_HEADER: csrf})
    assert answer.status_code == 200 and len(answer.json()["password"]) == 10
