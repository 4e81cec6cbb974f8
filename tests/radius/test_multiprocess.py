"""The real `wifidesa radius --workers 2`: a parent and two forked workers (auth steered to them
by the kernel), started as a separate process and driven over UDP by the router simulator.

Each test starts its own service on free ports, waits until it answers, and stops it with
SIGTERM at the end, which must leave no worker behind and exit with 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch
from wdtest.radius_service import RadiusService, is_running, radius_service

from radius.dictionary import AcctStatus
from radius.simulator.load import SimReport, client_ip, client_mac, run_clients
from radius.simulator.requests import SimSession
from radius.simulator.router import RouterSimulator
from wifidesa.access.tokens import mint_token
from wifidesa.db.models import AcctSession, Profile, SessionStatus, UsageDaily, Voucher
from wifidesa.members.guests import guest_account
from wifidesa.settings import Settings
from wifidesa.usernames import guest_username

from .conftest import SECRET, Village

T = TypeVar("T")
WORKERS = 2
STOP_TIMEOUT = 30.0
SCENARIO_TIMEOUT = 60.0

# Each test starts the whole service as processes: end to end, left out of make test-fast.
pytestmark = pytest.mark.slow
WORD = 2**32
WRONG_CODE = "Kode voucher atau kata sandi salah."


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario, bounded so a hang fails instead of stalling the suite."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), SCENARIO_TIMEOUT)

    return asyncio.run(bounded())


@pytest.fixture
def service(settings: Settings, village: Village, tmp_path: Path) -> Iterator[RadiusService]:
    """`wifidesa radius --workers 2` on free ports, answering; stopped with SIGTERM after, which
    must leave no worker behind, exit with 0 and log no error."""
    env = {"WIFIDESA_LOG_LEVEL": "WARNING"}
    with radius_service(settings, tmp_path, secret=SECRET, workers=WORKERS, env=env) as running:
        workers = running.workers()
        yield running
        code = running.stop()
    left = [pid for pid in workers if is_running(pid)]
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived the parent"
    assert code == 0, running.output()
    assert "ERROR" not in running.output() and "Traceback" not in running.output()


def test_a_burst_of_logins_is_answered_correctly(
    service: RadiusService, village: Village, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        _, codes = make_batch(
            session=session, site_code=village.site_code, profile_name=village.profile, count=200
        )
    unknown = [f"ZZZZZZZ{n:03d}" for n in range(20)]

    async def burst() -> SimReport:
        async with service.router() as router:
            # All at once: one client (one MAC) per code, each logs in, starts and stops.
            return await run_clients(router, [*codes, *unknown], interims=0, concurrency=250)

    report = run(burst)
    assert report.accepted == 200, report
    assert report.reject_reasons == {WRONG_CODE: 20}, report
    assert report.timeouts == report.unfinished == report.invalid_replies == 0, report
    assert report.missing_message_authenticator == 0, report
    assert report.accounting_acknowledged == report.accounting_sent == 400, report
    with sessions() as session:
        stored = session.execute(
            select(
                AcctSession.status,
                func.count(),
                func.count(func.distinct(AcctSession.account_id)),
            ).group_by(AcctSession.status)
        ).all()
    assert stored == [(SessionStatus.CLOSED, 200, 200)]


def test_a_retransmission_gets_the_same_reply_not_a_new_decision(
    service: RadiusService, village: Village, sessions: sessionmaker[Session]
) -> None:
    # One-time tokens: deciding a copy again would refuse the spent token, so an identical
    # Accept proves the copy reached the worker that holds the answer. 20 of them, so both
    # workers see some (routing is by hash).
    macs = [client_mac(n) for n in range(1, 21)]
    with sessions.begin() as session:
        profile = session.scalars(select(Profile).where(Profile.name == village.profile)).one()
        tokens = [
            mint_token(
                session=session,
                account_id=guest_account(
                    session=session, site_id=village.site_id, profile_id=profile.id, mac=mac
                ).id,
                now=datetime.now(UTC),
                router_id=village.router_id,
                mac=mac,
            )
            for mac in macs
        ]

    async def twice(router: RouterSimulator, n: int) -> tuple[bytes | None, bytes | None, bool]:
        request = router.access_request(
            guest_username(macs[n]), tokens[n], mac=macs[n], ip=client_ip(n)
        )
        async with router.raw_channel("auth") as channel:
            channel.send(request.raw)
            first = await channel.receive(5)
            channel.send(request.raw)  # the same bytes, from the same address and port
            second = await channel.receive(5)
        parsed = router.parse_login_reply(request, first) if first else None
        return first, second, parsed is not None and parsed.accepted

    async def scenario() -> tuple[list[tuple[bytes | None, bytes | None, bool]], list[str]]:
        async with service.router() as router:
            pairs = await asyncio.gather(*(twice(router, n) for n in range(len(macs))))
            # A new request with a spent token is decided afresh, and refused.
            again = await asyncio.gather(
                *(
                    router.login(guest_username(mac), token, mac=mac, ip=client_ip(n))
                    for n, (mac, token) in enumerate(zip(macs, tokens, strict=True))
                )
            )
        return list(pairs), [r.reply_message or "" for r in again]

    pairs, refusals = run(scenario)
    for first, second, accepted in pairs:
        assert first is not None and accepted
        assert second == first
    assert refusals == [WRONG_CODE] * len(macs)


async def _account_session(router: RouterSimulator, code: str, n: int) -> bool:
    """Login, Start, an Interim-Update sent twice as the same bytes (a retransmission), Stop:
    True if every packet was acknowledged."""
    login = await router.login(code, code, mac=client_mac(n), ip=client_ip(n))
    assert login.accepted, login
    session: SimSession = login.session
    ok = (await router.start(session)).acknowledged
    session.input_octets, session.output_octets, session.session_time = 7_000, WORD + 9_000, 300
    interim = router.accounting_request(AcctStatus.INTERIM_UPDATE, session)
    async with router.raw_channel("acct") as channel:
        channel.send(interim.raw)
        first = await channel.receive(5)
        channel.send(interim.raw)
        second = await channel.receive(5)
    stop = await router.stop(
        session, input_octets=WORD + 1_000, output_octets=3 * WORD + 2_000, session_time=600
    )
    return ok and stop.acknowledged and first is not None and first == second


def test_accounting_is_stored_once_through_the_dispatcher(
    service: RadiusService, village: Village, sessions: sessionmaker[Session]
) -> None:
    async def scenario() -> list[bool]:
        async with service.router() as router:
            return await asyncio.gather(
                *(_account_session(router, code, n) for n, code in enumerate(village.codes, 1))
            )

    assert all(run(scenario))
    with sessions() as session:
        stored = session.scalars(select(AcctSession)).all()
        usage = session.execute(
            select(
                UsageDaily.account_id,
                func.sum(UsageDaily.input_octets),
                func.sum(UsageDaily.output_octets),
                func.sum(UsageDaily.session_seconds),
            ).group_by(UsageDaily.account_id)
        ).all()
        accounts = set(session.scalars(select(Voucher.account_id)))
    assert len(stored) == len(village.codes)
    for row in stored:
        assert row.status is SessionStatus.CLOSED
        assert (row.input_octets, row.output_octets) == (WORD + 1_000, 3 * WORD + 2_000)
        assert row.session_time == 600
    assert {a for a, *_ in usage} == accounts
    assert {tuple(totals) for _, *totals in usage} == {(WORD + 1_000, 3 * WORD + 2_000, 600)}


def test_sigterm_stops_the_parent_and_every_worker(service: RadiusService) -> None:
    workers = service.workers()
    assert len(workers) == WORKERS
    assert all(is_running(pid) for pid in workers)
    assert service.stop() == 0
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(is_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if is_running(pid)] == []
    # Workers share the parent's UDP sockets: a survivor would still hold the ports.
    for port in (service.auth_port, service.acct_port):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", port))


def test_on_sqlite_logins_are_answered_while_the_accounting_worker_waits_for_the_lock(
    service: RadiusService, village: Village, backend: str, db_url: str
) -> None:
    """On SQLite one worker writes all accounting and answers no logins: while another process
    holds the database's write lock (a backup, a migration), its accounting waits, and logins,
    which only read, are answered by the other worker at once."""
    if backend != "sqlite":
        pytest.skip("the write lock of a database file")
    code = village.codes[0]

    async def scenario() -> tuple[list[float], bool]:
        async with service.router(timeout=5.0, retries=0) as router:
            first = await router.login(code, code, mac=client_mac(1), ip=client_ip(1))
            assert first.accepted  # binds the voucher to the device: coming back only reads
            holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                start = asyncio.ensure_future(router.start(first.session))
                await asyncio.sleep(0.2)  # the accounting worker is waiting for the lock
                waits = []
                for _ in range(10):
                    sent = time.monotonic()
                    again = await router.login(code, code, mac=client_mac(1), ip=client_ip(1))
                    assert again.accepted
                    waits.append(time.monotonic() - sent)
                stored_early = start.done()
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            assert (await start).acknowledged  # stored once the lock is free, then answered
            return waits, stored_early

    waits, stored_early = run(scenario)
    assert not stored_early
    assert max(waits) < 2.0, waits  # each answered at once, not after the lock's holder


def test_each_worker_logs_how_fast_it_answered(
    settings: Settings, village: Village, tmp_path: Path
) -> None:
    """From the kernel's receive time to the answer, a line per worker and interval, naming
    the worker (the accounting worker's and the login workers' on SQLite)."""
    env = {"WIFIDESA_LOG_LEVEL": "INFO", "WIFIDESA_RADIUS_LATENCY_LOG_SECONDS": "0.5"}
    with radius_service(settings, tmp_path, secret=SECRET, workers=WORKERS, env=env) as running:

        async def scenario() -> None:
            async with running.router() as router:
                for n, code in enumerate(village.codes[:3], 1):
                    assert await _account_session(router, code, n)
                await asyncio.sleep(0.6)
                assert await _account_session(router, village.codes[3], 4)

        run(scenario)
        running.stop()
        log = running.log.read_text(errors="replace")
        lines = [line for line in log.splitlines() if "radius.latency" in line]
    kinds = " ".join(lines)
    assert "logins p50" in kinds and "accounting p50" in kinds, lines
    assert all(re.search(r"radius\[[01]\] INFO radius\.latency: answered in ", x) for x in lines)
