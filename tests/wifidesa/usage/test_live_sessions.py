"""Live sessions as admins see them: scope, quota left by the one quota rule, disconnect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.admin_world import World
from wdtest.world_db import actor_scope as scope
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.db.models import (
    AccountKind,
    AcctSession,
    AuditEntry,
    CoAAction,
    CoAResult,
    SessionStatus,
    UsageDaily,
)
from wifidesa.errors import NotFound
from wifidesa.usage.live_sessions import LiveSession, disconnect, live_sessions

# 23:30 WITA on 31 March: the daily quota's day is still the 31st, the month ends soon.
NOW = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
MB = 1_000_000


def _ids(rows: list[LiveSession]) -> set[int]:
    return {r.id for r in rows}


def test_each_admin_sees_the_open_sessions_of_their_own_villages(
    session: Session, world: World
) -> None:
    ids = world.ids
    seen = {
        actor: _ids(live_sessions(session=session, scope=scope(session, world, actor), now=NOW))
        for actor in ("desa_a", "desa_b", "kab_own", "kab_other", "province")
    }
    assert seen["desa_a"] == {ids["session_a"]}
    assert seen["desa_b"] == {ids["session_b"]}
    assert seen["kab_own"] == {ids["session_a"], ids["session_b"]}
    assert seen["kab_other"] == {ids["session_c"]}
    assert seen["province"] == {ids["session_a"], ids["session_b"], ids["session_c"]}


def test_a_village_filter_outside_the_scope_is_not_found(session: Session, world: World) -> None:
    desa_a = scope(session, world, "desa_a")
    rows = live_sessions(session=session, scope=desa_a, now=NOW, site_id=world.ids["site_a"])
    assert _ids(rows) == {world.ids["session_a"]}
    with pytest.raises(NotFound):
        live_sessions(session=session, scope=desa_a, now=NOW, site_id=world.ids["site_b"])


def test_closed_sessions_are_not_listed(session: Session, world: World) -> None:
    row = session.get(AcctSession, world.ids["session_a"])
    assert row is not None
    row.status = SessionStatus.CLOSED
    session.flush()
    assert live_sessions(session=session, scope=scope(session, world, "desa_a"), now=NOW) == []


def test_row_shows_account_device_data_and_the_quota_left_today(
    session: Session, world: World
) -> None:
    today = NOW.astimezone(ZoneInfo("Asia/Makassar")).date()
    account_id = world.ids["member_a"]
    session.add_all(
        [
            UsageDaily(
                account_id=account_id, day=today, input_octets=100 * MB, output_octets=200 * MB
            ),
            # Yesterday does not count against a daily quota.
            UsageDaily(
                account_id=account_id, day=today - timedelta(days=1), output_octets=900 * MB
            ),
        ]
    )
    session.flush()
    (row,) = live_sessions(session=session, scope=scope(session, world, "desa_a"), now=NOW)
    assert row.account == "warga-a" and row.account_kind is AccountKind.MEMBER
    assert row.village and row.site_code == "desa-a"
    assert row.mac is not None and row.mac.startswith("AA:BB:CC")
    assert row.used_octets == 10 * MB  # the world's session: 1 MB up, 9 MB down
    assert row.quota is not None  # the world's profile allows 10^9 bytes a day
    assert row.quota.bytes_left == 10**9 - 300 * MB
    assert not row.quota.over and row.quota.seconds_left is None
    assert row.coa_action is None and not row.throttled


def test_used_up_quota_shows_nothing_left(session: Session, world: World) -> None:
    today = NOW.astimezone(ZoneInfo("Asia/Makassar")).date()
    session.add(UsageDaily(account_id=world.ids["member_a"], day=today, output_octets=2 * 10**9))
    session.flush()
    (row,) = live_sessions(session=session, scope=scope(session, world, "desa_a"), now=NOW)
    assert row.quota is not None and row.quota.bytes_left == 0 and row.quota.over


def test_voucher_session_names_the_code(session: Session, world: World) -> None:
    live = session.get(AcctSession, world.ids["session_a"])
    assert live is not None
    live.account_id = world.ids["voucher_a"]
    session.flush()
    (row,) = live_sessions(session=session, scope=scope(session, world, "desa_a"), now=NOW)
    assert row.account == world.ids["code_a"] and row.account_kind is AccountKind.VOUCHER


def test_disconnect_is_queued_for_the_radius_service_and_audited(
    session: Session, world: World
) -> None:
    session_id = world.ids["session_a"]
    desa_a = scope(session, world, "desa_a")
    assert disconnect(session=session, scope=desa_a, session_id=session_id, now=NOW)
    session.expire_all()
    row = session.get(AcctSession, session_id)
    assert row is not None
    assert (row.coa_action, row.coa_result) == (CoAAction.DISCONNECT, CoAResult.QUEUED)
    (listed,) = live_sessions(session=session, scope=desa_a, now=NOW)
    assert listed.coa_result is CoAResult.QUEUED
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sessions.disconnect")
    ).one()
    assert entry.actor == "desa-a" and entry.site_id == world.ids["site_a"]
    assert entry.object_id == str(session_id)
    # Already on its way: not asked twice, not audited twice.
    assert not disconnect(session=session, scope=desa_a, session_id=session_id, now=NOW)
    count = select(AuditEntry).where(AuditEntry.action == "sessions.disconnect")
    assert len(session.scalars(count).all()) == 1


@pytest.mark.parametrize("actor", ["desa_b", "kab_other"])
def test_disconnect_in_another_village_is_not_found_and_changes_nothing(
    session: Session, world: World, actor: str
) -> None:
    session_id = world.ids["session_a"]
    with pytest.raises(NotFound):
        disconnect(
            session=session, scope=scope(session, world, actor), session_id=session_id, now=NOW
        )
    row = session.get(AcctSession, session_id)
    assert row is not None and row.coa_action is None
    assert (
        session.scalar(select(AuditEntry).where(AuditEntry.action == "sessions.disconnect")) is None
    )


def test_disconnect_of_a_session_that_ended_is_refused(session: Session, world: World) -> None:
    row = session.get(AcctSession, world.ids["session_a"])
    assert row is not None
    row.status = SessionStatus.CLOSED
    session.flush()
    assert not disconnect(
        session=session, scope=scope(session, world, "kab_own"), session_id=row.id, now=NOW
    )
    with pytest.raises(NotFound):
        disconnect(
            session=session, scope=scope(session, world, "kab_own"), session_id=10**9, now=NOW
        )
