"""The real `wifidesa radius --workers 2`: a parent and two forked workers (auth steered to them
by the kernel), started as a separate process and driven over UDP by the router simulator.

Each test starts its own service on free ports, waits until it answers, and stops it with
SIGTERM at the end, which must leave no worker behind and exit with 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch

from radius.dictionary import AcctStatus
from radius.simulator.load import SimReport, client_ip, client_mac, run_clients
from radius.simulator.requests import SimSession
from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.access.tokens import mint_token
from wifidesa.db.models import AcctSession, Profile, SessionStatus, UsageDaily, Voucher
from wifidesa.members.guests import guest_account
from wifidesa.settings import Settings
from wifidesa.usernames import guest_username

from .conftest import SECRET, Village

T = TypeVar("T")
WORKERS = 2
START_TIMEOUT = 60.0
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


def free_udp_ports(count: int) -> list[int]:
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid`, from /proc (field 4 of /proc/PID/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (field 2) is in parentheses and may itself hold spaces or ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def is_running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a zombie runs nothing; init reaps it)."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    auth_port: int
    acct_port: int
    log: Path

    def router(self, *, timeout: float = 10.0, retries: int = 3) -> RouterSimulator:
        """The village router (127.0.0.1) as a simulator."""
        config = SimRouter(
            secret=SECRET,
            auth_port=self.auth_port,
            acct_port=self.acct_port,
            timeout=timeout,
            retries=retries,
        )
        return RouterSimulator(config)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def workers(self) -> list[int]:
        return children_of(self.proc.pid)

    def stop(self) -> int:
        """SIGTERM, and its exit code; kills it (and its workers) if it takes too long."""
        if self.proc.poll() is None:
            workers = self.workers()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                for pid in [self.proc.pid, *workers]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
                pytest.fail(f"did not stop within {STOP_TIMEOUT} s after SIGTERM\n{self.output()}")
        return self.proc.returncode


async def _answers(service: Service) -> bool:
    async with service.router(timeout=0.5, retries=0) as router:
        result = await router.login("probe", "probe", mac=client_mac(9999), ip=client_ip(9999))
    return not result.timed_out


@pytest.fixture
def service(settings: Settings, village: Village, tmp_path: Path) -> Iterator[Service]:
    """`wifidesa radius --workers 2` on free ports, answering; stopped with SIGTERM after."""
    auth_port, acct_port = free_udp_ports(2)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    env.update(
        WIFIDESA_DATABASE_URL=settings.resolved_database_url,
        WIFIDESA_SECRET_KEY=settings.secret_key,
        WIFIDESA_ENV="development",
        WIFIDESA_VAR_DIR=str(tmp_path / "var"),
        WIFIDESA_RADIUS_HOST="127.0.0.1",
        WIFIDESA_RADIUS_AUTH_PORT=str(auth_port),
        WIFIDESA_RADIUS_ACCT_PORT=str(acct_port),
        WIFIDESA_LOG_LEVEL="WARNING",
    )
    log = tmp_path / "radius.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wifidesa.cli.main", "radius", "--workers", str(WORKERS)],
            cwd=tmp_path,  # no stray .env is read
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Service(proc, auth_port, acct_port, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not run(lambda: _answers(running)):
            if proc.poll() is not None:
                pytest.fail(f"exited with {proc.returncode} before answering\n{running.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no answer within {START_TIMEOUT} s\n{running.output()}")
        yield running
    finally:
        workers = running.workers()
        code = running.stop()
        left = [pid for pid in workers if is_running(pid)]
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"workers {left} outlived the parent"
        assert code == 0, running.output()
        assert "ERROR" not in running.output() and "Traceback" not in running.output()


def test_a_burst_of_logins_is_answered_correctly(
    service: Service, village: Village, sessions: sessionmaker[Session]
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
    service: Service, village: Village, sessions: sessionmaker[Session]
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
    service: Service, village: Village, sessions: sessionmaker[Session]
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


def test_sigterm_stops_the_parent_and_every_worker(service: Service) -> None:
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
