"""Villages and routers pages and API: the RADIUS secret is shown once, hotspot files zip."""

from __future__ import annotations

import io
import re
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest import TEST_SECRET
from wdtest.admin_world import World, sign_in

from wifidesa.crypto import SecretBox
from wifidesa.db.models import AuditEntry, Router, Site
from wifidesa.places.routers import router_secret

NEW_ROUTER = {
    "name": "balai-2",
    "ip_address": "10.64.200.2",
    "hotspot_address": "10.5.50.1",
    "coa_port": "3799",
}


def _hotspot_address(sessions: sessionmaker[Session], name: str) -> str | None:
    with sessions() as session:
        return session.scalars(select(Router.hotspot_address).where(Router.name == name)).one()


def _bearer(world: World, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_tokens[actor]}"}


def _secret_on(page: str) -> str:
    found = re.search(r'<div class="c ok" id="new-secret">.*?<code>([^<]+)</code>', page, re.S)
    assert found, "no secret on the page"
    return found.group(1)


def _stored_secret(sessions: sessionmaker[Session], name: str) -> str:
    with sessions() as session:
        router = session.scalars(select(Router).where(Router.name == name)).one()
        return router_secret(router, SecretBox(TEST_SECRET))


def test_list_shows_my_kabupatens_villages_and_routers(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "kab_own")
    page = web.get("/admin/sites?lang=en")
    assert page.status_code == 200
    assert "desa-a" in page.text and "desa-b" in page.text and "desa-c" not in page.text
    assert str(world.ids["router_name_a"]) in page.text


def test_desa_admins_get_403_and_no_menu_link(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "desa_a")
    assert web.get("/admin/sites").status_code == 403
    assert web.get(f"/admin/sites/{world.ids['site_a']}").status_code == 403
    assert 'href="/admin/sites"' not in web.get("/admin/").text


def test_added_router_secret_is_shown_once_and_only_once(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "kab_own")
    site_page = f"/admin/sites/{world.ids['site_a']}"
    answer = web.post(f"{site_page}/routers?lang=en", data=NEW_ROUTER | {"csrf": csrf})
    assert answer.status_code == 200
    assert "shown only once" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    secret = _secret_on(answer.text)
    assert len(secret) >= 16 and secret == _stored_secret(sessions, "balai-2")
    assert _hotspot_address(sessions, "balai-2") == "10.5.50.1"  # the portal needs it
    # Never again: not on the site's page, the list, the API, nor in the audit log.
    for path in (site_page, "/admin/sites", "/admin/audit"):
        page = web.get(path)
        assert page.status_code == 200 and secret not in page.text, path
        assert "balai-2" in page.text or path == "/admin/audit"
    api = web.get(f"/api/sites/{world.ids['site_a']}", headers=_bearer(world, "kab_own"))
    assert "balai-2" in api.text and secret not in api.text
    with sessions() as session:
        details = [str(e.detail) for e in session.scalars(select(AuditEntry))]
    assert not any(secret in d for d in details)


def test_bad_router_is_refused_with_the_form_kept(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "province")
    answer = web.post(
        f"/admin/sites/{world.ids['site_a']}/routers?lang=en",
        data={"name": "balai-3", "ip_address": "not-an-ip", "csrf": csrf},
    )
    assert answer.status_code == 400
    assert "not an IP address" in answer.text and 'value="balai-3"' in answer.text
    assert 'id="new-secret"' not in answer.text


