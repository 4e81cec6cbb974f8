"""Login counts end to end: the real `wifidesa radius --workers 2` on 127.0.0.1 answers a
router of a village of its own (127.0.0.2), and the workers' flushes leave exactly the logins
it answered, by outcome, on the village's local day; what a worker counted since its last
flush is stored when it stops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.radius_service import RadiusService, radius_service

from radius.simulator.router import RouterSimulator, SimRouter
from wifidesa.crypto import SecretBox
from wifidesa.localtime import local_day
from wifidesa.settings import Settings
from wifidesa.stats.logins import login_counts

from .conftest import SECRET, Village

pytestmark = pytest.mark.slow  # the whole service as processes, left out of make test-fast
T = TypeVar("T")
OTHER_SECRET = "counted-router-secret-7"
MB = 1024 * 1024
WITA = "Asia/Makassar"


@dataclass
class Counted:
    site_id: int
    codes: list[str]


@pytest.fixture
def counted(sessions: sessionmaker[Session], box: SecretBox, village: Village) -> Counted:
    """A village with a router at 127.0.0.2 and vouchers with 1 MB a day. (`village`, at
    127.0.0.1, answers the service's readiness probes: their refusals count there.)"""
    with sessions.begin() as session:
        site = make_site(session, code="desa-hitung")
        make_router(session, box, site=site, ip="127.0.0.2", secret=OTHER_SECRET)
        profile = make_profile(session, name="sejuta", daily_bytes=MB)
        _, codes = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=2
        )
        return Counted(site.id, codes)


def _router(service: RadiusService) -> RouterSimulator:
    return RouterSimulator(
        SimRouter(
            secret=OTHER_SECRET,
            source_ip="127.0.0.2",
            auth_port=service.auth_port,
            acct_port=service.acct_port,
            timeout=2.0,
        )
    )


def _run(scenario: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(scenario(), 60)

    return asyncio.run(bounded())


def _totals(
    sessions: sessionmaker[Session], site_id: int, first: date, last: date
) -> dict[tuple[date, str], int]:
    with sessions() as session:
        rows = login_counts(session=session, site_ids=[site_id], first=first, last=last)
    return {(row.day, row.outcome): row.count for row in rows}


def _today() -> date:
    return local_day(datetime.now(UTC), WITA)


def test_the_logins_answered_are_counted_by_outcome_on_the_local_day(
    settings: Settings,
    sessions: sessionmaker[Session],
    counted: Counted,
    tmp_path: Path,
) -> None:
    env = {"WIFIDESA_STATS_LOGIN_FLUSH_SECONDS": "1", "WIFIDESA_LOG_LEVEL": "WARNING"}
    code = counted.codes[0]
    mac, ip = "AA:00:00:00:07:01", "10.5.50.71"

    async def scenario(service: RadiusService) -> list[str | None]:
        async with _router(service) as router:
            first = await router.login(code, code, mac=mac, ip=ip)
            assert first.accepted, first
            assert (await router.start(first.session)).acknowledged
            stop = await router.stop(
                first.session, input_octets=MB, output_octets=MB, session_time=60
            )
            assert stop.acknowledged  # stored: the usage counts for the next login
            over = await router.login(code, code, mac=mac, ip=ip)
            wrong = await router.login("SALAHKODE9", "SALAHKODE9", mac=mac, ip=ip)
        return [over.reply_message, wrong.reply_message]

    first_day = _today()
    with radius_service(settings, tmp_path, secret=SECRET, workers=2, env=env) as service:
        over, wrong = _run(lambda: scenario(service))
        assert over is not None and "kuota" in over.lower(), over
        assert wrong == "Kode voucher atau kata sandi salah."
        deadline = time.monotonic() + 20
        while sum(_totals(sessions, counted.site_id, first_day, _today()).values()) < 3:
            assert time.monotonic() < deadline, service.output()
            time.sleep(0.2)
        time.sleep(2.5)  # two more flushes of both workers: nothing else must come
        totals = _totals(sessions, counted.site_id, first_day, _today())
    (day,) = {day for day, _ in totals}
    assert day in (first_day, _today())
    assert totals == {
        (day, "accepted:voucher"): 1,
        (day, "refused:quota_exceeded"): 1,
        (day, "refused:bad_credentials"): 1,
    }


def test_what_a_worker_counted_since_its_last_flush_is_stored_when_it_stops(
    settings: Settings,
    sessions: sessionmaker[Session],
    counted: Counted,
    tmp_path: Path,
) -> None:
    env = {"WIFIDESA_STATS_LOGIN_FLUSH_SECONDS": "3600"}  # no flush but the last
    first_day = _today()
    with radius_service(settings, tmp_path, secret=SECRET, workers=2, env=env) as service:

        async def wrong_codes() -> None:
            async with _router(service) as router:
                for n in range(4):  # routed by a hash of each request: likely to both workers
                    result = await router.login(
                        f"SALAHKODE{n}", "x", mac=f"AA:00:00:00:08:0{n}", ip=f"10.5.50.8{n}"
                    )
                    assert not result.accepted and not result.timed_out

        _run(wrong_codes)
        assert _totals(sessions, counted.site_id, first_day, _today()) == {}
        assert service.stop() == 0, service.output()
    totals = _totals(sessions, counted.site_id, first_day, _today())
    assert sum(totals.values()) == 4, service.output()
    assert {outcome for _, outcome in totals} == {"refused:bad_credentials"}
