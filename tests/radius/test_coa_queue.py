"""Disconnects that admins queue leave within a second or two, and a request cut short by a
restart of the RADIUS service does not stay "pending" for good. (A request in flight is a
router task claimed by its sender, the session saying "pending": what a killed sender leaves.)"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.radius import FakeClock, RunningRadius, running_radius

from radius import worker
from radius.simulator.coa import CoAKind
from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AcctSession, CoAAction, CoAResult, Router, TaskKind
from wifidesa.fleet import tasks
from wifidesa.settings import Settings
from wifidesa.usage.coa_requests import request_disconnect

SECRET = "coa-queue-router-secret-7"


@pytest.fixture
def codes(sessions: sessionmaker[Session], box: SecretBox) -> list[str]:
    with sessions.begin() as session:
        site = make_site(session, code="desa-c")
        make_router(session, box, site=site, ip="127.0.0.1", secret=SECRET)
        profile = make_profile(session, name="harian")
        _, codes = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=2
        )
        return codes


@pytest.fixture
def no_housekeeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Housekeeping (every 15 s) also sends queued requests: kept out of these tests' way."""
    monkeypatch.setattr(worker, "HOUSEKEEPING_SECONDS", 3600.0)


def _sim(server: RunningRadius) -> RouterSimulator:
    config = SimRouter(
        secret=SECRET,
        auth_port=server.auth_port,
        acct_port=server.acct_port,
        timeout=10.0,
        retries=2,
    )
    return RouterSimulator(config)


def _set_coa_port(sessions: sessionmaker[Session], server: RunningRadius, port: int) -> None:
    with sessions.begin() as session:
        session.execute(update(Router).values(coa_port=port))
    server.refresh()


def _cut_short(sessions: sessionmaker[Session], action: CoAAction, at: datetime) -> None:
    """The service was sending `action` (claimed at `at`) when it was killed: still pending."""
    with sessions.begin() as session:
        row = session.scalars(select(AcctSession)).one()
        tasks.queue(
            session=session,
            router_id=row.router_id,
            kind=TaskKind(action.value),
            now=at,
            asked_by="quota",
            session_id=row.id,
            claim=tasks.new_claim(),
        )
        session.execute(
            update(AcctSession).values(coa_action=action, coa_result=CoAResult.PENDING, coa_at=at)
        )


def _row(sessions: sessionmaker[Session]) -> AcctSession:
    with sessions() as session:
        (row,) = session.scalars(select(AcctSession)).all()
        return row


async def _until(check: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def test_an_admins_disconnect_leaves_within_seconds_not_at_housekeeping(
    no_housekeeping: None,
    settings: Settings,
    codes: list[str],
    sessions: sessionmaker[Session],
    clock: FakeClock,
) -> None:
    async def scenario(server: RunningRadius) -> None:
        async with _sim(server) as router:
            listener = await router.start_coa_listener(0)
            _set_coa_port(sessions, server, listener.port)
            login = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:05", ip="10.5.0.5")
            await router.start(login.session)
            with sessions.begin() as session:
                row = session.scalars(select(AcctSession)).one()
                assert request_disconnect(session=session, session_id=row.id, now=clock.now)
            (event,) = await router.wait_for_coa(1, timeout=15)  # polled every second
            assert event.kind is CoAKind.DISCONNECT
            await _until(lambda: _row(sessions).coa_result is CoAResult.ACK)

    with running_radius(settings, clock=clock) as server:
        asyncio.run(scenario(server))


def test_a_disconnect_cut_short_by_a_restart_is_sent_again_after_it(
    no_housekeeping: None,
    settings: Settings,
    codes: list[str],
    sessions: sessionmaker[Session],
    clock: FakeClock,
) -> None:
    async def before_the_crash(server: RunningRadius) -> None:
        async with _sim(server) as router:
            login = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:05", ip="10.5.0.5")
            await router.start(login.session)

    async def after_the_restart(server: RunningRadius) -> None:
        async with _sim(server) as router:
            listener = await router.start_coa_listener(0)
            _set_coa_port(sessions, server, listener.port)
            (event,) = await router.wait_for_coa(1, timeout=15)
            assert event.kind is CoAKind.DISCONNECT
            await _until(lambda: _row(sessions).coa_result is CoAResult.ACK)

    with running_radius(settings, clock=clock) as server:
        asyncio.run(before_the_crash(server))
    # The service was sending the admin's Disconnect when it was killed: still "pending".
    _cut_short(sessions, CoAAction.DISCONNECT, clock.now - timedelta(minutes=5))
    with sessions.begin() as session:
        row = session.scalars(select(AcctSession)).one()
        assert not request_disconnect(session=session, session_id=row.id, now=clock.now)
    with running_radius(settings, clock=clock) as server:
        asyncio.run(after_the_restart(server))


def test_a_throttle_cut_short_by_a_restart_is_decided_again(
    no_housekeeping: None,
    settings: Settings,
    codes: list[str],
    sessions: sessionmaker[Session],
    clock: FakeClock,
) -> None:
    async def login(server: RunningRadius) -> None:
        async with _sim(server) as router:
            started = await router.login(codes[1], codes[1], mac="AA:00:00:00:00:06", ip="10.5.0.6")
            await router.start(started.session)

    with running_radius(settings, clock=clock) as server:
        asyncio.run(login(server))
        _cut_short(sessions, CoAAction.THROTTLE, clock.now - timedelta(minutes=5))
        # Forgotten, for the quota check to decide afresh (this account is not over quota).
        asyncio.run(_until(lambda: _row(sessions).coa_result is None, 15))
    row = _row(sessions)
    assert row.coa_action is None and not row.throttled
    with sessions.begin() as session:  # and the admin may disconnect it now
        assert request_disconnect(session=session, session_id=row.id, now=clock.now)
