"""Statistics areas: drill-down from the top of an admin's scope, and nothing outside it —
not even a province figure made of one kabupaten."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_site

from wifidesa.admin.scope import OPERATOR, scope_of
from wifidesa.db.models import AdminRole, Site
from wifidesa.errors import NotFound
from wifidesa.stats.areas import AreaKind, open_area


def _villages(session: Session) -> dict[str, Site]:
    sites = {
        "a": make_site(session, code="kk-a", kabupaten="64.03", kecamatan="01"),
        "b": make_site(session, code="kk-b", kabupaten="64.03", kecamatan="01"),
        "c": make_site(session, code="kk-c", kabupaten="64.03", kecamatan="02"),
        "d": make_site(session, code="kb-d", kabupaten="64.02", kecamatan="05"),
    }
    session.flush()
    return sites


def test_the_province_opens_on_its_kabupaten_and_drills_down_to_a_site(session: Session) -> None:
    sites = _villages(session)
    top = open_area(session=session, scope=OPERATOR)
    assert (top.area.kind, top.area.code, top.area.level) == (AreaKind.REGION, "64", "province")
    assert sorted(top.site_ids) == sorted(s.id for s in sites.values())
    assert [child.code for child, _ in top.children] == ["64.02", "64.03"]  # by name: Kutai B..
    kabupaten = open_area(session=session, scope=OPERATOR, key="r:64.03")
    assert [a.code for a in kabupaten.trail] == ["64"]
    assert [(child.code, len(members)) for child, members in kabupaten.children] == [
        ("64.03.01", 2),
        ("64.03.02", 1),
    ]
    kecamatan = open_area(session=session, scope=OPERATOR, key="r:64.03.01")
    desa_codes = [child.code for child, _ in kecamatan.children]
    assert len(desa_codes) == 2 and all(c.startswith("64.03.01.") for c in desa_codes)
    desa = open_area(session=session, scope=OPERATOR, key=f"r:{desa_codes[0]}")
    assert [(child.kind, len(m)) for child, m in desa.children] == [(AreaKind.SITE, 1)]
    site = open_area(session=session, scope=OPERATOR, key=f"s:{desa.children[0][0].code}")
    assert site.children == [] and len(site.site_ids) == 1
    assert [a.level for a in site.trail] == ["province", "kabupaten", "kecamatan", "desa"]


def test_a_kabupaten_admin_sees_their_kabupaten_and_nothing_above_or_beside(
    session: Session,
) -> None:
    sites = _villages(session)
    admin = make_admin(
        session=session,
        username="kukar",
        password="kukar-password-1",
        role=AdminRole.KABUPATEN,
        region_code="64.03",
    )
    scope = scope_of(admin)
    top = open_area(session=session, scope=scope)
    assert (top.area.code, sorted(top.site_ids)) == ("64.03", sorted(sites[k].id for k in "abc"))
    assert top.trail == []
    for key in ("r:64", "r:64.02", "r:64.02.05", "s:kb-d", "r:64.03.99", "x:64.03", "s:nope"):
        with pytest.raises(NotFound):
            open_area(session=session, scope=scope, key=key)
    assert [a.code for a in open_area(session=session, scope=scope, key="s:kk-c").trail] == [
        "64.03",
        "64.03.02",
        open_area(session=session, scope=scope, key="s:kk-c").trail[-1].code,
    ]


def test_a_desa_admin_sees_only_their_villages(session: Session) -> None:
    sites = _villages(session)
    admin = make_admin(
        session=session,
        username="desa-a",
        password="desa-password-1",
        role=AdminRole.DESA,
        site_codes=["kk-a", "kb-d"],
    )
    scope = scope_of(admin)
    top = open_area(session=session, scope=scope)
    assert top.area.kind is AreaKind.EVERYTHING
    assert [child.code for child, _ in top.children] == ["kk-a", "kb-d"]
    assert sorted(top.site_ids) == sorted([sites["a"].id, sites["d"].id])
    for key in ("r:64", "r:64.03", "r:64.03.01", "s:kk-b"):
        with pytest.raises(NotFound):
            open_area(session=session, scope=scope, key=key)
    village = open_area(session=session, scope=scope, key="s:kb-d")
    assert [a.kind for a in village.trail] == [AreaKind.EVERYTHING]
