"""Retention: sessions older than the kept age lose MAC, IP address and user name, device rows
nobody needs go, and the statistics recomputed afterwards are the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_member, make_profile, make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, transaction
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AcctSession,
    GuestDevice,
    SiteDay,
    Voucher,
)
from wifidesa.members.guests import guest_account
from wifidesa.stats.rollup import recompute_site_days, session_days
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord
from wifidesa.usage.retention import RetentionCounts, apply_retention, retention_cutoff

NOW = datetime(2027, 3, 15, 4, 0, tzinfo=UTC)
CUTOFF = datetime(2026, 3, 15, 4, 0, tzinfo=UTC)  # 12 months before NOW
OLD = CUTOFF - timedelta(days=40)
RECENT = NOW - timedelta(days=30)


@pytest.fixture
def run(db_url: str, sessions: sessionmaker[Session]) -> Iterator[Any]:
    """apply_retention as the CLI and the service call it, in batches of 2 (every run crosses
    batch boundaries, some between sessions it must pass over)."""
    write_engine = make_engine(db_url, sqlite_immediate=True)
    writes = make_session_factory(write_engine)

    def call(*, dry_run: bool = False, months: int = 12) -> RetentionCounts:
        return apply_retention(
            read_sessions=sessions,
            write_sessions=writes,
            lock=WriterLock(db_url),
            now=NOW,
            months=months,
            dry_run=dry_run,
            batch=2,
        )

    yield call
    write_engine.dispose()


def _session_record(
    router_id: int,
    site_id: int,
    name: str,
    *,
    ended: datetime,
    seconds: int = 1800,
    event: AcctEvent = AcctEvent.STOP,
    account_id: int | None = None,
    mac: str = "02:AA:00:00:00:01",
) -> AcctRecord:
    return AcctRecord(
        event=event,
        router_id=router_id,
        site_id=site_id,
        event_time=ended,
        acct_session_id=name,
        username=f"tamu-{mac.replace(':', '')}",
        account_id=account_id,
        mac=mac,
        framed_ip="10.5.50.77",
        session_time=seconds,
        input_octets=3_000_000,
        output_octets=40_000_000,
    )


def _world(sessions: sessionmaker[Session], box: SecretBox) -> tuple[int, int]:
    """A site with sessions: old and closed (several, some across local midnight), old but still
    open, started before the cutoff but ended after it, and recent."""
    with transaction(sessions) as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        session.flush()
        rid, sid = router.id, site.id
        records = [
            _session_record(rid, sid, f"old{n}", ended=OLD + timedelta(hours=5 * n), mac=mac)
            for n, mac in enumerate(["02:AA:00:00:00:01", "02:AA:00:00:00:02"] * 3)
        ]
        records += [
            _session_record(rid, sid, "open", ended=OLD, event=AcctEvent.INTERIM),
            _session_record(rid, sid, "across", ended=CUTOFF + timedelta(hours=1), seconds=7200),
            _session_record(rid, sid, "recent", ended=RECENT),
        ]
        record_accounting(session=session, records=records, box=box, now=OLD)
        return sid, rid


def _by_name(sessions: sessionmaker[Session]) -> dict[str, AcctSession]:
    with sessions() as session:
        return {s.acct_session_id: s for s in session.scalars(select(AcctSession))}


def _site_days(sessions: sessionmaker[Session], site_id: int) -> list[dict[str, Any]]:
    """Every site-day of the site, recomputed from the sessions as they are now."""
    with transaction(sessions) as session:
        days = {
            (site_id, day)
            for s in session.scalars(select(AcctSession).where(AcctSession.site_id == site_id))
            for day in session_days(
                started_at=s.started_at, session_time=s.session_time, zone="Asia/Makassar"
            )
        }
        recompute_site_days(session=session, site_days=days)
    with sessions() as session:
        columns = SiteDay.__table__.columns.keys()
        rows = session.scalars(select(SiteDay).order_by(SiteDay.site_id, SiteDay.day))
        return [{c: getattr(row, c) for c in columns} for row in rows]


def test_old_closed_sessions_lose_mac_address_and_name_and_others_keep_them(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    _world(sessions, box)
    before = _by_name(sessions)
    counts = run()
    after = _by_name(sessions)
    assert counts.sessions == 6
    for n in range(6):
        old = after[f"old{n}"]
        assert (old.mac, old.framed_ip, old.username) == (None, None, "")
        assert old.device_hash == before[f"old{n}"].device_hash is not None
    for kept in ("open", "across", "recent"):
        row = after[kept]
        assert (row.mac, row.framed_ip, row.username) == (
            "02:AA:00:00:00:01",
            "10.5.50.77",
            "tamu-02AA00000001",
        )


def test_statistics_recomputed_after_retention_are_the_same(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    site_id, _ = _world(sessions, box)
    before = _site_days(sessions, site_id)
    assert sum(row["sessions"] for row in before) == 9
    assert max(row["devices"] for row in before) == 2
    run()
    assert _site_days(sessions, site_id) == before


def test_a_second_run_changes_nothing(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    _world(sessions, box)
    assert run().sessions == 6
    cleared = _by_name(sessions)
    assert run() == RetentionCounts()
    again = _by_name(sessions)
    assert {k: (v.mac, v.username, v.framed_ip) for k, v in again.items()} == {
        k: (v.mac, v.username, v.framed_ip) for k, v in cleared.items()
    }


def test_a_dry_run_counts_what_a_run_does_and_changes_nothing(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    _world(sessions, box)
    _devices(sessions, box)
    before = _by_name(sessions)
    devices_before = _device_macs(sessions)
    dry = run(dry_run=True)
    assert dry == RetentionCounts(sessions=6, guest_devices=1, account_devices=2)
    assert {k: v.mac for k, v in _by_name(sessions).items()} == {
        k: v.mac for k, v in before.items()
    }
    assert _device_macs(sessions) == devices_before
    assert run() == dry


def test_a_shorter_age_clears_more(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    _world(sessions, box)
    # Every closed one: "recent" ended 30 days ago, before 15 February.
    assert run(months=1).sessions == 8
    after = _by_name(sessions)
    assert after["recent"].mac is None and after["across"].mac is None
    assert after["open"].mac is not None


def _devices(sessions: sessionmaker[Session], box: SecretBox) -> None:
    """Guests: one unused for over a year, one made long ago but used last month, one new.
    Account devices: expired or still remembered member devices, bindings of a voucher that
    can still log in and of one that expired, one of which was used last month."""
    with transaction(sessions) as session:
        site = make_site(session, code="retensi")
        router = make_router(session, box, site=site)
        profile = make_profile(session, name="bebas")
        session.flush()
        guests = {}
        for name, mac in (("gone", "02:BB:00:00:00:01"), ("used", "02:BB:00:00:00:02")):
            guests[name] = guest_account(
                session=session, site_id=site.id, profile_id=profile.id, mac=mac
            )
            guests[name].created_at = OLD - timedelta(days=30)
        guest_account(
            session=session, site_id=site.id, profile_id=profile.id, mac="02:BB:00:00:00:03"
        )
        member = make_member(
            session=session,
            site_code="retensi",
            profile_name="bebas",
            username="warga",
            password="kata-sandi-panjang-1",
        )
        _, codes = make_batch(session=session, site_code="retensi", profile_name="bebas", count=2)
        live, expired = (
            session.scalars(select(Voucher).where(Voucher.code == code)).one().account
            for code in codes
        )
        expired.expires_at = OLD
        session.flush()
        old = {"first_seen_at": OLD, "last_seen_at": OLD}
        session.add_all(
            [
                # Rows as logins write them (wifidesa.access.logins), dated long ago.
                AccountDevice(account=member.account, mac="02:CC:00:00:00:01", **old),
                AccountDevice(
                    account=member.account,
                    mac="02:CC:00:00:00:02",
                    remembered_until=NOW + timedelta(days=3),
                    **old,
                ),
                AccountDevice(account=live, mac="02:CC:00:00:00:03", **old),
                AccountDevice(account=expired, mac="02:CC:00:00:00:04", **old),
                AccountDevice(account=expired, mac="02:CC:00:00:00:05", **old),
            ]
        )
        session.flush()
        records = [
            _session_record(
                router.id,
                site.id,
                "g",
                ended=RECENT,
                account_id=guests["used"].id,
                mac="02:BB:00:00:00:02",
            ),
            _session_record(
                router.id,
                site.id,
                "v",
                ended=RECENT,
                account_id=expired.id,
                mac="02:CC:00:00:00:05",
            ),
        ]
        record_accounting(session=session, records=records, box=box, now=RECENT)


def _device_macs(sessions: sessionmaker[Session]) -> tuple[set[str], set[str]]:
    with sessions() as session:
        return (
            set(session.scalars(select(GuestDevice.mac))),
            set(session.scalars(select(AccountDevice.mac))),
        )


def test_devices_nobody_needs_go_and_devices_in_use_stay(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    _devices(sessions, box)
    counts = run()
    assert (counts.guest_devices, counts.account_devices) == (1, 2)
    guests, devices = _device_macs(sessions)
    assert guests == {"02:BB:00:00:00:02", "02:BB:00:00:00:03"}  # used last month; new
    assert devices == {
        "02:CC:00:00:00:02",  # still remembered for MAC login
        "02:CC:00:00:00:03",  # binds a voucher that can still log in
        "02:CC:00:00:00:05",  # used last month
    }
    with sessions() as session:  # the guest's account stays: its usage stays counted
        assert session.scalar(select(Account.id).where(Account.kind == "guest").limit(1))
    assert run() == RetentionCounts()


def test_the_cutoff_is_whole_calendar_months_before() -> None:
    assert retention_cutoff(now=NOW, months=12) == CUTOFF
    may_end = datetime(2027, 5, 31, 12, tzinfo=UTC)
    assert retention_cutoff(now=may_end, months=3) == datetime(2027, 2, 28, 12, tzinfo=UTC)
    assert retention_cutoff(now=may_end, months=17) == datetime(2025, 12, 31, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="at least 1 month"):
        retention_cutoff(now=NOW, months=0)
