"""A batch's use-by day ("berlaku sampai"): stored as the cards' expiry at the end of that day
in the village's time, refused when already past, shown on the batch, and enforced by RADIUS
(a card first used before it keeps the paket's validity, never past the day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_site

from wifidesa.access.logins import LoginRequest, decide_logins
from wifidesa.access.rules import RejectReason
from wifidesa.admin.scope import scope_of
from wifidesa.db.models import Account, AdminRole, AdminUser, AuditEntry, Voucher, VoucherBatch
from wifidesa.errors import InvalidInput
from wifidesa.vouchers.cards import get_batch, list_batches
from wifidesa.vouchers.codes import check_use_by, parse_use_by
from wifidesa.vouchers.stock import check_generation, generate

DAY = date(2026, 12, 31)
END = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 1 January 2027, 00:00 WITA (UTC+8)
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 WITA, weeks before


def _expiries(session: Session, batch_id: int) -> set[datetime | None]:
    query = select(Account.expires_at).join(Voucher).where(Voucher.batch_id == batch_id)
    return set(session.scalars(query))


def test_use_by_is_stored_as_the_local_midnight_after_the_day(session: Session) -> None:
    site, profile = make_site(session), make_profile(session)
    batch, codes = make_batch(
        session=session,
        site_code=site.code,
        profile_name=profile.name,
        count=3,
        use_by=DAY,
        now=NOW,
    )
    assert len(codes) == 3 and _expiries(session, batch.id) == {END}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vouchers.generate"))
    assert entry.one().detail == {"count": 3, "profile": profile.name, "use_by": "2026-12-31"}
    plain, _ = make_batch(
        session=session, site_code=site.code, profile_name=profile.name, count=2, now=NOW
    )
    assert _expiries(session, plain.id) == {None}


def test_a_day_already_over_is_refused_and_nothing_is_stored(session: Session) -> None:
    site, profile = make_site(session), make_profile(session)
    args = {"session": session, "site_code": site.code, "profile_name": profile.name, "count": 2}
    # The last second of the day (WITA) still counts: today is a valid use-by day.
    make_batch(**args, use_by=DAY, now=END - timedelta(seconds=1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="the use-by date is already past"):
        make_batch(**args, use_by=DAY, now=END)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="already past"):
        make_batch(**args, use_by=date(2020, 1, 1))  # type: ignore[arg-type]
    assert session.scalar(select(func.count()).select_from(VoucherBatch)) == 1


@pytest.mark.parametrize("text", ["31-12-2026", "2026-02-30", "2026/12/31", "besok", "2026-1-5"])
def test_only_real_days_written_yyyy_mm_dd_are_taken(text: str) -> None:
    with pytest.raises(InvalidInput, match="must be a date like 2026-12-31"):
        parse_use_by(text)


def test_parsing_a_day() -> None:
    assert parse_use_by(" 2026-12-31 ") == DAY
    assert parse_use_by("") is None
    with pytest.raises(InvalidInput, match="must be a date like"):
        check_use_by(parse_use_by("9999-12-31"), "Asia/Makassar", NOW)  # no day after it


def test_scoped_generation_shows_the_use_by_on_the_batch(session: Session) -> None:
    site, profile = make_site(session), make_profile(session)
    admin = AdminUser(username="desa", password_hash="-", role=AdminRole.DESA, sites=[site])
    session.add(admin)
    session.flush()
    scope = scope_of(admin)
    args = {"session": session, "scope": scope, "site_id": site.id, "profile_id": profile.id}
    with pytest.raises(InvalidInput, match="already past"):
        check_generation(**args, count=5000, use_by=DAY, now=END)  # type: ignore[arg-type]
    check_generation(**args, count=5000, use_by=DAY, now=NOW)  # type: ignore[arg-type]
    batch, _ = generate(**args, count=2, use_by=DAY, now=NOW)  # type: ignore[arg-type]
    plain, _ = generate(**args, count=2, now=NOW)  # type: ignore[arg-type]
    assert get_batch(session=session, scope=scope, batch_id=batch.id).use_by == DAY
    assert get_batch(session=session, scope=scope, batch_id=plain.id).use_by is None
    listed = list_batches(session=session, scope=scope).rows
    assert [(b.id, b.use_by) for b in listed] == [(plain.id, None), (batch.id, DAY)]


def _login(session: Session, code: str, site_id: int, mac: str, now: datetime) -> object:
    request = LoginRequest(username=code, verify=lambda s: s == code, mac=mac, site_id=site_id)
    (decision,) = decide_logins(session=session, requests=[request], now=now)
    return decision


def _stored_expiry(session: Session, code: str) -> datetime | None:
    query = select(Account.expires_at).join(Voucher).where(Voucher.code == code)
    session.expire_all()
    return session.scalars(query).one()


def test_radius_accepts_a_card_before_its_day_and_refuses_it_after(session: Session) -> None:
    site = make_site(session)
    profile = make_profile(session, validity_seconds=86_400)  # 1 day from first use
    _, (early, late, never) = make_batch(
        session=session,
        site_code=site.code,
        profile_name=profile.name,
        count=3,
        use_by=DAY,
        now=NOW,
    )
    # Weeks before the day: the paket's full day of validity.
    first = _login(session, early, site.id, "AA:00:00:00:00:01", NOW)
    assert first.accepted  # type: ignore[attr-defined]
    assert _stored_expiry(session, early) == NOW + timedelta(days=1)
    # 31 December, 20:00 WITA: the day of validity is cut at midnight, 4 hours on.
    evening = END - timedelta(hours=4)
    second = _login(session, late, site.id, "AA:00:00:00:00:02", evening)
    assert second.accepted  # type: ignore[attr-defined]
    assert second.limits.session_timeout == 4 * 3600  # type: ignore[attr-defined]
    assert _stored_expiry(session, late) == END
    again = _login(session, late, site.id, "AA:00:00:00:00:02", END)
    assert again.reason is RejectReason.EXPIRED  # type: ignore[attr-defined]
    # Never used by the day: refused from midnight on, and nothing is written.
    refused = _login(session, never, site.id, "AA:00:00:00:00:03", END)
    assert not refused.accepted  # type: ignore[attr-defined]
    assert refused.reason is RejectReason.EXPIRED  # type: ignore[attr-defined]
    assert _stored_expiry(session, never) == END
