"""Voucher codes: unambiguous alphabet, enough entropy, unique, fast in bulk."""

import math
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_site

from wifidesa.db.models import Account, AccountKind, AuditEntry, Voucher
from wifidesa.errors import InvalidInput, NotFound
from wifidesa.usernames import normalize_code
from wifidesa.vouchers import codes as vouchers
from wifidesa.vouchers.codes import (
    ALPHABET,
    CODE_LENGTH,
    format_code,
    new_codes,
    random_code,
)


def test_alphabet_has_no_look_alikes() -> None:
    for confusable in "0O1Il":
        assert confusable not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET)


def test_codes_carry_at_least_40_bits() -> None:
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 40
    assert vouchers.ENTROPY_BITS >= 40


def test_random_codes_use_only_the_alphabet() -> None:
    codes = [random_code() for _ in range(2000)]
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    # Every symbol shows up: the generator is not stuck on a subset.
    assert set("".join(codes)) == set(ALPHABET)


def test_typed_codes_are_normalised() -> None:
    assert normalize_code(" abcde-fghjk ") == "ABCDEFGHJK"
    assert format_code("ABCDEFGHJK") == "ABCDE-FGHJK"
    assert format_code("KKABCDEFGHJK") == "KK-ABCDE-FGHJK"


def test_batch_creates_voucher_accounts_for_site_and_profile(session: Session) -> None:
    site = make_site(session)
    profile = make_profile(session)
    batch, codes = make_batch(
        session=session, site_code=site.code, profile_name=profile.name, count=25, prefix="kb"
    )
    assert len(codes) == len(set(codes)) == 25
    assert all(c.startswith("KB") and len(c) == CODE_LENGTH + 2 for c in codes)
    stored = session.scalars(select(Voucher).where(Voucher.batch_id == batch.id)).all()
    assert sorted(v.code for v in stored) == codes
    for voucher in stored:
        assert voucher.account.kind is AccountKind.VOUCHER
        assert (voucher.account.site_id, voucher.account.profile_id) == (site.id, profile.id)
        assert voucher.account.first_used_at is None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vouchers.generate"))
    assert entry.one().detail == {"count": 25, "profile": profile.name}


def test_new_codes_skip_codes_that_exist_already(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(session)
    profile = make_profile(session)
    _, (existing,) = make_batch(
        session=session, site_code=site.code, profile_name=profile.name, count=1
    )
    # A generator that keeps offering the taken code before fresh ones.
    offers = iter([existing, existing, "ABCDEFGHJK", existing, "BCDEFGHJKM"])
    monkeypatch.setattr(vouchers, "random_code", lambda prefix="": next(offers))
    assert new_codes(session=session, count=2) == ["ABCDEFGHJK", "BCDEFGHJKM"]


def test_ten_thousand_codes_are_unique_and_stored_quickly(session: Session) -> None:
    # A sanity bound, five times the target: the number itself is measured by
    # `make bench-vouchers` and reported in the README. It is this process's CPU time, not the
    # wall clock, so other work on a busy machine cannot fail it (SQLite runs in-process; a
    # PostgreSQL server's share is not counted, its round trips are few and batched).
    site = make_site(session)
    profile = make_profile(session)
    session.commit()
    started = time.process_time()
    _, codes = make_batch(
        session=session, site_code=site.code, profile_name=profile.name, count=10_000
    )
    session.commit()
    spent = time.process_time() - started
    assert len(set(codes)) == 10_000
    assert session.scalar(select(func.count()).select_from(Voucher)) == 10_000
    assert session.scalar(select(func.count()).select_from(Account)) == 10_000
    assert spent < 10, f"10,000 vouchers took {spent:.1f} s of CPU"


@pytest.mark.parametrize(
    ("count", "prefix", "message"),
    [
        (0, "", "count must be between"),
        (50_001, "", "count must be between"),
        (5, "TOOLONG", "prefix"),
        (5, "O0", "prefix"),
    ],
)
def test_bad_batch_requests_are_refused(
    session: Session, count: int, prefix: str, message: str
) -> None:
    site = make_site(session)
    profile = make_profile(session)
    with pytest.raises(InvalidInput, match=message):
        make_batch(
            session=session,
            site_code=site.code,
            profile_name=profile.name,
            count=count,
            prefix=prefix,
        )


def test_unknown_site_or_profile(session: Session) -> None:
    profile = make_profile(session)
    with pytest.raises(NotFound, match="no site"):
        make_batch(session=session, site_code="nope", profile_name=profile.name, count=1)
    site = make_site(session)
    with pytest.raises(NotFound, match="no profile"):
        make_batch(session=session, site_code=site.code, profile_name="nope", count=1)


def test_large_batches_leave_fresh_planner_statistics(session: Session, backend: str) -> None:
    from sqlalchemy import text

    site = make_site(session)
    profile = make_profile(session)
    make_batch(session=session, site_code=site.code, profile_name=profile.name, count=1000)
    if backend == "postgresql":  # SQLite plans without statistics: nothing to refresh there
        estimate = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'vouchers'"))
        assert estimate == 1000
