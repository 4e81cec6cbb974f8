"""The kick fallback end to end: the real RADIUS service sends an admin's Disconnect-Request to
a router whose CoA port never answers; after its retries the request is recorded as not
answered and a kick is queued; the task worker logs in to the router's API (the RouterOS
double) and removes the user from /ip/hotspot/active."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.ports import free_ports
from wdtest.radius import FakeClock, RunningRadius, running_radius
from wdtest.routeros import PASSWORD

from controllers.connection import RouterConnection
from controllers.double import DoubleRouter, DoubleRunner, RouterState
from controllers.tasks import TaskWorker
from controllers.timeouts import Timeouts
from radius import worker as radius_worker
from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.admin.scope import OPERATOR
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock
from wifidesa.db.models import AcctSession, CoAAction, CoAResult, RouterTask, TaskKind, TaskState
from wifidesa.fleet.targets import ApiTarget
from wifidesa.settings import Settings
from wifidesa.usage.kicks import KICKED
from wifidesa.usage.live_sessions import disconnect

SECRET = "kick-fallback-router-secret"
MAC = "AA:00:00:00:00:05"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def double() -> Iterator[DoubleRouter]:
    router = DoubleRouter(host="127.0.0.1", password=PASSWORD, state=RouterState(identity="desa"))
    with DoubleRunner([router]):
        yield router


@pytest.fixture
def code(sessions: sessionmaker[Session], box: SecretBox, double: DoubleRouter) -> str:
    (silent,) = free_ports(1)  # nothing listens there: no Disconnect is ever answered
    with sessions.begin() as session:
        site = make_site(session, code="desa-k")
        make_router(
            session,
            box,
            site=site,
            ip="127.0.0.1",
            secret=SECRET,
            coa_port=silent,
            api_host=double.host,
            api_port=double.port,
            api_use_ssl=False,
            api_username="admin",
            api_password=PASSWORD,
        )
        profile = make_profile(session, name="harian")
        _, codes = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=1
        )
        return codes[0]


@pytest.fixture
def tasks_worker(
    sessions: sessionmaker[Session], box: SecretBox, db_url: str, clock: FakeClock
) -> Iterator[TaskWorker]:
    def connect(target: ApiTarget) -> RouterConnection:
        return RouterConnection(target, Timeouts(connect=2.0, read=2.0))

    worker = TaskWorker(
        sessions=sessions,
        lock=WriterLock(db_url),
        box=box,
        connect=connect,
        clock=lambda: clock.now,
        schedule_every=None,
    )
    yield worker
    worker.close()


def _row(sessions: sessionmaker[Session]) -> AcctSession:
    with sessions() as session:
        return session.scalars(select(AcctSession)).one()


def _tasks(sessions: sessionmaker[Session]) -> list[tuple[TaskKind, TaskState, str]]:
    with sessions() as session:
        rows = session.scalars(select(RouterTask).order_by(RouterTask.id))
        return [(t.kind, t.state, t.asked_by) for t in rows]


async def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def test_an_unanswered_disconnect_is_done_by_a_kick_over_the_api(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    code: str,
    double: DoubleRouter,
    sessions: sessionmaker[Session],
    writes: sessionmaker[Session],
    clock: FakeClock,
    tasks_worker: TaskWorker,
) -> None:
    monkeypatch.setattr(radius_worker, "HOUSEKEEPING_SECONDS", 3600.0)

    async def scenario(server: RunningRadius) -> None:
        config = SimRouter(
            secret=SECRET, auth_port=server.auth_port, acct_port=server.acct_port, timeout=10.0
        )
        async with RouterSimulator(config) as router:
            login = await router.login(code, code, mac=MAC, ip="10.5.50.5")
            await router.start(login.session)
            # What the router's hotspot holds for that login (the double plays its API).
            double.state.add_active(user=code, mac_address=MAC, address="10.5.50.5")
            double.state.add_active(user="lain", mac_address="AA:00:00:00:00:09", address="1.2.3.4")
            with writes.begin() as session:
                row = session.scalars(select(AcctSession)).one()
                assert disconnect(session=session, scope=OPERATOR, session_id=row.id, now=clock.now)
            # Three tries at 1, 2 and 3 s, then recorded as not answered and a kick queued.
            await _until(lambda: _row(sessions).coa_result is CoAResult.TIMEOUT)

    with running_radius(settings, clock=clock) as server:
        asyncio.run(scenario(server))
    assert _tasks(sessions) == [
        (TaskKind.DISCONNECT, TaskState.FAILED, "cli"),
        (TaskKind.KICK, TaskState.QUEUED, "cli"),
    ]
    assert len(double.state.active) == 2

    assert tasks_worker.round() == 1

    assert [a.user for a in double.state.active] == ["lain"]
    assert _tasks(sessions)[1][:2] == (TaskKind.KICK, TaskState.DONE)
    row = _row(sessions)
    assert (row.coa_action, row.coa_result, row.coa_detail) == (
        CoAAction.DISCONNECT,
        CoAResult.ACK,
        KICKED,
    )
