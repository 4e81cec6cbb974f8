"""Profiles' pages and API: limits in plain words, forms with units, who may edit, errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in

from portal.admin.profiles.forms import form_from_spec, spec_from_form
from wifidesa.db.models import AfterQuota, Profile, QuotaPeriod, Region
from wifidesa.profiles.rules import ProfileSpec, Quota

FORM = {
    "name": "malam",
    "description": "Paket malam",
    "rate_limit": "1M/4M",
    "session_timeout": "2h",
    "idle_timeout": "15m",
    "validity": "7d",
    "day_data": "1G",
    "month_time": "100h",
    "after_quota": "throttle",
    "throttle_rate_limit": "128k/256k",
    "devices_at_once": "2",
    "remember_device_days": "30",
}


def _id(world: World, key: str) -> Any:
    return world.ids[key]


def test_form_fields_become_a_spec_and_back() -> None:
    spec = spec_from_form(FORM)
    assert spec == ProfileSpec(
        name="malam",
        description="Paket malam",
        rate_limit="1M/4M",
        session_timeout=7200,
        idle_timeout=900,
        validity_seconds=7 * 86400,
        devices_at_once=2,
        after_quota=AfterQuota.THROTTLE,
        throttle_rate_limit="128k/256k",
        remember_device_days=30,
        quotas=(
            Quota(QuotaPeriod.DAY, data_bytes=1024**3),
            Quota(QuotaPeriod.MONTH, time_seconds=360000),
        ),
    )
    assert spec_from_form(form_from_spec(spec)) == spec


def test_list_says_the_limits_in_plain_words(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "desa_a")
    page = web.get("/admin/profiles")
    assert page.status_code == 200
    assert "umum" in page.text and "kukar" in page.text and "kubar" not in page.text
    assert "953.7 MB data per hari" in page.text  # the world's 'umum': 10^9 bytes a day
    assert "Kecepatan 2M unduh, 1M unggah" in page.text
    assert "/admin/profiles/new" not in page.text  # desa admins only pick among profiles


def test_kabupaten_admin_creates_a_profile_of_the_kabupaten(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "kab_own")
    answer = web.post("/admin/profiles/new", data=FORM | {"csrf": csrf})
    assert answer.status_code == 303
    with sessions() as session:
        profile = session.scalars(select(Profile).where(Profile.name == "malam")).one()
        region = session.get(Region, profile.region_id)
        assert region is not None and region.code == "64.03"
        assert (profile.session_timeout, profile.remember_device_days) == (7200, 30)
    page = web.get(answer.headers["location"])
    assert "Paket sudah dibuat." in page.text
    assert "Setelah kuota habis: diperlambat ke 256k unduh, 128k unggah" in page.text


def test_desa_admins_may_not_create_profiles(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    assert web.get("/admin/profiles/new").status_code == 403
    assert web.post("/admin/profiles/new", data=FORM | {"csrf": csrf}).status_code == 403


def test_form_errors_name_the_field_in_bahasa_indonesia(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "province")
    bad_size = web.post("/admin/profiles/new", data=FORM | {"csrf": csrf, "day_data": "banyak"})
    assert bad_size.status_code == 400
    assert "Data per hari: bukan ukuran: &#39;banyak&#39;" in bad_size.text
    assert 'value="banyak"' in bad_size.text
    no_rate = web.post("/admin/profiles/new", data=FORM | {"csrf": csrf, "throttle_rate_limit": ""})
    assert no_rate.status_code == 400 and "perlu kecepatan diperlambat" in no_rate.text
    taken = web.post("/admin/profiles/new", data=FORM | {"csrf": csrf, "name": "kukar"})
    assert taken.status_code == 400 and "paket bernama &#39;kukar&#39; sudah ada" in taken.text


def test_profile_is_editable_only_by_its_kabupaten_or_the_province(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    kukar = _id(world, "profile_kukar")
    sign_in(web, sessions, "desa_a")
    read_only = web.get(f"/admin/profiles/{kukar}")
    assert read_only.status_code == 200
    assert "Hanya kabupaten yang membuat paket ini" in read_only.text
    assert "Simpan</button>" not in read_only.text
    csrf = sign_in(web, sessions, "kab_own")
    assert "Simpan</button>" in web.get(f"/admin/profiles/{kukar}").text
    saved = web.post(f"/admin/profiles/{kukar}", data=FORM | {"csrf": csrf, "name": "kukar"})
    assert saved.status_code == 303
    with sessions() as session:
        profile = session.get(Profile, kukar)
        assert profile is not None and profile.rate_limit == "1M/4M"
        assert {q.period for q in profile.limits} == {QuotaPeriod.DAY, QuotaPeriod.MONTH}
    csrf = sign_in(web, sessions, "kab_own")
    umum = _id(world, "profile_all")
    assert web.post(f"/admin/profiles/{umum}", data=FORM | {"csrf": csrf}).status_code == 403


def test_api_lists_creates_and_replaces(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    web.cookies.clear()
    kab = {"Authorization": f"Bearer {world.api_tokens['kab_own']}"}
    desa = {"Authorization": f"Bearer {world.api_tokens['desa_a']}"}
    listed = web.get("/api/profiles", headers=desa).json()
    assert {p["name"]: p["editable"] for p in listed} == {"kukar": False, "umum": False}
    body = {
        "name": "api-paket",
        "rate_limit": "1M/2M",
        "session_timeout": "2h",
        "quotas": [
            {"period": "day", "data_bytes": "500M"},
            {"period": "month", "time_seconds": 3600},
        ],
    }
    assert web.post("/api/profiles", headers=desa, json=body).status_code == 403
    created = web.post("/api/profiles", headers=kab, json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["session_timeout"] == 7200 and out["editable"] is True
    assert {"period": "day", "data_bytes": 500 * 1024**2, "time_seconds": None} in out["quotas"]
    replaced = web.put(
        f"/api/profiles/{out['id']}", headers=kab, json=body | {"quotas": [], "devices_at_once": 3}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["quotas"] == [] and replaced.json()["devices_at_once"] == 3
    bad = web.put(f"/api/profiles/{out['id']}", headers=kab, json=body | {"rate_limit": "fast"})
    assert bad.status_code == 422 and "rate limit" in bad.json()["detail"]
    kubar = _id(world, "profile_kubar")
    assert web.get(f"/api/profiles/{kubar}", headers=desa).status_code == 404
