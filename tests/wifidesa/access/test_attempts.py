"""Failed logins counted in the database: windows, ceilings, the admins' doubling block, sweeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.access import attempts
from wifidesa.access.attempts import Counter
from wifidesa.db.engine import transaction
from wifidesa.db.models import LoginFailure

# Fabricated on purpose: 23:55 UTC is 07:55 WITA the next day, so a window crosses midnight.
NOW = datetime(2026, 5, 1, 23, 55, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _mac(n: int) -> str:
    return f"AA:BB:CC:00:{n // 256:02X}:{n % 256:02X}"


def _fail(session: Session, counters: list[Counter], at: datetime) -> datetime | None:
    return attempts.record_failure(session=session, counters=counters, now=at)


def _blocked(session: Session, counters: list[Counter], at: datetime) -> datetime | None:
    return attempts.blocked_until(session=session, counters=counters, now=at)


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LoginFailure)) or 0


def test_five_wrong_codes_block_the_device_to_the_end_of_the_window(session: Session) -> None:
    phone = attempts.portal_counters(router="desa-p-1", mac=_mac(1))
    for n in range(4):
        assert _fail(session, phone, NOW + n * MINUTE) is None
    assert _blocked(session, phone, NOW + 4 * MINUTE) is None
    assert _fail(session, phone, NOW + 4 * MINUTE) == NOW + 10 * MINUTE
    assert _blocked(session, phone, NOW + 9 * MINUTE) == NOW + 10 * MINUTE
    assert _blocked(session, phone, NOW + 10 * MINUTE) is None


def test_another_device_at_the_same_router_is_not_blocked(session: Session) -> None:
    for _ in range(5):
        _fail(session, attempts.portal_counters(router="desa-p-1", mac=_mac(1)), NOW)
    other = attempts.portal_counters(router="desa-p-1", mac=_mac(2))
    assert _blocked(session, other, NOW) is None


def test_macs_are_counted_however_they_are_written(session: Session) -> None:
    for mac in ("aa-bb-cc-00-00-01", "AABBCC000001", "aa:bb:cc:00:00:01", "AA:BB:CC:00:00:01"):
        _fail(session, attempts.portal_counters(router="desa-p-1", mac=mac), NOW)
    assert _fail(session, attempts.portal_counters(router="desa-p-1", mac=_mac(1)), NOW)


def test_the_router_ceiling_stops_a_scan_through_one_router_only(session: Session) -> None:
    for n in range(attempts.PORTAL_ROUTER.failures - 1):
        assert _fail(session, attempts.portal_counters(router="desa-p-1", mac=_mac(n)), NOW) is None
    last = attempts.portal_counters(router="desa-p-1", mac=_mac(999))
    assert _fail(session, last, NOW) == NOW + attempts.PORTAL_ROUTER.window
    fresh_phone = attempts.portal_counters(router="desa-p-1", mac=_mac(1000))
    assert _blocked(session, fresh_phone, NOW) == NOW + attempts.PORTAL_ROUTER.window
    next_village = attempts.portal_counters(router="desa-q-1", mac=_mac(1000))
    assert _blocked(session, next_village, NOW) is None


def test_a_success_forgets_the_device_but_not_the_router_ceiling(session: Session) -> None:
    phone = attempts.portal_counters(router="desa-p-1", mac=_mac(1))
    for _ in range(4):
        _fail(session, phone, NOW)
    attempts.record_success(session=session, counters=phone)
    assert session.get(LoginFailure, phone[0].key) is None
    ceiling = session.get(LoginFailure, attempts.router_ceiling(router="desa-p-1").key)
    assert ceiling is not None and ceiling.count == 4
    for _ in range(4):
        assert _fail(session, phone, NOW) is None  # counting starts again


def test_a_new_window_starts_counting_again(session: Session) -> None:
    phone = attempts.portal_counters(router="desa-p-1", mac=_mac(1))
    for _ in range(4):
        _fail(session, phone, NOW)
    later = NOW + attempts.PORTAL_DEVICE.window
    for n in range(4):
        assert _fail(session, phone, later + n * MINUTE) is None
    assert session.get(LoginFailure, phone[0].key).count == 4  # type: ignore[union-attr]


def test_an_admins_block_doubles_and_is_capped(session: Session) -> None:
    guess = attempts.admin_counters(username="desa-a", address="203.0.113.9")
    at = NOW
    for _ in range(4):
        assert _fail(session, guess, at) is None
    blocks = []
    for _ in range(9):
        until = _fail(session, guess, at)
        assert until is not None and _blocked(session, guess, at) == until
        blocks.append(until - at)
        at = until  # the next guess comes as soon as the block ends
    assert blocks == [MINUTE * n for n in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


def test_an_admin_blocked_at_one_address_may_sign_in_from_another(session: Session) -> None:
    for _ in range(5):
        _fail(session, attempts.admin_counters(username="desa-a", address="203.0.113.9"), NOW)
    elsewhere = attempts.admin_counters(username="desa-a", address="198.51.100.7")
    assert _blocked(session, elsewhere, NOW) is None
    other_admin = attempts.admin_counters(username="desa-b", address="203.0.113.9")
    assert _blocked(session, other_admin, NOW) is None


def test_one_address_trying_every_admin_name_meets_its_ceiling(session: Session) -> None:
    for n in range(attempts.ADMIN_ADDRESS.failures):
        _fail(session, attempts.admin_counters(username=f"admin-{n}", address="203.0.113.9"), NOW)
    untried = attempts.admin_counters(username="desa-a", address="203.0.113.9")
    assert _blocked(session, untried, NOW) == NOW + attempts.ADMIN_ADDRESS.window


def test_keys_keep_no_admin_name_and_no_long_client_field(session: Session) -> None:
    typed = "my-Secret-password"
    admin = attempts.admin_at_address(username=typed, address="203.0.113.9")
    assert typed not in admin.key
    device = attempts.device_at_router(router="x" * 500, mac=None)
    assert len(device.key) <= 160
    _fail(session, [admin, device], NOW)  # both fit the column


def test_the_sweep_deletes_ended_rows_only(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No sweep of its own while the rows are made: the process's 100th failure, whichever
    # test records it, sweeps (seen with the tests spread over two workers).
    monkeypatch.setattr(attempts, "SWEEP_EVERY", 10**9)
    for n in range(3):  # three devices and their router, ended after ten minutes
        _fail(session, attempts.portal_counters(router="desa-p-1", mac=_mac(n)), NOW)
    ended = attempts.admin_at_address(username="desa-b", address="203.0.113.9")
    _fail(session, [ended], NOW)
    blocked = attempts.admin_at_address(username="desa-a", address="203.0.113.9")
    for _ in range(4):
        _fail(session, [blocked], NOW)
    end_of_day = NOW + attempts.ADMIN_AT_ADDRESS.window
    _fail(session, [blocked], end_of_day - timedelta(seconds=30))  # blocked past the window
    recent = attempts.portal_counters(router="desa-q-1", mac=_mac(1))
    _fail(session, recent, end_of_day - 5 * MINUTE)
    assert _rows(session) == 4 + 1 + 1 + 2
    assert attempts.sweep(session=session, now=end_of_day) == 4 + 1
    kept = set(session.scalars(select(LoginFailure.key)))
    assert kept == {blocked.key, *(c.key for c in recent)}
    assert _blocked(session, [blocked], end_of_day) == end_of_day + timedelta(seconds=30)


def test_failures_sweep_ended_rows_now_and_then(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attempts, "SWEEP_EVERY", 1)
    for n in range(20):
        _fail(session, attempts.portal_counters(router="desa-p-1", mac=_mac(n)), NOW)
    later = NOW + timedelta(hours=1)
    _fail(session, attempts.portal_counters(router="desa-p-1", mac=_mac(1)), later)
    assert _rows(session) == 2  # this device and the router: the rest were swept


def test_two_sessions_share_counts(sessions: sessionmaker[Session]) -> None:
    phone = attempts.portal_counters(router="desa-p-1", mac=_mac(1))
    for _ in range(5):
        with transaction(sessions) as session:  # as if each came through another worker
            _fail(session, phone, NOW)
    with sessions() as session:
        assert _blocked(session, phone, NOW) == NOW + attempts.PORTAL_DEVICE.window


def test_a_database_that_cannot_count_lets_the_attempt_through(
    engine: Engine, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE login_failures")
    phone = attempts.portal_counters(router="desa-p-1", mac=_mac(1))
    for operation in (attempts.blocked_until, attempts.record_failure):
        result = attempts.guarded(sessions, operation, counters=phone, now=NOW, fallback=None)
        assert result is None
    assert "login limiter: record_failure failed" in caplog.text
