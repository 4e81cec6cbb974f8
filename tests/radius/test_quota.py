"""Fair use end to end on 127.0.0.1: the simulator is the router (with its CoA port), a voucher
has a small daily quota, interims cross it, and the server throttles or cuts the live session;
the next login is refused or throttled; after 00:00 WITA all is back to normal."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from typing import TypeVar

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.radius import FakeClock, RunningRadius, running_radius

from radius.simulator.coa import CoAKind, CoAMode
from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AcctSession, AfterQuota, CoAAction, CoAResult, Router, SiteDay
from wifidesa.settings import Settings
from wifidesa.stats.dirty import roll_up_dirty
from wifidesa.usage.coa_requests import request_disconnect

SECRET = "quota-router-secret-42"
MB = 1024 * 1024
T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


async def until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Wait for the server's database writes while the simulated router keeps listening."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


@pytest.fixture
def codes(
    request: pytest.FixtureRequest, sessions: sessionmaker[Session], box: SecretBox
) -> list[str]:
    after = getattr(request, "param", AfterQuota.BLOCK)
    with sessions.begin() as session:
        site = make_site(session, code="desa-q")
        make_router(session, box, site=site, ip="127.0.0.1", secret=SECRET)
        profile = make_profile(
            session,
            name="kecil",
            daily_bytes=MB,
            after_quota=after,
            throttle_rate_limit="64k/128k",
            devices_at_once=2,
        )
        return make_batch(session=session, site_code=site.code, profile_name=profile.name, count=3)[
            1
        ]


@pytest.fixture
def server(settings: Settings, codes: list[str], clock: FakeClock) -> Iterator[RunningRadius]:
    with running_radius(settings, clock=clock) as running:
        yield running


def _coa_port(sessions: sessionmaker[Session], server: RunningRadius, port: int) -> None:
    with sessions.begin() as session:
        session.execute(update(Router).values(coa_port=port))
    server.refresh()


def _rows(sessions: sessionmaker[Session]) -> list[AcctSession]:
    with sessions() as session:
        return list(session.scalars(select(AcctSession).order_by(AcctSession.id)))


def sim(server: RunningRadius) -> RouterSimulator:
    return RouterSimulator(
        SimRouter(
            secret=SECRET,
            auth_port=server.auth_port,
            acct_port=server.acct_port,
            timeout=10.0,
            retries=2,
        )
    )


def test_login_carries_what_is_left_of_the_quota(server: RunningRadius, codes: list[str]) -> None:
    async def scenario() -> None:
        async with sim(server) as router:
            first = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            assert first.accepted
            assert first.attributes["Mikrotik-Total-Limit"] == [MB]
            assert first.attributes["Mikrotik-Total-Limit-Gigawords"] == [0]
            await router.start(first.session)
            await router.interim(
                first.session, input_octets=100_000, output_octets=300_000, session_time=300
            )
            second = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:02", ip="10.5.50.3")
            assert second.attributes["Mikrotik-Total-Limit"] == [MB - 400_000]

    run(scenario())


@pytest.mark.parametrize("codes", [AfterQuota.BLOCK, AfterQuota.THROTTLE], indirect=True)
def test_only_a_blocking_profile_lets_the_router_end_the_session_at_the_quota(
    server: RunningRadius, codes: list[str], request: pytest.FixtureRequest
) -> None:
    blocks = request.node.callspec.params["codes"] is AfterQuota.BLOCK

    async def scenario() -> None:
        async with sim(server) as router:
            login = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            assert login.accepted and login.attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]
            await router.start(login.session)
            await router.interim(
                login.session, input_octets=100_000, output_octets=300_000, session_time=300
            )
            again = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:02", ip="10.5.50.3")
            for reply, left in ((login, MB), (again, MB - 400_000)):
                if blocks:  # RouterOS ends the session when the bytes left are used
                    assert reply.attributes["Mikrotik-Total-Limit"] == [left]
                    assert reply.attributes["Mikrotik-Total-Limit-Gigawords"] == [0]
                else:  # a throttle profile is slowed by CoA instead, never ended by the router
                    assert "Mikrotik-Total-Limit" not in reply.attributes
                    assert "Mikrotik-Total-Limit-Gigawords" not in reply.attributes
                assert reply.attributes["Acct-Interim-Interval"] == [300]

    run(scenario())


@pytest.mark.parametrize("codes", [AfterQuota.BLOCK], indirect=True)
def test_block_cuts_the_session_refuses_until_midnight_then_admits(
    server: RunningRadius,
    codes: list[str],
    sessions: sessionmaker[Session],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        async with sim(server) as router:
            listener = await router.start_coa_listener(0)
            _coa_port(sessions, server, listener.port)
            login = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            await router.start(login.session)
            await router.interim(
                login.session, input_octets=200_000, output_octets=900_000, session_time=300
            )
            (event,) = await router.wait_for_coa(1, timeout=30)
            assert event.kind is CoAKind.DISCONNECT and event.valid_authenticator
            assert event.attributes["User-Name"] == [codes[0]]
            assert event.attributes["Acct-Session-Id"] == [login.session.acct_session_id]
            assert event.attributes["Framed-IP-Address"] == ["10.5.50.2"]
            await until(lambda: _rows(sessions)[0].coa_result is CoAResult.ACK)
            refused = await router.login(
                codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2"
            )
            assert not refused.accepted
            # The clock is at 23:50 WITA on March 31st: the daily quota resets at midnight.
            assert refused.reply_message == (
                "Kuota harian Anda sudah habis. Bisa dipakai lagi mulai "
                "1 April 2026 pukul 00.00 WITA."
            )
            clock.advance(minutes=10)
            again = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            assert again.accepted and again.attributes["Mikrotik-Total-Limit"] == [MB]

    run(scenario())
    # Statistics: the account reached its quota on 31 March (WITA), at that village.
    first = _rows(sessions)[0]
    assert first.quota_hit_at is not None
    with sessions.begin() as session:
        roll_up_dirty(session=session)
        day = session.get(SiteDay, (first.site_id, date(2026, 3, 31)))
        assert day is not None and day.quota_accounts == 1
    # The CoA line names the session, not the voucher code (a bearer secret).
    coa_lines = [
        r.getMessage() for r in caplog.records if "disconnect of session" in r.getMessage()
    ]
    assert coa_lines and all(codes[0] not in line for line in coa_lines)


@pytest.mark.parametrize("codes", [AfterQuota.THROTTLE], indirect=True)
def test_throttle_slows_the_session_and_restores_it_after_the_reset(
    server: RunningRadius, codes: list[str], sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    async def scenario() -> None:
        async with sim(server) as router:
            listener = await router.start_coa_listener(0)
            _coa_port(sessions, server, listener.port)
            login = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            assert login.attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]
            await router.start(login.session)
            await router.interim(
                login.session, input_octets=0, output_octets=2 * MB, session_time=300
            )
            (event,) = await router.wait_for_coa(1, timeout=30)
            assert event.kind is CoAKind.COA
            assert event.attributes["Mikrotik-Rate-Limit"] == ["64k/128k"]
            await until(lambda: _rows(sessions)[0].throttled)
            # A new login in the same day: admitted, slowly, without a byte cap.
            slow = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:02", ip="10.5.50.3")
            assert slow.accepted and slow.attributes["Mikrotik-Rate-Limit"] == ["64k/128k"]
            assert "Mikrotik-Total-Limit" not in slow.attributes
            clock.advance(minutes=11)  # past 00:00 WITA
            server.call(lambda: server.worker.enforcer.enforce(None))
            events = await router.wait_for_coa(2, timeout=30)
            assert events[1].kind is CoAKind.COA
            assert events[1].attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]
            await until(lambda: not _rows(sessions)[0].throttled)
            assert _rows(sessions)[0].coa_action is CoAAction.RESTORE

    run(scenario())


@pytest.mark.parametrize("codes", [AfterQuota.THROTTLE], indirect=True)
def test_a_session_accepted_throttled_is_restored_after_the_reset_too(
    server: RunningRadius, codes: list[str], sessions: sessionmaker[Session], clock: FakeClock
) -> None:
    async def scenario() -> None:
        async with sim(server) as router:
            listener = await router.start_coa_listener(0)
            _coa_port(sessions, server, listener.port)
            first = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            await router.start(first.session)
            await router.stop(first.session, input_octets=0, output_octets=2 * MB, session_time=60)
            slow = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:02", ip="10.5.50.3")
            assert slow.accepted and slow.attributes["Mikrotik-Rate-Limit"] == ["64k/128k"]
            await router.start(slow.session)  # then quiet: no interim before midnight
            clock.advance(minutes=11)  # past 00:00 WITA
            server.call(lambda: server.worker.enforcer.enforce(None))
            (restore,) = await router.wait_for_coa(1, timeout=10)
            assert restore.attributes["Acct-Session-Id"] == [slow.session.acct_session_id]
            assert restore.attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]

    run(scenario())


@pytest.mark.parametrize("mode", [CoAMode.NAK, CoAMode.SILENT])
def test_router_that_refuses_or_ignores_the_request_is_recorded_and_auth_goes_on(
    server: RunningRadius, codes: list[str], sessions: sessionmaker[Session], mode: CoAMode
) -> None:
    async def scenario() -> None:
        async with sim(server) as router:
            listener = await router.start_coa_listener(0, mode=mode)
            _coa_port(sessions, server, listener.port)
            login = await router.login(codes[0], codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2")
            await router.start(login.session)
            await router.interim(
                login.session, input_octets=0, output_octets=2 * MB, session_time=300
            )
            started = time.monotonic()
            # While the server waits for the router (6 s when it never answers: 3 tries), it goes
            # on answering logins: well before that, even on a busy machine (1 s flaked under load).
            other = await router.login(codes[1], codes[1], mac="AA:00:00:00:00:07", ip="10.5.50.9")
            assert other.accepted and time.monotonic() - started < 3.0
            expected = CoAResult.NAK if mode is CoAMode.NAK else CoAResult.TIMEOUT
            await until(lambda: _rows(sessions)[0].coa_result is expected)
            tries = len(router.coa_events)
            assert tries == (1 if mode is CoAMode.NAK else 3)  # the first try and 2 retries

    run(scenario())
    (row, *_) = _rows(sessions)
    assert row.coa_action is CoAAction.DISCONNECT
    assert row.coa_detail == (
        "Session-Context-Not-Found" if mode is CoAMode.NAK else "no answer after 3 tries"
    )


def test_admin_disconnect_is_queued_and_sent_by_the_radius_service(
    server: RunningRadius,
    codes: list[str],
    sessions: sessionmaker[Session],
    writes: sessionmaker[Session],
    clock: FakeClock,
) -> None:
    async def scenario() -> None:
        async with sim(server) as router:
            listener = await router.start_coa_listener(0)
            _coa_port(sessions, server, listener.port)
            login = await router.login(codes[2], codes[2], mac="AA:00:00:00:00:05", ip="10.5.50.5")
            await router.start(login.session)  # the service checks the quota meanwhile
            with writes.begin() as session:
                (row,) = session.scalars(select(AcctSession)).all()
                assert request_disconnect(session=session, session_id=row.id, now=clock.now)
                assert not request_disconnect(session=session, session_id=row.id, now=clock.now)
            server.call(lambda: server.worker.enforcer.enforce(None))
            (event,) = await router.wait_for_coa(1, timeout=30)
            assert event.kind is CoAKind.DISCONNECT
            await until(lambda: _rows(sessions)[0].coa_result is CoAResult.ACK)

    run(scenario())
