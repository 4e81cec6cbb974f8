"""Faults under load, end to end: the RADIUS service killed with SIGKILL and started again, the
database unavailable for seconds, the web service beside RADIUS on one SQLite file. The router
(the simulator) does what RouterOS does: resends a record until it is answered.

What must hold: every acknowledged record is stored, none is counted twice (each account's
usage equals its sessions' last counters), nothing is acknowledged that was not stored.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch
from wdtest.services import Services, services
from wdtest.stored import stored_problems

from radius.simulator.fuzz_run import FuzzReport, GoodTraffic
from radius.simulator.load import client_ip, client_mac
from radius.simulator.router import RouterSimulator
from wifidesa.settings import Settings

from .conftest import SECRET, Village

pytestmark = pytest.mark.slow
CLIENTS = 20
RECORDS = 14  # per client: two whole sessions (Start, 4 interims, Stop) and part of a third
PAUSE = 0.1  # between one client's records: load that lasts a few seconds
SCENARIO_TIMEOUT = 240.0


@dataclass
class Timeline:
    """When each record was first sent and when it was acknowledged (monotonic seconds)."""

    records: list[tuple[float, float | None]] = field(default_factory=list)


class TimedTraffic(GoodTraffic):
    """GoodTraffic that notes when each record went out and when its answer came."""

    def __init__(self, router: RouterSimulator, session: object, timeline: Timeline) -> None:
        super().__init__(router, [session], interims=4)  # type: ignore[list-item]
        self.timeline = timeline

    async def step(self, report: FuzzReport) -> None:
        sent = time.monotonic()
        acknowledged = report.good_acknowledged
        await super().step(report)
        answered = time.monotonic() if report.good_acknowledged > acknowledged else None
        self.timeline.records.append((sent, answered))


@pytest.fixture
def service(settings: Settings, village: Village, tmp_path: Path) -> Iterator[Services]:
    """`wifidesa radius` (a worker per core, as in production) on free ports, not started."""
    running = services(
        database_url=settings.resolved_database_url,
        secret_key=settings.secret_key,
        router_secret=SECRET,
        workdir=tmp_path / "service",
    )
    try:
        yield running
    finally:
        running.stop()


def codes_for(sessions: sessionmaker[Session], village: Village) -> list[str]:
    with sessions.begin() as session:
        _, codes = make_batch(
            session=session,
            site_code=village.site_code,
            profile_name=village.profile,
            count=CLIENTS,
        )
    return codes


async def accounting_load(
    service: Services, codes: list[str], timeline: Timeline, report: FuzzReport
) -> dict[str, object]:
    """Each client logs in, then sends RECORDS records one after another (each resent until
    answered); returns what the router reported per Acct-Session-Id."""
    async with service.router() as router:
        logins = [
            await router.login(code, code, mac=client_mac(n), ip=client_ip(n))
            for n, code in enumerate(codes, 1)
        ]
        assert all(login.accepted for login in logins), logins
        traffic = [TimedTraffic(router, login.session, timeline) for login in logins]

        async def client(one: TimedTraffic) -> None:
            for _ in range(RECORDS):
                await one.step(report)
                await asyncio.sleep(PAUSE)
            await one.finish(report)

        await asyncio.gather(*(client(one) for one in traffic))
    expected: dict[str, object] = {}
    for one in traffic:
        expected.update(one.expected)
    return expected


def run_with_fault(
    service: Services, codes: list[str], fault: object
) -> tuple[FuzzReport, Timeline, dict[str, object]]:
    """The accounting load, and `fault()` (blocking, in a thread) once it is under way."""
    report, timeline = FuzzReport(seed=0), Timeline()

    async def scenario() -> dict[str, object]:
        load = asyncio.ensure_future(accounting_load(service, codes, timeline, report))
        while len(timeline.records) < CLIENTS * 3 and not load.done():
            await asyncio.sleep(0.05)
        await asyncio.to_thread(fault)  # type: ignore[arg-type]
        return await load

    expected = asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))
    return report, timeline, expected


def test_sigkill_under_accounting_load_loses_and_doubles_nothing(
    service: Services, village: Village, sessions: sessionmaker[Session]
) -> None:
    codes = codes_for(sessions, village)
    service.start()

    def crash() -> None:
        service.kill()
        time.sleep(1.0)  # the router keeps resending into the void
        service.start()

    report, _, expected = run_with_fault(service, codes, crash)
    assert service.killed, "nothing was killed"
    print(f"{report.good_sent} records, {report.good_retransmissions} resent")
    assert report.good_acknowledged == report.good_sent, report
    assert stored_problems(sessions, expected, router_id=village.router_id) == []  # type: ignore[arg-type]
    assert "Traceback" not in service.output().split("== start 2")[-1], service.output()


LOCKED_SECONDS = 5.0


def test_nothing_is_acknowledged_while_sqlite_is_locked_and_all_is_stored_once_after(
    service: Services,
    village: Village,
    sessions: sessionmaker[Session],
    db_url: str,
) -> None:
    if make_url(db_url).get_backend_name() != "sqlite":
        pytest.skip("the SQLite lock; PostgreSQL's outage is the next test")
    codes = codes_for(sessions, village)
    service.start()
    window: list[float] = []
    locked = threading.Event()

    def lock() -> None:
        # Another process's write transaction, held longer than the server waits for it.
        holder = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            window.append(time.monotonic())
            locked.set()
            time.sleep(LOCKED_SECONDS)
            window.append(time.monotonic())
            holder.execute("ROLLBACK")
        finally:
            holder.close()

    report, timeline, expected = run_with_fault(service, codes, lock)
    start, end = window
    during = [a for s, a in timeline.records if start < s < end]
    print(f"{len(during)} records sent while locked, {report.good_retransmissions} resent")
    # A record first sent while the lock was held cannot have been stored before it ended.
    early = [(s, a) for s, a in timeline.records if start < s and a is not None and a < end]
    assert early == [], f"{len(early)} records acknowledged while nothing could be stored"
    assert any(start < s < end for s, _ in timeline.records), "no record was sent while locked"
    assert report.good_acknowledged == report.good_sent, report
    assert stored_problems(sessions, expected, router_id=village.router_id) == []  # type: ignore[arg-type]
