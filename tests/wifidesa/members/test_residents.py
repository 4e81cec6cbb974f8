"""Residents as admins manage them: scope refusals, CSV import all-or-nothing, devices, disable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.admin_world import World
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.access.logins import LoginRequest, decide_logins
from wifidesa.admin.scope import Scope, scope_of
from wifidesa.db.engine import utcnow
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountStatus,
    AcctSession,
    AdminUser,
    AuditEntry,
    CoAAction,
    CoAResult,
    Member,
)
from wifidesa.errors import AlreadyExists, InvalidInput, NotFound, RowsRejected
from wifidesa.members.importing import import_members
from wifidesa.members.queries import get_member, list_members
from wifidesa.members.residents import (
    change_profile,
    create_member,
    disable_member,
    enable_member,
    forget_device,
    reset_password,
)
from wifidesa.passwords import verify_password


def scope(session: Session, username: str) -> Scope:
    admin = session.scalars(select(AdminUser).where(AdminUser.username == username)).one()
    return scope_of(admin)


def ids(world: World, key: str) -> int:
    value = world.ids[key]
    assert isinstance(value, int)
    return value


def audits(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_desa_admin_lists_only_own_village(session: Session, world: World) -> None:
    now = utcnow()
    page = list_members(session=session, scope=scope(session, "desa-a"), now=now)
    assert [r.username for r in page.rows] == ["warga-a"]
    assert page.rows[0].devices == 1
    everyone = list_members(session=session, scope=scope(session, "province"), now=now)
    assert [r.username for r in everyone.rows] == ["warga-a", "warga-b", "warga-c"]
    kab = list_members(session=session, scope=scope(session, "kab-own"), now=now, search="B")
    assert [r.username for r in kab.rows] == ["warga-b"]
    with pytest.raises(NotFound):
        list_members(session=session, scope=scope(session, "desa-a"), now=now, site_code="desa-b")
    with pytest.raises(NotFound):
        list_members(
            session=session, scope=scope(session, "desa-a"), now=now, site_id=ids(world, "site_b")
        )


def test_residents_of_other_villages_are_not_found(session: Session, world: World) -> None:
    desa_a = scope(session, "desa-a")
    member_b = ids(world, "member_b")
    with pytest.raises(NotFound):
        get_member(session=session, scope=desa_a, account_id=member_b, now=utcnow())
    for call in (
        lambda: reset_password(session=session, scope=desa_a, account_id=member_b),
        lambda: disable_member(session=session, scope=desa_a, account_id=member_b, now=utcnow()),
        lambda: enable_member(session=session, scope=desa_a, account_id=member_b),
        lambda: forget_device(
            session=session,
            scope=desa_a,
            account_id=member_b,
            device_id=ids(world, "device_b"),
            now=utcnow(),
        ),
    ):
        with pytest.raises(NotFound):
            call()
    kab_other = scope(session, "kab-other")
    with pytest.raises(NotFound):
        get_member(
            session=session, scope=kab_other, account_id=ids(world, "member_a"), now=utcnow()
        )


def test_create_needs_a_village_and_a_profile_in_scope(session: Session, world: World) -> None:
    desa_a = scope(session, "desa-a")
    with pytest.raises(NotFound):
        create_member(
            session=session,
            scope=desa_a,
            site_id=ids(world, "site_b"),
            profile_id=ids(world, "profile_all"),
            username="budi",
            password="rahasia-budi",
        )
    with pytest.raises(NotFound):  # Kutai Barat's profile, for a Kutai Kartanegara village
        create_member(
            session=session,
            scope=desa_a,
            site_id=ids(world, "site_a"),
            profile_id=ids(world, "profile_kubar"),
            username="budi",
            password="rahasia-budi",
        )
    member = create_member(
        session=session,
        scope=desa_a,
        site_id=ids(world, "site_a"),
        profile_id=ids(world, "profile_kukar"),
        username="Budi",
        password="rahasia-budi",
        full_name="  Budi   Santoso ",
        phone="0812 3456 789",
    )
    assert (member.username, member.full_name) == ("budi", "Budi Santoso")
    assert member.account.created_by_id == desa_a.admin_id
    entry = audits(session, "members.add")[-1]
    assert (entry.actor, entry.site_id) == ("desa-a", ids(world, "site_a"))
    with pytest.raises(AlreadyExists):
        create_member(
            session=session,
            scope=desa_a,
            site_id=ids(world, "site_a"),
            profile_id=ids(world, "profile_kukar"),
            username="budi",
            password="rahasia-budi",
        )


def test_reset_password_generates_one_and_keeps_it_out_of_the_audit(
    session: Session, world: World
) -> None:
    account_id = ids(world, "member_a")
    new = reset_password(session=session, scope=scope(session, "desa-a"), account_id=account_id)
    member = session.get(Member, account_id)
    assert member is not None and verify_password(new, member.password_hash)
    entry = audits(session, "members.password")[-1]
    assert new not in str(entry.detail) and entry.detail == {"generated": True}
    with pytest.raises(InvalidInput):
        reset_password(
            session=session, scope=scope(session, "desa-a"), account_id=account_id, password="short"
        )


def test_disable_queues_a_disconnect_and_refuses_logins(session: Session, world: World) -> None:
    account_id = ids(world, "member_a")
    queued = disable_member(
        session=session, scope=scope(session, "desa-a"), account_id=account_id, now=utcnow()
    )
    assert queued == 1
    live = session.get(AcctSession, ids(world, "session_a"))
    assert live is not None
    assert (live.coa_action, live.coa_result) == (CoAAction.DISCONNECT, CoAResult.QUEUED)
    account = session.get(Account, account_id)
    assert account is not None and account.status is AccountStatus.DISABLED
    assert audits(session, "members.disable")[-1].site_id == ids(world, "site_a")
    with pytest.raises(InvalidInput):
        disable_member(
            session=session, scope=scope(session, "desa-a"), account_id=account_id, now=utcnow()
        )
    enable_member(session=session, scope=scope(session, "kab-own"), account_id=account_id)
    assert account.status is AccountStatus.ACTIVE


def _mac_login(session: Session, world: World, mac: str) -> bool:
    request = LoginRequest(
        username=mac,
        verify=lambda secret: secret in ("", mac),
        mac=mac,
        site_id=ids(world, "site_a"),
    )
    return decide_logins(session=session, requests=[request], now=utcnow())[0].accepted


def test_a_removed_device_can_no_longer_log_in_by_mac(session: Session, world: World) -> None:
    device = session.get(AccountDevice, ids(world, "device_a"))
    assert device is not None
    mac = device.mac
    session.execute(  # the world's session is on this MAC: end it, so only MAC auth matters
        AcctSession.__table__.delete().where(AcctSession.id == ids(world, "session_a"))  # type: ignore[attr-defined]
    )
    assert _mac_login(session, world, mac)
    desa_a = scope(session, "desa-a")
    detail = get_member(
        session=session, scope=desa_a, account_id=ids(world, "member_a"), now=utcnow()
    )
    assert [d.mac for d in detail.devices] == [mac]
    forget_device(
        session=session,
        scope=desa_a,
        account_id=ids(world, "member_a"),
        device_id=device.id,
        now=utcnow(),
    )
    session.flush()
    assert not _mac_login(session, world, mac)
    assert audits(session, "members.forget_device")[-1].detail == {"mac": mac}
    with pytest.raises(NotFound):  # forgotten already
        forget_device(
            session=session,
            scope=desa_a,
            account_id=ids(world, "member_a"),
            device_id=device.id,
            now=utcnow(),
        )


def test_change_profile_only_to_a_usable_one(session: Session, world: World) -> None:
    desa_a = scope(session, "desa-a")
    account_id = ids(world, "member_a")
    with pytest.raises(NotFound):
        change_profile(
            session=session,
            scope=desa_a,
            account_id=account_id,
            profile_id=ids(world, "profile_kubar"),
        )
    change_profile(
        session=session, scope=desa_a, account_id=account_id, profile_id=ids(world, "profile_kukar")
    )
    account = session.get(Account, account_id)
    assert account is not None and account.profile_id == ids(world, "profile_kukar")
    assert audits(session, "members.profile")[-1].detail == {"old": "umum", "new": "kukar"}


def test_import_stores_every_row(session: Session, world: World) -> None:
    text = (
        "\ufeffusername;password;full_name;phone;profile\n"
        "siti;rahasia-siti;Siti Aminah;0812-1111;kukar\n"
        "\n"
        "joko;rahasia-joko;Joko;;\n"
    )
    members = import_members(
        session=session,
        scope=scope(session, "desa-a"),
        site_id=ids(world, "site_a"),
        text=text,
        profile_id=ids(world, "profile_all"),
    )
    assert [(m.username, m.account.profile.name) for m in members] == [
        ("siti", "kukar"),
        ("joko", "umum"),
    ]
    assert {m.account.created_by_id for m in members} == {scope(session, "desa-a").admin_id}
    assert members[0].full_name == "Siti Aminah" and members[1].phone is None
    entry = audits(session, "members.import")[-1]
    assert (entry.site_id, entry.detail["count"]) == (ids(world, "site_a"), 2)
    assert entry.detail["usernames"] == ["siti", "joko"]
    assert "rahasia" not in str(entry.detail)


def test_import_with_bad_rows_reports_each_line_and_stores_nothing(
    session: Session, world: World
) -> None:
    text = (
        "username,password,profile\n"
        "siti,rahasia-siti,umum\n"  # fine
        "warga-b,rahasia-xx,umum\n"  # exists in village B
        "siti,rahasia-siti,umum\n"  # twice in the file
        "joko,short,umum\n"
        "AA:BB:CC:DD:EE:FF,rahasia-mac,umum\n"
        "rina,rahasia-rina,kubar\n"  # another kabupaten's profile
        "tono,rahasia-tono\n"
    )
    with pytest.raises(RowsRejected) as caught:
        import_members(
            session=session,
            scope=scope(session, "desa-a"),
            site_id=ids(world, "site_a"),
            text=text,
        )
    assert caught.value.problems == [
        "line 3: username 'warga-b' exists already",
        "line 4: username 'siti' also on line 2",
        "line 5: the password must have at least 8 characters",
        "line 6: username: 1 to 64 letters, digits, '.', '_' or '-'",
        "line 7: profile 'kubar' not found",
        "line 8: expected 3 fields, found 2",
    ]
    assert session.scalar(select(Member).where(Member.username == "siti")) is None
    assert audits(session, "members.import") == []


def test_import_refuses_another_village_and_a_bad_header(session: Session, world: World) -> None:
    desa_a = scope(session, "desa-a")
    with pytest.raises(NotFound):
        import_members(
            session=session,
            scope=desa_a,
            site_id=ids(world, "site_b"),
            text="username,password,profile\nsiti,rahasia-siti,umum\n",
        )
    with pytest.raises(InvalidInput, match="line 1"):
        import_members(
            session=session, scope=desa_a, site_id=ids(world, "site_a"), text="name,secret\nx,y\n"
        )
    with pytest.raises(InvalidInput, match="no residents"):
        import_members(
            session=session, scope=desa_a, site_id=ids(world, "site_a"), text="username,password\n"
        )


def test_member_detail_counts_today_and_this_month(session: Session, world: World) -> None:
    from wifidesa.db.models import UsageDaily

    now = utcnow()
    account_id = ids(world, "member_a")
    today = (now + timedelta(hours=8)).date()  # WITA
    session.add(UsageDaily(account_id=account_id, day=today, input_octets=5, output_octets=10))
    session.flush()
    detail = get_member(
        session=session, scope=scope(session, "province"), account_id=account_id, now=now
    )
    assert detail.used_today.octets == 15
    assert detail.used_this_month.octets >= 15
    assert detail.online == 1 and detail.member.profile == "umum"


def test_list_is_paginated(session: Session, world: World) -> None:
    province = scope(session, "province")
    first = list_members(session=session, scope=province, now=utcnow(), per_page=2)
    last = list_members(session=session, scope=province, now=utcnow(), per_page=2, page=2)
    assert (first.total, first.pages) == (3, 2)
    assert [r.username for r in first.rows + last.rows] == ["warga-a", "warga-b", "warga-c"]
