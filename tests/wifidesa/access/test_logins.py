"""Batch decisions against the database: read-only attempts, and effects within one batch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_site

from wifidesa.access.logins import (
    LoginRequest,
    WritesNeeded,
    account_class,
    account_from_class,
    decide_logins,
    throttled_in_class,
)
from wifidesa.access.rules import RejectReason
from wifidesa.access.ways import LoginKind

NOW = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)


def _voucher(session: Session, devices: int = 1) -> tuple[int, str]:
    site = make_site(session)
    profile = make_profile(session, devices_at_once=devices)
    _, (code,) = make_batch(
        session=session, site_code=site.code, profile_name=profile.name, count=1
    )
    return site.id, code


def req(code: str, site_id: int, mac: str) -> LoginRequest:
    return LoginRequest(username=code, verify=lambda s: s == code, mac=mac, site_id=site_id)


def test_read_only_attempt_asks_for_a_write_on_first_use_only(session: Session) -> None:
    site_id, code = _voucher(session)
    with pytest.raises(WritesNeeded):
        decide_logins(
            session=session,
            requests=[req(code, site_id, "AA:00:00:00:00:01")],
            now=NOW,
            read_only=True,
        )
    (first,) = decide_logins(
        session=session, requests=[req(code, site_id, "AA:00:00:00:00:01")], now=NOW
    )
    assert first.accepted and first.kind is LoginKind.VOUCHER
    (again,) = decide_logins(
        session=session, requests=[req(code, site_id, "AA:00:00:00:00:01")], now=NOW, read_only=True
    )
    assert again.accepted and again.account_id == first.account_id
    assert again.kind is LoginKind.VOUCHER


def test_two_devices_racing_in_one_batch_bind_only_the_first(session: Session) -> None:
    site_id, code = _voucher(session, devices=1)
    decisions = decide_logins(
        session=session,
        now=NOW,
        requests=[req(code, site_id, "AA:00:00:00:00:01"), req(code, site_id, "AA:00:00:00:00:02")],
    )
    assert [d.accepted for d in decisions] == [True, False]
    assert decisions[1].reason is RejectReason.OTHER_DEVICE and decisions[1].kind is None


def test_the_class_names_the_account_and_whether_it_was_throttled() -> None:
    assert account_from_class(account_class(42)) == 42
    assert account_from_class(account_class(42, throttled=True)) == 42
    assert not throttled_in_class(account_class(42))
    assert throttled_in_class(account_class(42, throttled=True))
    for forged in (b"wd:/t", b"wd:x/t", b"/t", b"wd:-1/t", b"wd:42/t/t", None):
        assert not throttled_in_class(forged), forged
