"""A site with a router at 127.0.0.1 and a voucher profile, committed, and the server running."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.radius import FakeClock, RunningRadius, running_radius

from wifidesa.crypto import SecretBox
from wifidesa.settings import Settings

SECRET = "router-secret-0123456789"


@dataclass
class Village:
    site_code: str
    site_id: int
    router_id: int
    profile: str
    codes: list[str]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def village(sessions: sessionmaker[Session], box: SecretBox) -> Village:
    with sessions.begin() as session:
        site = make_site(session, code="desa-a")
        site.allow_free = True  # its guests log in by token (tests add the free profile)
        router = make_router(session, box, site=site, ip="127.0.0.1", secret=SECRET)
        profile = make_profile(
            session,
            name="harian",
            validity_seconds=86400,
            session_timeout=7200,
            idle_timeout=600,
            interim_interval=300,
        )
        _, codes = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=10
        )
        return Village(site.code, site.id, router.id, profile.name, codes)


@pytest.fixture
def server(settings: Settings, village: Village, clock: FakeClock) -> Iterator[RunningRadius]:
    with running_radius(settings, clock=clock) as running:
        yield running
