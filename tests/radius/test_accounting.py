"""Accounting over UDP: stored before answered, idempotent, gigawords, Accounting-On, reaper."""

from __future__ import annotations

from datetime import date

import pytest
from pyrad import packet
from pyrad.client import Timeout
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.radius import FakeClock, RunningRadius, client

from wifidesa.db.models import AcctSession, SessionStatus, SiteDeviceDay, UsageDaily

from .conftest import SECRET, Village

GIB4 = 1 << 32


def acct(
    server: RunningRadius,
    status: str,
    sid: str,
    username: str,
    *,
    cls: bytes | None = None,
    octets: tuple[int, int] = (0, 0),
    session_time: int = 0,
    mac: str = "AA:BB:CC:00:00:01",
    cause: str | None = None,
    delay: int = 0,
) -> packet.Packet:
    with client(server, SECRET) as c:
        req = c.CreateAcctPacket(User_Name=username)
        req["Acct-Status-Type"] = status
        if sid:
            req["Acct-Session-Id"] = sid
        req["Calling-Station-Id"] = mac
        req["Framed-IP-Address"] = "10.5.50.23"
        req["Acct-Session-Time"] = session_time
        req["Acct-Input-Octets"] = octets[0] % GIB4
        req["Acct-Input-Gigawords"] = octets[0] >> 32
        req["Acct-Output-Octets"] = octets[1] % GIB4
        req["Acct-Output-Gigawords"] = octets[1] >> 32
        if cls is not None:
            req["Class"] = cls
        if cause:
            req["Acct-Terminate-Cause"] = cause
        if delay:
            req["Acct-Delay-Time"] = delay
        reply = c.SendPacket(req)
    assert reply.code == packet.AccountingResponse
    return reply


def stored(sessions: sessionmaker[Session]) -> list[AcctSession]:
    with sessions() as session:
        return list(session.scalars(select(AcctSession).order_by(AcctSession.id)))


def usage(sessions: sessionmaker[Session]) -> list[tuple[date, int, int, int]]:
    with sessions() as session:
        return [
            (u.day, u.input_octets, u.output_octets, u.session_seconds)
            for u in session.scalars(select(UsageDaily).order_by(UsageDaily.day))
        ]