def test_renewed_secret_is_shown_once_and_replaces_the_old_one(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    name = str(world.ids["router_name_a"])
    old = _stored_secret(sessions, name)
    csrf = sign_in(web, sessions, "province")
    answer = web.post(f"/admin/routers/{world.ids['router_a']}/secret", data={"csrf": csrf})
    assert answer.status_code == 200
    secret = _secret_on(answer.text)
    assert secret != old and secret == _stored_secret(sessions, name)
    assert secret not in web.get(f"/admin/sites/{world.ids['site_a']}").text


def test_hotspot_zip_contains_the_router_pages(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "kab_own")
    answer = web.get(f"/admin/routers/{world.ids['router_a']}/hotspot.zip")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = set(archive.namelist())
        login = archive.read("hotspot/login.html").decode()
    for page in ("login.html", "alogin.html", "flogin.html", "status.html", "logout.html"):
        assert f"hotspot/{page}" in names
    assert str(world.ids["router_name_a"]) in login
    sign_in(web, sessions, "kab_other")
    assert web.get(f"/admin/routers/{world.ids['router_a']}/hotspot.zip").status_code == 404


def test_new_village_form_and_kabupaten_limit(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    village = {"desa_code": "64.03.09.3001", "desa_name": "Desa Baru", "kecamatan_name": "Baru"}
    csrf = sign_in(web, sessions, "kab_other")
    form = web.get("/admin/sites/new?lang=en")
    assert form.status_code == 200 and "64.02." in form.text
    refused = web.post("/admin/sites/new?lang=en", data=village | {"csrf": csrf})
    assert refused.status_code == 403 and "64.02" in refused.text
    assert 'value="Desa Baru"' in refused.text
    csrf = sign_in(web, sessions, "kab_own")
    added = web.post("/admin/sites/new", data=village | {"csrf": csrf})
    assert added.status_code == 303
    with sessions() as session:
        site = session.scalars(select(Site).where(Site.code == "64.03.09.3001")).one()
    assert added.headers["location"] == f"/admin/sites/{site.id}"
    again = web.post("/admin/sites/new?lang=en", data=village | {"csrf": csrf})
    assert again.status_code == 400 and "exists already" in again.text


def test_options_are_saved_and_a_foreign_profile_is_refused(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "kab_own")
    path = f"/admin/sites/{world.ids['site_a']}/options"
    foreign = {"allow_free": "1", "free_profile_id": str(world.ids["profile_kubar"])}
    refused = web.post(path + "?lang=en", data=foreign | {"csrf": csrf})
    assert refused.status_code == 400 and "cannot be used in this village" in refused.text
    own = {
        "allow_member": "1",
        "allow_free": "1",
        "free_profile_id": str(world.ids["profile_kukar"]),
    }
    saved = web.post(path, data=own | {"csrf": csrf})
    assert saved.status_code == 303
    with sessions() as session:
        site = session.get(Site, world.ids["site_a"])
        assert site is not None
        assert (site.allow_voucher, site.allow_member, site.allow_free) == (False, True, True)
        assert site.free_profile_id == world.ids["profile_kukar"]


def test_api_adds_a_router_and_returns_its_secret_once(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    headers = _bearer(world, "province")
    created = web.post(
        f"/api/sites/{world.ids['site_a']}/routers",
        json={"name": "balai-api", "ip_address": "10.64.200.9", "hotspot_address": "Login.Desa."},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["router"]["hotspot_address"] == "login.desa"
    assert _hotspot_address(sessions, "balai-api") == "login.desa"
    body = created.json()
    secret = body["secret"]
    assert secret == _stored_secret(sessions, "balai-api")
    router = web.get(f"/api/routers/{body['router']['id']}", headers=headers)
    assert router.status_code == 200 and "secret" not in router.json()
    assert router.json()["nas_identifier"] == "balai-api"
    listed = web.get("/api/sites", headers=headers)
    assert "balai-api" in listed.text and secret not in listed.text
    clash = web.post(
        f"/api/sites/{world.ids['site_a']}/routers",
        json={"name": "balai-api", "ip_address": "10.64.200.10", "hotspot_address": "10.5.50.1"},
        headers=headers,
    )
    assert clash.status_code == 409


def test_api_kabupaten_limits_and_desa_refusal(web: TestClient, world: World) -> None:
    village = {"desa_code": "64.03.09.3002", "desa_name": "Desa Api", "kecamatan_name": "Api"}
    assert (
        web.post("/api/sites", json=village, headers=_bearer(world, "kab_other")).status_code == 403
    )
    assert web.get("/api/sites", headers=_bearer(world, "desa_a")).status_code == 403
    added = web.post("/api/sites", json=village, headers=_bearer(world, "kab_own"))
    assert added.status_code == 201 and added.json()["code"] == "64.03.09.3002"
    bad = web.post(
        "/api/sites", json=village | {"desa_code": "64.03"}, headers=_bearer(world, "province")
    )
    assert bad.status_code == 422
    other = web.get(f"/api/sites/{world.ids['site_a']}", headers=_bearer(world, "kab_other"))
    assert other.status_code == 404


def test_a_router_without_a_hotspot_address_is_refused_on_the_page_and_the_api(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    # Once, routers added here got no hotspot address: the portal then refused every login.
    csrf = sign_in(web, sessions, "province")
    page = web.post(
        f"/admin/sites/{world.ids['site_a']}/routers?lang=en",
        data=NEW_ROUTER | {"hotspot_address": "", "csrf": csrf},
    )
    assert page.status_code == 400 and "hotspot address is missing" in page.text
    api = web.post(
        f"/api/sites/{world.ids['site_a']}/routers",
        json={"name": "balai-x", "ip_address": "10.64.200.11", "hotspot_address": "http://x/"},
        headers=_bearer(world, "province"),
    )
    assert api.status_code == 422 and "not a hotspot IP address or DNS name" in api.text
    with sessions() as session:
        names = set(session.scalars(select(Router.name)))
    assert "balai-2" not in names and "balai-x" not in names


def test_a_routers_hotspot_address_can_be_changed_on_its_page_and_by_the_api(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    name, router_id = str(world.ids["router_name_a"]), world.ids["router_a"]
    csrf = sign_in(web, sessions, "kab_own")
    form = web.get(f"/admin/routers/{router_id}?lang=en")
    assert form.status_code == 200 and 'value="10.5.50.1"' in form.text
    fields = {
        "ip_address": "10.64.250.1",
        "hotspot_address": "hotspot.desa-a.id",
        "nas_identifier": name,
        "coa_port": "3799",
        "require_message_authenticator": "1",
        "csrf": csrf,
    }
    saved = web.post(f"/admin/routers/{router_id}", data=fields, follow_redirects=False)
    assert saved.status_code == 303
    assert _hotspot_address(sessions, name) == "hotspot.desa-a.id"
    assert "hotspot.desa-a.id" in web.get(f"/admin/sites/{world.ids['site_a']}").text
    bad = web.post(f"/admin/routers/{router_id}?lang=en", data=fields | {"hotspot_address": "a b"})
    assert bad.status_code == 400 and "not a hotspot IP address or DNS name" in bad.text
    patched = web.patch(
        f"/api/routers/{router_id}",
        json={"hotspot_address": "10.5.60.1"},
        headers=_bearer(world, "kab_own"),
    )
    assert patched.status_code == 200 and patched.json()["hotspot_address"] == "10.5.60.1"
    assert patched.json()["ip_address"] == "10.64.250.1"  # the rest as it was
    assert _hotspot_address(sessions, name) == "10.5.60.1"
    with sessions() as session:
        edits = session.scalars(select(AuditEntry).where(AuditEntry.action == "routers.edit"))
        assert [e.detail.get("hotspot_address") for e in edits] == [
            "hotspot.desa-a.id",
            "10.5.60.1",
        ]
    other = web.patch(
        f"/api/routers/{router_id}",
        json={"hotspot_address": "10.5.70.1"},
        headers=_bearer(world, "kab_other"),
    )
    assert other.status_code == 404
