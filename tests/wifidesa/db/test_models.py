"""The database itself refuses what the domain forbids: named constraints on both backends."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from wdtest.constraints import assert_refused_by
from wdtest.factories import make_profile, make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.models import (
    Account,
    AccountKind,
    AdminRole,
    AdminUser,
    AfterQuota,
    Profile,
    ProfileLimit,
    QuotaPeriod,
    Region,
    RegionLevel,
    Router,
    Site,
)


def _fails(session: Session, obj: object, constraint: str) -> None:
    session.commit()  # what the test built stays when the refused row is rolled back
    session.add(obj)
    with pytest.raises(IntegrityError) as info:
        session.flush()
    session.rollback()
    assert_refused_by(session, info.value, constraint)


def test_site_code_is_unique(session: Session) -> None:
    site = make_site(session)
    _fails(session, Site(code=site.code, name="Lain", region_id=site.region_id), "uq_sites_code")


def test_router_ip_is_unique(session: Session, box: SecretBox) -> None:
    router = make_router(session, box)
    clash = Router(
        site_id=router.site_id,
        name="other",
        nas_identifier="other",
        ip_address=router.ip_address,
        secret_enc="x",
    )
    _fails(session, clash, "uq_routers_ip_address")


def test_router_coa_port_must_be_a_port(session: Session, box: SecretBox) -> None:
    site = make_site(session)
    bad = Router(
        site_id=site.id,
        name="r",
        nas_identifier="r",
        ip_address="10.9.9.9",
        secret_enc="x",
        coa_port=70000,
    )
    _fails(session, bad, "ck_routers_coa_port_range")


def test_throttle_profile_needs_a_throttle_rate(session: Session) -> None:
    bad = Profile(name="fup", after_quota=AfterQuota.THROTTLE, throttle_rate_limit=None)
    _fails(session, bad, "ck_profiles_throttle_needs_rate")


def test_profile_needs_at_least_one_device(session: Session) -> None:
    _fails(session, Profile(name="zero", devices_at_once=0), "ck_profiles_devices_positive")


def test_profile_limit_must_limit_something(session: Session) -> None:
    profile = make_profile(session)
    _fails(
        session,
        ProfileLimit(profile_id=profile.id, period=QuotaPeriod.WEEK),
        "ck_profile_limits_some_limit",
    )


def test_one_limit_per_period(session: Session) -> None:
    profile = make_profile(session, daily_bytes=10**9)
    dup = ProfileLimit(profile_id=profile.id, period=QuotaPeriod.DAY, data_bytes=5)
    _fails(session, dup, "uq_profile_limits_profile_id_period")


def test_account_needs_an_existing_site(session: Session) -> None:
    profile = make_profile(session)
    orphan = Account(kind=AccountKind.VOUCHER, site_id=999_999, profile_id=profile.id)
    _fails(session, orphan, "fk_accounts_site_id_sites")


def test_kabupaten_admin_needs_a_region(session: Session) -> None:
    _fails(
        session,
        AdminUser(username="kab", password_hash="x", role=AdminRole.KABUPATEN),
        "ck_admin_users_kabupaten_region",
    )


def test_only_the_province_is_a_root_region(session: Session) -> None:
    _fails(
        session,
        Region(code="99", name="Lepas", level=RegionLevel.KABUPATEN),
        "ck_regions_root_is_province",
    )


def test_status_values_outside_the_enum_are_refused_by_the_database(session: Session) -> None:
    site = make_site(session)
    profile = make_profile(session)
    session.commit()
    with pytest.raises(IntegrityError) as info:
        session.execute(
            text(
                "INSERT INTO accounts (kind, site_id, profile_id, status, created_at) "
                "VALUES ('voucher', :s, :p, 'bogus', CURRENT_TIMESTAMP)"
            ),
            {"s": site.id, "p": profile.id},
        )
    session.rollback()
    assert_refused_by(session, info.value, "ck_accounts_account_status")


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    wita = timezone(timedelta(hours=8))
    site = make_site(session)
    site.created_at = datetime(2026, 1, 1, 7, 30, tzinfo=wita)  # 2025-12-31 23:30 UTC
    session.commit()
    session.expire_all()
    stored = session.scalars(select(Site).where(Site.id == site.id)).one().created_at
    assert stored == datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session: Session) -> None:
    site = make_site(session)
    site.created_at = datetime(2026, 1, 1, 7, 30)
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
    session.rollback()
