"""Faults under load, end to end: the RADIUS service killed with SIGKILL and started again, the
database unavailable for seconds (the web service beside RADIUS: test_faults_web.py). The router
(the simulator) does what RouterOS does: resends a record until it is answered.

What must hold: every acknowledged record is stored, none is counted twice (each account's
usage equals its sessions' last counters), nothing is acknowledged that was not stored.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import (
    make_batch,
    make_profile,
    make_router,
    make_site,
)
from wdtest.postgres import PostgresCluster
from wdtest.services import Services, services
from wdtest.stored import stored_problems

from radius.simulator.fuzz_run import FuzzReport, GoodTraffic
from radius.simulator.load import client_ip, client_mac
from radius.simulator.router import RouterSimulator
from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.engine import make_engine, make_session_factory
from wifidesa.places.regions import ensure_reference_regions
from wifidesa.settings import Settings

from .conftest import SECRET, Village

pytestmark = pytest.mark.slow
CLIENTS = 20
LATE = 4  # of them start when the fault has begun
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
    service: Services,
    codes: list[str],
    timeline: Timeline,
    report: FuzzReport,
    fault_begun: asyncio.Event,
    fault_over: asyncio.Event,
) -> dict[str, object]:
    """Each client logs in, then sends records one after another (each resent until answered),
    at least RECORDS and until `fault_over`; the last LATE clients only start once the fault has
    begun, so some records are first sent during it. Returns what the router reported per
    Acct-Session-Id."""
    async with service.router() as router:
        logins = [
            await router.login(code, code, mac=client_mac(n), ip=client_ip(n))
            for n, code in enumerate(codes, 1)
        ]
        assert all(login.accepted for login in logins), logins
        traffic = [TimedTraffic(router, login.session, timeline) for login in logins]

        async def client(one: TimedTraffic) -> None:
            if traffic.index(one) >= len(traffic) - LATE:
                await fault_begun.wait()
            sent = 0
            while sent < RECORDS or not fault_over.is_set():
                await one.step(report)
                await asyncio.sleep(PAUSE)
                sent += 1
            await one.finish(report)

        await asyncio.gather(*(client(one) for one in traffic))
    expected: dict[str, object] = {}
    for one in traffic:
        expected.update(one.expected)
    return expected


Fault = Callable[[Callable[[], None]], None]


def run_with_fault(
    service: Services, codes: list[str], fault: Fault
) -> tuple[FuzzReport, Timeline, dict[str, object]]:
    """The accounting load, and `fault(begun)` (blocking, in a thread) once it is under way;
    the fault calls `begun()` once it is in full effect."""
    report, timeline = FuzzReport(seed=0), Timeline()

    async def scenario() -> dict[str, object]:
        loop = asyncio.get_running_loop()
        fault_begun, fault_over = asyncio.Event(), asyncio.Event()
        load = asyncio.ensure_future(
            accounting_load(service, codes, timeline, report, fault_begun, fault_over)
        )
        while len(timeline.records) < CLIENTS * 3 and not load.done():
            await asyncio.sleep(0.05)
        await asyncio.to_thread(fault, lambda: loop.call_soon_threadsafe(fault_begun.set))
        await asyncio.sleep(1.0)  # and a little more load after it
        fault_over.set()
        return await load

    expected = asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))
    return report, timeline, expected


def test_sigkill_under_accounting_load_loses_and_doubles_nothing(
    service: Services, village: Village, sessions: sessionmaker[Session]
) -> None:
    codes = codes_for(sessions, village)
    service.start()

    def crash(begun: Callable[[], None]) -> None:
        service.kill()
        begun()
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
    # Shorter than the lock: batches fail and the router's resends are what gets them stored.
    service.env["WIFIDESA_SQLITE_BUSY_TIMEOUT_MS"] = "2000"
    service.start()
    window: list[float] = []

    def lock(begun: Callable[[], None]) -> None:
        # Another process's write transaction, held longer than the server waits for it.
        holder = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            window.append(time.monotonic())
            begun()
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


OUTAGE_SECONDS = 5.0


@dataclass
class Outage:
    report: FuzzReport
    timeline: Timeline
    expected: dict[str, object]
    window: tuple[float, float]  # when the server was down (monotonic seconds)
    problems: list[str]  # what is stored against what the router reported
    log: str  # the RADIUS service's output


def postgresql_outage(settings: Settings, box: SecretBox, tmp_path: Path) -> Outage:
    """Accounting load on `wifidesa radius` while PostgreSQL is stopped for OUTAGE_SECONDS and
    started again: a server of its own (stopping the suite's shared one would fail every other
    test), with its own village."""
    with PostgresCluster() as cluster:
        cluster.create_database("faults")
        url = cluster.url_for("faults")
        engine = make_engine(url)
        try:
            schema.upgrade(engine)
            sessions = make_session_factory(engine)
            with sessions.begin() as session:
                ensure_reference_regions(session=session)
                site = make_site(session, code="desa-pg")
                router = make_router(session, box, site=site, ip="127.0.0.1", secret=SECRET)
                make_profile(session, name="harian", interim_interval=300)
                router_id = router.id
            with sessions.begin() as session:
                _, codes = make_batch(
                    session=session, site_code="desa-pg", profile_name="harian", count=CLIENTS
                )
            service = services(
                database_url=url,
                secret_key=settings.secret_key,
                router_secret=SECRET,
                workdir=tmp_path / "service",
            )
            window: list[float] = []

            def outage(begun: Callable[[], None]) -> None:
                cluster.pause()
                window.append(time.monotonic())
                begun()
                time.sleep(OUTAGE_SECONDS)
                window.append(time.monotonic())
                cluster.resume()

            try:
                service.start()
                report, timeline, expected = run_with_fault(service, codes, outage)
            finally:
                service.stop()
            problems = stored_problems(sessions, expected, router_id=router_id)  # type: ignore[arg-type]
            return Outage(
                report, timeline, expected, (window[0], window[1]), problems, service.output()
            )
        finally:
            engine.dispose()


def test_nothing_is_acknowledged_while_postgresql_is_down_and_all_is_stored_once_after(
    settings: Settings, box: SecretBox, db_url: str, tmp_path: Path
) -> None:
    if make_url(db_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's outage; SQLite's lock is the test before")
    outage = postgresql_outage(settings, box, tmp_path)
    start, end = outage.window
    records = outage.timeline.records
    early = [(s, a) for s, a in records if start < s and a is not None and a < end]
    assert early == [], f"{len(early)} records acknowledged while the database was down"
    assert any(start < s < end for s, _ in records), "nothing sent while down"
    assert outage.report.good_acknowledged == outage.report.good_sent, outage.report
    assert outage.problems == []


def test_a_database_outage_is_summarised_in_the_log_not_told_batch_by_batch(
    settings: Settings, box: SecretBox, db_url: str, tmp_path: Path
) -> None:
    if make_url(db_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's outage: every batch fails at once (SQLite waits for its lock)")
    outage = postgresql_outage(settings, box, tmp_path)
    lines = [line for line in outage.log.splitlines() if " ERROR " in line or " WARNING " in line]
    # 20 clients' records resent every second for 5 s: per worker, a line when its batches start
    # failing, a summary while it lasts, one when it ends (and the same for the one worker's
    # check for queued Disconnects) - not one per failed batch (33 lines in 5 s before).
    workers = os.cpu_count() or 1
    bound = 3 * (workers + 1)
    assert len(lines) <= bound, f"{len(lines)} lines for a {OUTAGE_SECONDS:.0f} s outage: {lines}"
