"""The scope rule: which villages and profiles each kind of admin reaches."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.admin_world import DESA_A, DESA_B, KAB_OTHER, KAB_OWN, PROVINCE, World
from wdtest.factories import make_admin, make_site
from wdtest.world_db import actor_scope, db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin.scope import (
    Forbidden,
    profile_editable,
    profile_filter,
    require_oversight,
    require_province,
    require_site,
    require_site_code,
    scope_of,
    site_filter,
    visible_sites,
)
from wifidesa.db.models import AdminRole, Profile, Site
from wifidesa.errors import NotFound

SEES = {
    DESA_A: {"desa-a"},
    DESA_B: {"desa-b"},
    KAB_OWN: {"desa-a", "desa-b"},
    KAB_OTHER: {"desa-c"},
    PROVINCE: {"desa-a", "desa-b", "desa-c"},
}


@pytest.mark.parametrize(("actor", "codes"), SEES.items())
def test_each_admin_sees_exactly_their_villages(
    session: Session, world: World, actor: str, codes: set[str]
) -> None:
    scope = actor_scope(session, world, actor)
    assert {s.code for s in visible_sites(session=session, scope=scope)} == codes
    filtered = session.scalars(select(Site.code).where(site_filter(scope, Site.id)))
    assert set(filtered) == codes
    for code in {"desa-a", "desa-b", "desa-c"} - codes:
        site_id = world.ids[f"site_{code[-1]}"]
        with pytest.raises(NotFound):
            require_site(session=session, scope=scope, site_id=site_id)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            require_site_code(session=session, scope=scope, code=code)
    with pytest.raises(NotFound):  # an id that exists nowhere looks the same
        require_site(session=session, scope=scope, site_id=999_999)


def test_a_kabupaten_is_matched_by_whole_code_parts(session: Session, world: World) -> None:
    # 64.7x are kota: 64.71 Balikpapan must not reach into 64.72 Samarinda or vice versa,
    # and a kabupaten code is never read as a prefix of a longer number.
    balikpapan = make_site(session, code="bpp", kabupaten="64.71")
    samarinda = make_site(session, code="smd", kabupaten="64.72")
    admin = make_admin(
        session=session,
        username="kota-bpp",
        password="kota-password-1",
        role=AdminRole.KABUPATEN,
        region_code="64.71",
    )
    scope = scope_of(admin)
    assert [s.code for s in visible_sites(session=session, scope=scope)] == [balikpapan.code]
    with pytest.raises(NotFound):
        require_site(session=session, scope=scope, site_id=samarinda.id)


def test_a_desa_admin_of_two_villages_sees_both(session: Session, world: World) -> None:
    admin = make_admin(
        session=session,
        username="dua-desa",
        password="dua-desa-pass",
        role=AdminRole.DESA,
        site_codes=["desa-a", "desa-c"],
    )
    scope = scope_of(admin)
    assert {s.code for s in visible_sites(session=session, scope=scope)} == {"desa-a", "desa-c"}
    # Profiles of both kabupaten are theirs to pick from.
    names = set(session.scalars(select(Profile.name).where(profile_filter(scope))))
    assert names == {"umum", "kukar", "kubar"}


@pytest.mark.parametrize(
    ("actor", "names"),
    [
        (DESA_A, {"umum", "kukar"}),
        (KAB_OWN, {"umum", "kukar"}),
        (KAB_OTHER, {"umum", "kubar"}),
        (PROVINCE, {"umum", "kukar", "kubar"}),
    ],
)
def test_profiles_an_admin_may_pick(
    session: Session, world: World, actor: str, names: set[str]
) -> None:
    scope = actor_scope(session, world, actor)
    assert set(session.scalars(select(Profile.name).where(profile_filter(scope)))) == names


def test_who_may_edit_which_profile_and_oversee(session: Session, world: World) -> None:
    profiles = {p.name: p for p in session.scalars(select(Profile))}
    editable = {
        actor: {
            name
            for name, profile in profiles.items()
            if profile_editable(actor_scope(session, world, actor), profile)
        }
        for actor in SEES
    }
    assert editable == {
        DESA_A: set(),
        DESA_B: set(),
        KAB_OWN: {"kukar"},
        KAB_OTHER: {"kubar"},
        PROVINCE: {"umum", "kukar", "kubar"},
    }
    with pytest.raises(Forbidden):
        require_oversight(actor_scope(session, world, DESA_A))
    require_oversight(actor_scope(session, world, KAB_OWN))
    with pytest.raises(Forbidden):
        require_province(actor_scope(session, world, KAB_OWN))
    require_province(actor_scope(session, world, PROVINCE))
