"""Daily quotas across 00:00 WITA, end to end: the real `wifidesa radius` (two workers) runs on
a clock that the test moves through WIFIDESA_CLOCK_FILE, and the simulated router logs in,
reports usage and receives the CoA/Disconnect requests on its own port.

The clock starts 5 minutes before the coming local midnight (the steps before it take
seconds) and is then moved to 00:00:30: the day passes in seconds of real time, not hours.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.ports import free_ports
from wdtest.radius_service import RadiusService, radius_service

from radius.simulator.coa import CoAKind
from wifidesa.clock import set_time
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AcctSession, AfterQuota, CoAAction, CoAResult
from wifidesa.localtime import local_day, local_midnight
from wifidesa.settings import Settings

# Each test starts the whole service as processes: end to end, left out of make test-fast.
pytestmark = pytest.mark.slow
T = TypeVar("T")
SECRET = "midnight-router-secret-7"
WITA = "Asia/Makassar"
MB = 1024 * 1024
SCENARIO_TIMEOUT = 120.0
# The worker that restores throttled sessions looks every 15 s (radius.worker housekeeping).
RESTORE_TIMEOUT = 60.0


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run one async scenario, bounded so a hang fails instead of stalling the suite."""

    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), SCENARIO_TIMEOUT)

    return asyncio.run(bounded())


async def until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    """Wait for the service's database writes while the simulated router keeps listening."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)


@dataclass
class Night:
    service: RadiusService
    clock_file: Path
    coa_port: int
    codes: list[str]
    midnight: datetime  # the coming 00:00 WITA, in UTC

    def move_clock(self, moment: datetime) -> None:
        set_time(self.clock_file, moment)


@pytest.fixture
def night(
    request: pytest.FixtureRequest,
    settings: Settings,
    sessions: sessionmaker[Session],
    box: SecretBox,
    tmp_path: Path,
) -> Iterator[Night]:
    """A village whose profile has 1 MiB a day (blocked or throttled after it, by the test's
    parameter), its router's CoA port, and the service running at 23:55 WITA."""
    (coa_port,) = free_ports(1)
    with sessions.begin() as session:
        site = make_site(session, code="desa-m")
        make_router(session, box, site=site, ip="127.0.0.1", secret=SECRET, coa_port=coa_port)
        profile = make_profile(
            session,
            name="harian-1m",
            daily_bytes=MB,
            after_quota=request.param,
            throttle_rate_limit="64k/128k",
            devices_at_once=2,
            interim_interval=300,
        )
        _, codes = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=2
        )
    now = datetime.now(UTC)
    midnight = local_midnight(local_day(now, WITA) + timedelta(days=1), WITA)
    clock_file = tmp_path / "clock"
    set_time(clock_file, midnight - timedelta(minutes=5))
    with radius_service(
        settings, tmp_path, secret=SECRET, workers=2, env={"WIFIDESA_CLOCK_FILE": str(clock_file)}
    ) as service:
        yield Night(service, clock_file, coa_port, codes, midnight)
        code = service.stop()
        assert code == 0, service.output()
        assert "Traceback" not in service.output(), service.output()


def _rows(sessions: sessionmaker[Session]) -> list[AcctSession]:
    with sessions() as session:
        return list(session.scalars(select(AcctSession).order_by(AcctSession.id)))


@pytest.mark.parametrize("night", [AfterQuota.THROTTLE], indirect=True)
def test_a_throttled_session_gets_its_speed_back_after_midnight(
    night: Night, sessions: sessionmaker[Session]
) -> None:
    async def scenario() -> float:
        async with night.service.router() as router:
            await router.start_coa_listener(night.coa_port)
            login = await router.login(
                night.codes[0], night.codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2"
            )
            assert login.accepted and login.attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]
            assert "Mikrotik-Total-Limit" not in login.attributes  # slowed, never cut
            await router.start(login.session)
            await router.interim(
                login.session, input_octets=0, output_octets=2 * MB, session_time=60
            )
            (slow,) = await router.wait_for_coa(1, timeout=30)
            assert slow.kind is CoAKind.COA
            assert slow.attributes["Mikrotik-Rate-Limit"] == ["64k/128k"]
            await until(lambda: _rows(sessions)[0].throttled)
            # Still the same day: a second device is admitted, slowly.
            late = await router.login(
                night.codes[0], night.codes[0], mac="AA:00:00:00:00:02", ip="10.5.50.3"
            )
            assert late.accepted and late.attributes["Mikrotik-Rate-Limit"] == ["64k/128k"]

            night.move_clock(night.midnight + timedelta(seconds=30))  # 00:00:30 WITA
            moved = time.monotonic()
            events = await router.wait_for_coa(2, timeout=RESTORE_TIMEOUT)
            waited = time.monotonic() - moved
            assert len(events) == 2, "no restore after midnight"
            assert events[1].kind is CoAKind.COA
            assert events[1].attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]
            assert events[1].attributes["Acct-Session-Id"] == [login.session.acct_session_id]
            await until(lambda: not _rows(sessions)[0].throttled)
            # A new day, a new quota: the next login is at the full rate.
            fresh = await router.login(
                night.codes[0], night.codes[0], mac="AA:00:00:00:00:02", ip="10.5.50.3"
            )
            assert fresh.accepted and fresh.attributes["Mikrotik-Rate-Limit"] == ["1M/2M"]
            return waited

    waited = run(scenario)
    first = _rows(sessions)[0]
    assert first.coa_action is CoAAction.RESTORE and first.coa_result is CoAResult.ACK
    print(f"restored {waited:.1f} s (real time) after the clock passed midnight")


@pytest.mark.parametrize("night", [AfterQuota.BLOCK], indirect=True)
def test_a_blocked_account_logs_in_again_after_midnight(
    night: Night, sessions: sessionmaker[Session]
) -> None:
    async def scenario() -> None:
        async with night.service.router() as router:
            await router.start_coa_listener(night.coa_port)
            login = await router.login(
                night.codes[0], night.codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2"
            )
            assert login.accepted and login.attributes["Mikrotik-Total-Limit"] == [MB]
            await router.start(login.session)
            await router.interim(
                login.session, input_octets=100_000, output_octets=MB, session_time=60
            )
            (cut,) = await router.wait_for_coa(1, timeout=30)
            assert cut.kind is CoAKind.DISCONNECT
            await until(lambda: _rows(sessions)[0].coa_result is CoAResult.ACK)
            await router.stop(
                login.session, input_octets=100_000, output_octets=MB, session_time=61
            )
            refused = await router.login(
                night.codes[0], night.codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2"
            )
            assert not refused.accepted
            assert refused.reply_message is not None
            assert refused.reply_message.startswith("Kuota harian Anda sudah habis.")
            # The service's day, not the real one: it frees at the midnight the clock is near.
            day = local_day(night.midnight, WITA)
            assert f" mulai {day.day} " in refused.reply_message
            assert refused.reply_message.endswith(f" {day.year} pukul 00.00 WITA.")

            night.move_clock(night.midnight + timedelta(seconds=30))  # 00:00:30 WITA
            again = await router.login(
                night.codes[0], night.codes[0], mac="AA:00:00:00:00:01", ip="10.5.50.2"
            )
            assert again.accepted, again.reply_message
            assert again.attributes["Mikrotik-Total-Limit"] == [MB]  # the whole new day's

    run(scenario)