def test_start_interim_stop_make_one_session_and_count_usage(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    code = village.codes[0]
    acct(server, "Start", "81a00001", code)
    clock.advance(minutes=5)
    acct(server, "Interim-Update", "81a00001", code, octets=(1000, 20_000), session_time=300)
    clock.advance(minutes=5)
    acct(
        server,
        "Stop",
        "81a00001",
        code,
        octets=(3000, 50_000),
        session_time=600,
        cause="User-Request",
    )
    (row,) = stored(sessions)
    assert row.status is SessionStatus.CLOSED
    assert (row.input_octets, row.output_octets, row.session_time) == (3000, 50_000, 600)
    assert row.terminate_cause == "User-Request"
    assert row.mac == "AA:BB:CC:00:00:01" and row.framed_ip == "10.5.50.23"
    assert row.account_id is not None  # found by the voucher code
    assert row.interim_interval == 300
    # The clock starts at 23:50 WITA on March 31st: the Stop falls on April 1st, local time.
    assert usage(sessions) == [
        (date(2026, 3, 31), 1000, 20_000, 300),
        (date(2026, 4, 1), 2000, 30_000, 300),
    ]


def test_class_from_the_accept_finds_the_account(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    acct(server, "Start", "81a00002", "renamed-by-router", cls=b"wd:1")
    assert stored(sessions)[0].account_id == 1


def test_gigawords_count(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    code = village.codes[0]
    acct(server, "Start", "81a00003", code)
    big = 5 * GIB4 + 123
    acct(server, "Interim-Update", "81a00003", code, octets=(GIB4 + 7, big), session_time=60)
    (row,) = stored(sessions)
    assert (row.input_octets, row.output_octets) == (GIB4 + 7, big)


def test_replays_and_late_interims_never_inflate_usage(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    code = village.codes[0]
    acct(server, "Start", "81a00004", code)
    clock.advance(minutes=10)
    acct(server, "Interim-Update", "81a00004", code, octets=(200, 2000), session_time=600)
    acct(server, "Interim-Update", "81a00004", code, octets=(200, 2000), session_time=600)
    acct(server, "Interim-Update", "81a00004", code, octets=(100, 1000), session_time=300)
    acct(server, "Start", "81a00004", code)
    (row,) = stored(sessions)
    assert (row.input_octets, row.output_octets, row.session_time) == (200, 2000, 600)
    assert usage(sessions)[0][1:] == (200, 2000, 600)


def test_session_past_midnight_counts_on_both_days(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    code = village.codes[0]  # clock starts 2026-03-31 23:50 WITA
    acct(server, "Start", "81a00005", code)
    clock.advance(minutes=5)
    acct(server, "Interim-Update", "81a00005", code, octets=(10, 100), session_time=300)
    clock.advance(minutes=10)  # 00:05 WITA on April 1st
    acct(server, "Interim-Update", "81a00005", code, octets=(30, 400), session_time=900)
    assert usage(sessions) == [(date(2026, 3, 31), 10, 100, 300), (date(2026, 4, 1), 20, 300, 600)]


def test_unique_devices_are_counted_by_keyed_hash_not_mac(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    acct(server, "Start", "81a00006", village.codes[0], mac="AA:BB:CC:00:00:01")
    acct(server, "Start", "81a00007", village.codes[1], mac="AA:BB:CC:00:00:02")
    acct(server, "Start", "81a00008", village.codes[0], mac="AA:BB:CC:00:00:01")
    with sessions() as session:
        hashes = session.scalars(select(SiteDeviceDay.device_hash)).all()
    assert len(hashes) == 2
    assert all("AABBCC" not in h.upper() and len(h) == 32 for h in hashes)


def test_accounting_on_closes_that_routers_open_sessions(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    acct(server, "Start", "81a00009", village.codes[0])
    acct(server, "Start", "81a0000a", village.codes[1], mac="AA:BB:CC:00:00:02")
    acct(server, "Stop", "81a0000a", village.codes[1], mac="AA:BB:CC:00:00:02")
    clock.advance(minutes=1)
    acct(server, "Accounting-On", "", "")
    statuses = {r.acct_session_id: (r.status, r.terminate_cause) for r in stored(sessions)}
    assert statuses == {
        "81a00009": (SessionStatus.LOST, "NAS-Reboot"),
        "81a0000a": (SessionStatus.CLOSED, None),
    }


def test_a_session_id_reused_after_a_router_reset_is_a_new_session(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    code = village.codes[0]
    acct(server, "Start", "81a000f1", code)
    clock.advance(minutes=5)
    acct(server, "Stop", "81a000f1", code, octets=(200, 9000), session_time=300)
    clock.advance(minutes=10)
    acct(server, "Accounting-On", "", "")  # the router was reset: it numbers sessions anew
    acct(server, "Start", "81a000f1", code)
    clock.advance(minutes=5)
    acct(server, "Interim-Update", "81a000f1", code, octets=(10, 700), session_time=300)
    # A late copy of the old Start, its Acct-Delay-Time reaching back before the old Stop.
    acct(server, "Start", "81a000f1", code, delay=20 * 60)
    rows = stored(sessions)
    assert [(r.generation, r.status, r.output_octets) for r in rows] == [
        (0, SessionStatus.CLOSED, 9000),
        (1, SessionStatus.OPEN, 700),
    ]
    assert sum(u[2] for u in usage(sessions)) == 9700  # the new session's usage counts


def test_silent_session_is_reaped_after_three_interims_and_revives_on_interim(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    code = village.codes[0]
    acct(server, "Start", "81a0000b", code)  # interim interval 300 s from the profile
    clock.advance(seconds=899)
    assert server.call(lambda: server.worker.housekeep_now(force_reap=True)) == 0
    clock.advance(seconds=2)
    assert server.call(lambda: server.worker.housekeep_now(force_reap=True)) == 1
    (row,) = stored(sessions)
    assert (row.status, row.terminate_cause) == (SessionStatus.LOST, "Lost-Service")
    acct(server, "Interim-Update", "81a0000b", code, octets=(5, 50), session_time=901)
    assert stored(sessions)[0].status is SessionStatus.OPEN


def test_open_sessions_count_against_devices_at_once(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    from wdtest.radius import auth_request

    code = village.codes[0]
    # The voucher is bound to ...:01; a session of ...:01 is open. The same device may log in
    # again (its old session will end), which is what a phone does after losing Wi-Fi.
    acct(server, "Start", "81a0000c", code, mac="AA:BB:CC:00:00:01")
    with client(server, SECRET) as c:
        reply = c.SendPacket(auth_request(c, code, code, mac="AA:BB:CC:00:00:01"))
    assert reply.code == packet.AccessAccept


def test_accounting_for_an_unknown_user_is_stored_without_usage(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    acct(server, "Start", "81a0000d", "nobody")
    acct(server, "Interim-Update", "81a0000d", "nobody", octets=(5, 5), session_time=10)
    (row,) = stored(sessions)
    assert row.account_id is None and row.input_octets == 5
    assert usage(sessions) == []


def test_accounting_from_an_unknown_router_is_not_answered(
    server: RunningRadius, village: Village, sessions: sessionmaker[Session]
) -> None:
    with client(server, SECRET, source="127.0.0.9", timeout=0.5, retries=1) as c:
        req = c.CreateAcctPacket(User_Name="x")
        req["Acct-Status-Type"] = "Start"
        req["Acct-Session-Id"] = "1"
        with pytest.raises(Timeout):
            c.SendPacket(req)
    assert stored(sessions) == []


def test_the_worker_plans_accounting_with_the_values_and_reads_without_begin(
    server: RunningRadius,
) -> None:
    """PostgreSQL: the accounting engine never keeps a generic plan (one made while `sessions`
    was small went on scanning it as it grew); login reads send no BEGIN/COMMIT round trips."""
    worker = server.worker
    if worker.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with worker.engine.connect() as connection:
        mode = connection.exec_driver_sql("SHOW plan_cache_mode").scalar()
        assert mode == "force_custom_plan"
    with worker.reader.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        assert connection.connection.dbapi_connection.info.transaction_status == 0  # IDLE
