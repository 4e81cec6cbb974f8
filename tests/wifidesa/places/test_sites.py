"""Villages and routers for province and kabupaten admins: roles, scope, secrets shown once."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.admin_world import World
from wdtest.world_db import actor_scope as scope
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin.scope import Forbidden
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AuditEntry, Router, Site
from wifidesa.errors import AlreadyExists, InvalidInput, NotFound
from wifidesa.places import listing, routers, sites
from wifidesa.places.routers import RouterSpec, router_secret
from wifidesa.places.sites import SiteSpec

PORTAL = "https://wifi.kaltimprov.go.id"


def spec(desa_code: str = "64.03.09.3001") -> SiteSpec:
    return SiteSpec(desa_code=desa_code, desa_name="Desa Baru", kecamatan_name="Kecamatan Baru")


def _audits(session: Session, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(query))


def test_desa_admins_do_not_manage_sites_or_routers(
    session: Session, world: World, box: SecretBox
) -> None:
    desa_a = scope(session, world, "desa_a")
    site_a = world.ids["site_a"]
    with pytest.raises(Forbidden):
        listing.list_sites(session=session, scope=desa_a)
    with pytest.raises(Forbidden):
        listing.get_site(session=session, scope=desa_a, site_id=site_a)
    with pytest.raises(Forbidden):
        sites.create_site(session=session, scope=desa_a, spec=spec())
    with pytest.raises(Forbidden):
        routers.create_router(
            session=session,
            scope=desa_a,
            box=box,
            site_id=site_a,
            spec=RouterSpec("r", "10.1.1.1", "10.5.50.1"),
        )
    with pytest.raises(Forbidden):
        routers.new_secret(session=session, scope=desa_a, box=box, router_id=world.ids["router_a"])


def test_kabupaten_admins_list_only_their_villages_with_routers(
    session: Session, world: World
) -> None:
    codes = {
        actor: [
            s.code for s in listing.list_sites(session=session, scope=scope(session, world, actor))
        ]
        for actor in ("kab_own", "kab_other", "province")
    }
    assert codes["kab_own"] == ["desa-a", "desa-b"]
    assert codes["kab_other"] == ["desa-c"]
    assert codes["province"] == ["desa-a", "desa-b", "desa-c"]
    (site,) = [
        s
        for s in listing.list_sites(session=session, scope=scope(session, world, "kab_own"))
        if s.code == "desa-a"
    ]
    (router,) = site.routers
    assert router.id == world.ids["router_a"] and router.name == world.ids["router_name_a"]
    assert router.last_seen_at is None and router.is_active


def test_router_last_seen_is_the_last_accounting_heard(session: Session, world: World) -> None:
    heard = datetime(2026, 3, 31, 16, 5, tzinfo=UTC)
    router = session.get(Router, world.ids["router_a"])
    assert router is not None
    router.last_seen_at = heard
    session.flush()
    row = listing.get_router(
        session=session, scope=scope(session, world, "kab_own"), router_id=router.id
    )
    assert row.last_seen_at == heard


def test_another_kabupatens_village_and_router_are_not_found(
    session: Session, world: World, box: SecretBox
) -> None:
    kab_other = scope(session, world, "kab_other")
    with pytest.raises(NotFound):
        listing.get_site(session=session, scope=kab_other, site_id=world.ids["site_a"])
    with pytest.raises(NotFound):
        listing.get_router(session=session, scope=kab_other, router_id=world.ids["router_a"])
    with pytest.raises(NotFound):
        routers.create_router(
            session=session,
            scope=kab_other,
            box=box,
            site_id=world.ids["site_a"],
            spec=RouterSpec("stranger", "10.9.9.9", "10.5.50.1"),
        )
    with pytest.raises(NotFound):
        routers.hotspot_zip(
            session=session, scope=kab_other, router_id=world.ids["router_a"], portal_url=PORTAL
        )
    assert session.scalar(select(Router).where(Router.name == "stranger")) is None


def test_kabupaten_admin_adds_villages_only_under_their_own_code(
    session: Session, world: World
) -> None:
    with pytest.raises(Forbidden):
        sites.create_site(session=session, scope=scope(session, world, "kab_other"), spec=spec())
    assert session.scalar(select(Site).where(Site.code == "64.03.09.3001")) is None
    site = sites.create_site(session=session, scope=scope(session, world, "kab_own"), spec=spec())
    assert site.code == "64.03.09.3001"
    (entry,) = _audits(session, "sites.add")[-1:]
    assert entry.actor == "kab-own" and entry.site_id == site.id
    # The new village is in the kabupaten admin's reach at once.
    assert listing.get_site(
        session=session, scope=scope(session, world, "kab_own"), site_id=site.id
    )
    with pytest.raises(AlreadyExists):
        sites.create_site(session=session, scope=scope(session, world, "province"), spec=spec())


def test_province_adds_villages_anywhere(session: Session, world: World) -> None:
    site = sites.create_site(
        session=session, scope=scope(session, world, "province"), spec=spec("64.74.01.1001")
    )
    assert site.code == "64.74.01.1001"
    with pytest.raises(InvalidInput):
        sites.create_site(
            session=session, scope=scope(session, world, "province"), spec=spec("64.3")
        )


def test_new_router_secret_is_returned_once_and_kept_out_of_the_audit_log(
    session: Session, world: World, box: SecretBox
) -> None:
    row, secret = routers.create_router(
        session=session,
        scope=scope(session, world, "kab_own"),
        box=box,
        site_id=world.ids["site_a"],
        spec=RouterSpec("balai-2", "10.64.200.2", "10.5.50.1", coa_port=3799),
    )
    assert len(secret) >= 16
    router = session.get(Router, row.id)
    assert router is not None and router_secret(router, box) == secret
    assert secret not in router.secret_enc
    assert row.nas_identifier == "balai-2" and row.site_id == world.ids["site_a"]
    (entry,) = _audits(session, "routers.add")[-1:]
    assert entry.actor == "kab-own" and entry.site_id == world.ids["site_a"]
    assert secret not in str(entry.detail)
    # The site's view lists it, without any secret.
    site = listing.get_site(
        session=session, scope=scope(session, world, "kab_own"), site_id=world.ids["site_a"]
    )
    assert "balai-2" in [r.name for r in site.routers]
    assert secret not in repr(site)


def test_bad_router_input_is_refused(session: Session, world: World, box: SecretBox) -> None:
    province = scope(session, world, "province")
    with pytest.raises(InvalidInput):
        routers.create_router(
            session=session,
            scope=province,
            box=box,
            site_id=world.ids["site_a"],
            spec=RouterSpec("x", "not-an-ip", "10.5.50.1"),
        )
    with pytest.raises(AlreadyExists):
        routers.create_router(
            session=session,
            scope=province,
            box=box,
            site_id=world.ids["site_a"],
            spec=RouterSpec(str(world.ids["router_name_a"]), "10.64.201.1", "10.5.50.1"),
        )


def test_renewed_secret_replaces_the_old_one(
    session: Session, world: World, box: SecretBox
) -> None:
    router = session.get(Router, world.ids["router_a"])
    assert router is not None
    old = router_secret(router, box)
    secret = routers.new_secret(
        session=session, scope=scope(session, world, "province"), box=box, router_id=router.id
    )
    session.flush()
    assert secret != old and router_secret(router, box) == secret
    (entry,) = _audits(session, "routers.secret")
    assert entry.actor == "province" and entry.site_id == world.ids["site_a"]
    assert secret not in str(entry.detail) and old not in str(entry.detail)


def test_options_accept_only_profiles_of_the_villages_kabupaten(
    session: Session, world: World
) -> None:
    province = scope(session, world, "province")
    site_id = world.ids["site_a"]
    with pytest.raises(InvalidInput):  # Kutai Barat's profile in a Kutai Kartanegara village
        sites.set_options(
            session=session,
            scope=province,
            site_id=site_id,
            options=sites.SiteOptions(True, True, True, world.ids["profile_kubar"]),
        )
    with pytest.raises(InvalidInput):
        sites.set_options(
            session=session,
            scope=province,
            site_id=site_id,
            options=sites.SiteOptions(True, True, True, None),
        )
    sites.set_options(
        session=session,
        scope=scope(session, world, "kab_own"),
        site_id=site_id,
        options=sites.SiteOptions(False, True, True, world.ids["profile_kukar"]),
    )
    row = listing.get_site(session=session, scope=province, site_id=site_id)
    assert (row.allow_voucher, row.allow_member, row.allow_free) == (False, True, True)
    assert row.free_profile == "kukar"
    (entry,) = _audits(session, "sites.options")
    assert entry.actor == "kab-own" and entry.detail["allow_free"] is True
    usable = {
        name for _, name in sites.usable_profiles(session=session, scope=province, site_id=site_id)
    }
    assert usable == {"umum", "kukar"}


def test_hotspot_zip_holds_the_routers_pages(session: Session, world: World) -> None:
    name, data = routers.hotspot_zip(
        session=session,
        scope=scope(session, world, "kab_own"),
        router_id=world.ids["router_a"],
        portal_url=PORTAL,
    )
    router_name = str(world.ids["router_name_a"])
    assert name == f"hotspot-{router_name}.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        login = archive.read("hotspot/login.html").decode()
    assert {"hotspot/login.html", "hotspot/alogin.html", "hotspot/flogin.html"} <= names
    assert PORTAL in login and router_name in login
