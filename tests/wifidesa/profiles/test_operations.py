"""Profiles as admins manage them: who sees, creates and edits which."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.admin_world import World
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin.scope import Forbidden, Scope, scope_of
from wifidesa.db.models import AdminUser, AfterQuota, AuditEntry, Profile, QuotaPeriod, Region
from wifidesa.errors import AlreadyExists, InvalidInput, NotFound
from wifidesa.profiles.operations import (
    create_profile,
    get_usable_profile,
    list_usable_profiles,
    spec_of,
    update_profile,
)
from wifidesa.profiles.rules import ProfileSpec, Quota


def scope(session: Session, username: str) -> Scope:
    admin = session.scalars(select(AdminUser).where(AdminUser.username == username)).one()
    return scope_of(admin)


def pid(world: World, key: str) -> int:
    value = world.ids[key]
    assert isinstance(value, int)
    return value


def names(session: Session, username: str) -> list[str]:
    return [p.name for p in list_usable_profiles(session=session, scope=scope(session, username))]


def test_each_admin_sees_province_wide_and_own_kabupaten_profiles(
    session: Session, world: World
) -> None:
    assert names(session, "province") == ["kubar", "kukar", "umum"]
    assert names(session, "kab-own") == ["kukar", "umum"]
    assert names(session, "kab-other") == ["kubar", "umum"]
    assert names(session, "desa-a") == ["kukar", "umum"]
    with pytest.raises(NotFound):
        get_usable_profile(
            session=session, scope=scope(session, "desa-a"), profile_id=pid(world, "profile_kubar")
        )


def test_kabupaten_profiles_belong_to_the_kabupaten(session: Session, world: World) -> None:
    kab = scope(session, "kab-own")
    profile = create_profile(
        session=session,
        scope=kab,
        spec=ProfileSpec(name="kukar-malam", rate_limit="2M/4M", region_id=None),
    )
    kukar = session.scalars(select(Region.id).where(Region.code == "64.03")).one()
    assert profile.region_id == kukar
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "profiles.add")).all()[-1]
    assert (entry.actor, entry.object_id) == ("kab-own", "kukar-malam")
    wide = create_profile(session=session, scope=scope(session, "province"), spec=ProfileSpec("p"))
    assert wide.region_id is None


def test_desa_admins_may_not_create_profiles(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        create_profile(session=session, scope=scope(session, "desa-a"), spec=ProfileSpec("x"))
    assert session.scalar(select(Profile).where(Profile.name == "x")) is None


def test_only_the_kabupaten_or_province_edits(session: Session, world: World) -> None:
    spec = ProfileSpec(
        name="kukar",
        description="Paket warga",
        rate_limit="1M/3M",
        session_timeout=7200,
        after_quota=AfterQuota.THROTTLE,
        throttle_rate_limit="128k/256k",
        quotas=(Quota(QuotaPeriod.DAY, data_bytes=2 * 1024**3),),
    )
    for who, key in (("desa-a", "profile_kukar"), ("kab-own", "profile_all")):
        with pytest.raises(Forbidden):
            update_profile(
                session=session, scope=scope(session, who), profile_id=pid(world, key), spec=spec
            )
    with pytest.raises(NotFound):
        update_profile(
            session=session,
            scope=scope(session, "kab-other"),
            profile_id=pid(world, "profile_kukar"),
            spec=spec,
        )
    profile = update_profile(
        session=session,
        scope=scope(session, "kab-own"),
        profile_id=pid(world, "profile_kukar"),
        spec=spec,
    )
    session.flush()
    session.expire_all()
    assert spec_of(profile) == ProfileSpec(
        **{**spec.__dict__, "region_id": profile.region_id, "idle_timeout": None}
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "profiles.edit")).one()
    assert "quotas" in entry.detail["changed"] and "rate_limit" in entry.detail["changed"]


def test_edit_replaces_quotas_and_validates(session: Session, world: World) -> None:
    province = scope(session, "province")
    umum = pid(world, "profile_all")  # 1 GB a day
    spec = spec_of(get_usable_profile(session=session, scope=province, profile_id=umum))
    monthly = Quota(QuotaPeriod.MONTH, data_bytes=30 * 1024**3, time_seconds=3600 * 100)
    day = Quota(QuotaPeriod.DAY, data_bytes=5 * 10**8)
    from dataclasses import replace

    update_profile(
        session=session, scope=province, profile_id=umum, spec=replace(spec, quotas=(day, monthly))
    )
    session.flush()
    session.expire_all()
    got = spec_of(get_usable_profile(session=session, scope=province, profile_id=umum))
    assert set(got.quotas) == {day, monthly}
    update_profile(session=session, scope=province, profile_id=umum, spec=replace(spec, quotas=()))
    session.flush()
    session.expire_all()
    assert (
        spec_of(get_usable_profile(session=session, scope=province, profile_id=umum)).quotas == ()
    )
    with pytest.raises(InvalidInput):
        update_profile(
            session=session,
            scope=province,
            profile_id=umum,
            spec=replace(spec, after_quota=AfterQuota.THROTTLE, throttle_rate_limit=None),
        )
    with pytest.raises(AlreadyExists):
        update_profile(
            session=session, scope=province, profile_id=umum, spec=replace(spec, name="kukar")
        )
