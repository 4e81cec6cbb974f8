"""Vouchers for admins: each status as a filter, search, batches, and the audited stock writes
(generate, hand out, revoke), always within the admin's villages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_profile, make_router, make_site

from wifidesa.access.logins import LoginRequest, decide_logins
from wifidesa.access.rules import RejectReason
from wifidesa.admin.scope import OPERATOR, Scope, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.models import (
    Account,
    AccountStatus,
    AcctSession,
    AdminRole,
    AdminUser,
    AuditEntry,
    CoAAction,
    CoAResult,
    QuotaPeriod,
    Region,
    SessionStatus,
    Site,
    UsageDaily,
    Voucher,
)
from wifidesa.errors import InvalidInput, NotFound
from wifidesa.profiles.operations import create_profile
from wifidesa.profiles.rules import ProfileSpec, Quota
from wifidesa.usage.coa_requests import take_queued
from wifidesa.vouchers.cards import (
    VoucherFilter,
    batch_codes,
    get_batch,
    get_voucher,
    list_batches,
    list_vouchers,
)
from wifidesa.vouchers.status import VoucherStatus
from wifidesa.vouchers.stock import export_rows, generate, mark_distributed, revoke

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # noon WITA


@dataclass
class Villages:
    a: Site
    c: Site  # another kabupaten
    desa_a: Scope
    desa_c: Scope
    province: Scope
    profile: int  # province-wide: 100 bytes a day, 1,000 in total
    profile_kubar: int  # Kutai Barat's own (village C)


def _admin(session: Session, name: str, site: Site | None = None) -> Scope:
    # A stored admin (scopes join admin_sites), without the cost of hashing a password.
    role = AdminRole.DESA if site else AdminRole.PROVINCE
    admin = AdminUser(username=name, password_hash="-", role=role, sites=[site] if site else [])
    session.add(admin)
    session.flush()
    return scope_of(admin)


@pytest.fixture
def villages(session: Session) -> Villages:
    a = make_site(session, code="desa-a", kabupaten="64.03")
    c = make_site(session, code="desa-c", kabupaten="64.02")
    quotas = (Quota(QuotaPeriod.DAY, data_bytes=100), Quota(QuotaPeriod.TOTAL, data_bytes=1000))
    profile = create_profile(
        session=session, scope=OPERATOR, spec=ProfileSpec(name="umum", quotas=quotas)
    )
    kubar = make_profile(session, name="kubar")
    kubar.region_id = session.scalars(select(Region.id).where(Region.code == "64.02")).one()
    session.flush()
    desa_a, desa_c, province = (
        _admin(session, n, s) for n, s in (("desa-a", a), ("desa-c", c), ("prov", None))
    )
    return Villages(a, c, desa_a, desa_c, province, profile.id, kubar.id)


def _batch(session: Session, v: Villages, count: int = 5) -> list[str]:
    _, codes = generate(
        session=session, scope=v.province, site_id=v.a.id, profile_id=v.profile, count=count
    )
    return codes


def _account(session: Session, code: str) -> Account:
    return session.scalars(select(Account).join(Voucher).where(Voucher.code == code)).one()


def _use(session: Session, code: str, octets: int, *, expires: datetime | None = None) -> None:
    account = _account(session, code)
    account.first_used_at = NOW - timedelta(days=1)
    account.expires_at = expires or NOW + timedelta(days=6)
    session.add(UsageDaily(account_id=account.id, day=date(2026, 3, 10), input_octets=octets))
    session.flush()


def _codes(session: Session, scope: Scope, **filters: Any) -> list[str]:
    page = list_vouchers(
        session=session, scope=scope, filters=VoucherFilter(**filters), now=NOW, limit=100
    )
    return [row.code for row in page.rows]


def test_every_status_is_listed_under_its_own_filter(session: Session, villages: Villages) -> None:
    unused, active, used_up, expired, revoked = _batch(session, villages)
    _use(session, active, 500)  # over today's 100 bytes, but a day's quota resets: active
    _use(session, used_up, 1000)  # the total of 1,000 bytes is gone for good
    _use(session, expired, 10, expires=NOW)  # expiry is exact: at NOW it has passed
    _account(session, revoked).status = AccountStatus.REVOKED
    expected = {
        VoucherStatus.UNUSED: unused,
        VoucherStatus.ACTIVE: active,
        VoucherStatus.USED_UP: used_up,
        VoucherStatus.EXPIRED: expired,
        VoucherStatus.REVOKED: revoked,
    }
    for status, code in expected.items():
        assert _codes(session, villages.province, status=status) == [code], status
    page = list_vouchers(session=session, scope=villages.province, filters=VoucherFilter(), now=NOW)
    assert {row.code: row.status for row in page.rows} == {c: s for s, c in expected.items()}


def test_a_used_card_without_a_total_limit_stays_active(
    session: Session, villages: Villages
) -> None:
    _, (code,) = generate(
        session=session,
        scope=villages.province,
        site_id=villages.c.id,
        profile_id=villages.profile_kubar,
        count=1,
    )
    _use(session, code, 10**12)
    assert _codes(session, villages.province, status=VoucherStatus.ACTIVE) == [code]


def test_search_matches_the_start_of_a_code_as_typed(session: Session, villages: Villages) -> None:
    codes = _batch(session, villages, count=20)
    code = codes[7]
    typed = f" {code[:3].lower()}-{code[3:6].lower()} "
    found = _codes(session, villages.province, search=typed)
    assert code in found and all(c.startswith(code[:6]) for c in found)
    assert _codes(session, villages.province, search="%") == []  # no LIKE wildcards


def test_pages_of_a_list_add_up_to_the_total(session: Session, villages: Villages) -> None:
    codes = _batch(session, villages, count=12)
    seen = []
    for offset in (0, 5, 10):
        page = list_vouchers(
            session=session,
            scope=villages.desa_a,
            filters=VoucherFilter(site_id=villages.a.id),
            now=NOW,
            limit=5,
            offset=offset,
        )
        assert page.total == 12
        seen += [row.code for row in page.rows]
    assert seen == sorted(codes)
    with pytest.raises(InvalidInput):
        list_vouchers(
            session=session, scope=villages.province, filters=VoucherFilter(), now=NOW, limit=0
        )


def test_another_villages_admin_sees_and_changes_nothing(
    session: Session, villages: Villages
) -> None:
    codes = _batch(session, villages)
    batch_id = session.scalars(select(Voucher.batch_id).where(Voucher.code == codes[0])).one()
    account_id = _account(session, codes[0]).id
    other = villages.desa_c
    assert _codes(session, other) == []
    mine = get_voucher(session=session, scope=villages.desa_a, account_id=account_id, now=NOW)
    assert (mine.code, mine.status) == (codes[0], VoucherStatus.UNUSED)
    assert list_batches(session=session, scope=other).total == 0
    with pytest.raises(NotFound):
        _codes(session, other, site_id=villages.a.id)
    with pytest.raises(NotFound):
        get_batch(session=session, scope=other, batch_id=batch_id)
    with pytest.raises(NotFound):
        batch_codes(session=session, scope=other, batch_id=batch_id)
    with pytest.raises(NotFound):
        export_rows(session=session, scope=other, batch_id=batch_id, now=NOW)
    with pytest.raises(NotFound):
        get_voucher(session=session, scope=other, account_id=account_id, now=NOW)
    with pytest.raises(NotFound):
        revoke(session=session, scope=other, account_id=account_id, now=NOW)
    with pytest.raises(NotFound):
        mark_distributed(
            session=session,
            scope=other,
            batch_id=batch_id,
            first_code=codes[0],
            last_code=codes[-1],
            now=NOW,
        )
    with pytest.raises(NotFound):  # a village outside the scope
        generate(session=session, scope=other, site_id=villages.a.id, profile_id=1, count=1)
    assert _account(session, codes[0]).status is AccountStatus.ACTIVE
    assert not any(session.scalars(select(Voucher.distributed_at)))
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("vouchers.%")))
    assert actions.all() == ["vouchers.generate"]


def test_a_desa_admin_may_not_use_another_kabupatens_profile(
    session: Session, villages: Villages
) -> None:
    with pytest.raises(NotFound):
        generate(
            session=session,
            scope=villages.desa_a,
            site_id=villages.a.id,
            profile_id=villages.profile_kubar,
            count=1,
        )
    batch, codes = generate(
        session=session,
        scope=villages.desa_a,
        site_id=villages.a.id,
        profile_id=villages.profile,
        count=3,
        prefix="ka",
        note=" for the market ",
    )
    assert all(code.startswith("KA") for code in codes)
    row = get_batch(session=session, scope=villages.desa_a, batch_id=batch.id)
    assert (row.created_by, row.count, row.note, row.profile) == (
        "desa-a",
        3,
        "for the market",
        "umum",
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action.like("vouchers.%"))).one()
    assert (entry.actor, entry.action, entry.site_id) == (
        "desa-a",
        "vouchers.generate",
        villages.a.id,
    )


def test_generation_reports_progress(session: Session, villages: Villages) -> None:
    seen: list[tuple[int, int]] = []
    generate(
        session=session,
        scope=villages.province,
        site_id=villages.a.id,
        profile_id=villages.profile,
        count=2500,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_revoking_queues_a_disconnect_and_the_next_login_is_refused(
    session: Session, villages: Villages, box: SecretBox
) -> None:
    (code,) = _batch(session, villages, count=1)
    account = _account(session, code)
    router = make_router(session, box, site=villages.a)
    account.first_used_at = NOW - timedelta(minutes=30)
    live = AcctSession(
        router_id=router.id,
        site_id=villages.a.id,
        account_id=account.id,
        acct_session_id="80000001",
        username=code,
        framed_ip="10.5.50.9",
        status=SessionStatus.OPEN,
        started_at=NOW - timedelta(minutes=30),
        updated_at=NOW,
    )
    session.add(live)
    session.flush()
    assert revoke(session=session, scope=villages.desa_a, account_id=account.id, now=NOW) == 1
    assert revoke(session=session, scope=villages.desa_a, account_id=account.id, now=NOW) == 0
    session.refresh(live)
    assert (live.coa_action, live.coa_result) == (CoAAction.DISCONNECT, CoAResult.QUEUED)
    (sent,) = take_queued(session=session, now=NOW)  # what the RADIUS service sends
    assert (sent.session_id, sent.action, sent.username) == (live.id, CoAAction.DISCONNECT, code)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vouchers.revoke")).one()
    assert (entry.actor, entry.site_id, entry.object_id) == (
        "desa-a",
        villages.a.id,
        str(account.id),
    )
    assert entry.detail == {"code": code, "disconnects": 1}
    request = LoginRequest(
        username=code, verify=lambda s: s == code, mac="AA:00:00:00:00:01", site_id=villages.a.id
    )
    (decision,) = decide_logins(session=session, requests=[request], now=NOW)
    assert not decision.accepted and decision.reason is RejectReason.REVOKED


def test_handing_out_a_range_marks_those_cards_once(session: Session, villages: Villages) -> None:
    codes = _batch(session, villages, count=10)
    batch_id = session.scalars(select(Voucher.batch_id).where(Voucher.code == codes[0])).one()

    def mark(first: str, last: str, at: datetime) -> int:
        return mark_distributed(
            session=session,
            scope=villages.desa_a,
            batch_id=batch_id,
            first_code=first,
            last_code=last,
            now=at,
        )

    dashed = f"{codes[5][:5].lower()}-{codes[5][5:]}"
    assert mark(codes[2], dashed, NOW) == 4  # dashes and case as printed are fine
    assert mark(codes[6], codes[4], NOW + timedelta(hours=1)) == 1  # either order; 4, 5 kept
    marked = dict(session.execute(select(Voucher.code, Voucher.distributed_at)).all())
    assert [c for c in codes if marked[c]] == codes[2:7]
    assert marked[codes[4]] == NOW
    with pytest.raises(InvalidInput):
        mark(codes[0], "NOTACODE22", NOW)
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "vouchers.distribute").order_by(AuditEntry.id)
    ).all()
    assert [e.detail for e in entries] == [
        {"first_code": codes[2], "last_code": codes[5], "count": 4},
        {"first_code": codes[4], "last_code": codes[6], "count": 1},
    ]
    assert {e.site_id for e in entries} == {villages.a.id}
    row = get_batch(session=session, scope=villages.province, batch_id=batch_id)
    assert (row.distributed, row.used, row.revoked) == (5, 0, 0)


def test_export_lists_every_card_of_the_batch_and_is_audited(
    session: Session, villages: Villages
) -> None:
    codes = _batch(session, villages, count=4)
    _batch(session, villages, count=2)  # another batch, not exported
    batch_id = session.scalars(select(Voucher.batch_id).where(Voucher.code == codes[0])).one()
    rows = export_rows(session=session, scope=villages.desa_a, batch_id=batch_id, now=NOW)
    assert [r.code for r in rows] == sorted(codes)
    assert {r.status for r in rows} == {VoucherStatus.UNUSED}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vouchers.export")).one()
    assert (entry.site_id, entry.detail) == (villages.a.id, {"count": 4})
