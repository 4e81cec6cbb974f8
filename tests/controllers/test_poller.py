"""The fleet polled round by round against the RouterOS double, through the real
routeros-api library, and recorded by the core: every router once per round, each on its own
connection kept between rounds, a failing router costing the others nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.routeros import PASSWORD

from controllers.connection import RouterConnection
from controllers.double import DoubleRouter, DoubleRunner, RouterState
from controllers.poller import Connect, Poller
from controllers.service import record
from controllers.timeouts import Timeouts
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock
from wifidesa.db.models import Router, RouterHealth
from wifidesa.db.models import RouterState as Health
from wifidesa.fleet.samples import Failure, Sample
from wifidesa.fleet.targets import ApiTarget

QUICK = Timeouts(connect=1.0, read=1.0)


@pytest.fixture
def runner() -> Iterator[DoubleRunner]:
    routers = [
        DoubleRouter(host="127.0.0.1", password=PASSWORD, state=RouterState(identity=f"desa-{n}"))
        for n in range(3)
    ]
    with DoubleRunner(routers) as running:
        yield running


@pytest.fixture
def doubles(runner: DoubleRunner) -> list[DoubleRouter]:
    return runner.routers


@pytest.fixture
def fleet(
    sessions: sessionmaker[Session], box: SecretBox, doubles: list[DoubleRouter]
) -> list[int]:
    """The three simulated routers registered, each at its management address."""
    with sessions.begin() as session:
        site = make_site(session)
        return [
            make_router(
                session,
                box,
                site=site,
                api_host=d.host,
                api_port=d.port,
                api_use_ssl=False,
                api_username="admin",
                api_password=PASSWORD,
            ).id
            for d in doubles
        ]


def _poller(
    sessions: sessionmaker[Session], box: SecretBox, db_url: str, connect: Connect
) -> Poller:
    return Poller(
        read_sessions=sessions,
        write_sessions=sessions,
        lock=WriterLock(db_url),
        box=box,
        connect=connect,
        record=record,
        threads=4,
    )


@pytest.fixture
def made() -> list[RouterConnection]:
    """Every connection the poller made, in order."""
    return []


@pytest.fixture
def poller(
    sessions: sessionmaker[Session], box: SecretBox, db_url: str, made: list[RouterConnection]
) -> Iterator[Poller]:
    def connect(target: ApiTarget) -> RouterConnection:
        made.append(RouterConnection(target, QUICK))
        return made[-1]

    poller = _poller(sessions, box, db_url, connect)
    yield poller
    poller.close()


def _states(sessions: sessionmaker[Session]) -> dict[int, tuple[Health, str | None]]:
    with sessions() as session:
        return {h.router_id: (h.state, h.identity) for h in session.scalars(select(RouterHealth))}


def test_every_router_is_polled_and_recorded_up_with_what_it_reported(
    poller: Poller, fleet: list[int], sessions: sessionmaker[Session]
) -> None:
    done = poller.round()

    assert (done.polled, done.answered, dict(done.failures)) == (3, 3, {})
    assert _states(sessions) == {
        router_id: (Health.UP, f"desa-{n}") for n, router_id in enumerate(fleet)
    }
    with sessions() as session:
        row = session.get(RouterHealth, fleet[0])
        assert row is not None
        assert (row.version, row.board, row.hotspot_active) == ("7.16.2 (stable)", "hAP ac^2", 0)
        assert row.uptime_seconds is not None and row.uptime_seconds >= 3600


def test_connections_are_kept_between_rounds_and_replaced_when_the_address_changes(
    poller: Poller,
    fleet: list[int],
    sessions: sessionmaker[Session],
    made: list[RouterConnection],
) -> None:
    poller.round()
    first = {rid: conn for rid, (_, conn) in poller.connections.items()}
    poller.round()
    assert {rid: conn for rid, (_, conn) in poller.connections.items()} == first

    moved = DoubleRouter(host="127.0.0.2", password=PASSWORD, state=RouterState(identity="baru"))
    with DoubleRunner([moved]):
        with sessions.begin() as session:  # its management address is now over another VPN
            router = session.get(Router, fleet[0])
            assert router is not None
            router.api_host, router.api_port = moved.host, moved.port
        poller.round()
        assert poller.connections[fleet[0]][1] is not first[fleet[0]]
        assert not first[fleet[0]].connected  # the old one was closed, not leaked
        assert poller.connections[fleet[1]][1] is first[fleet[1]]
        assert _states(sessions)[fleet[0]] == (Health.UP, "baru")
    assert len(made) == 4


def test_routers_over_tls_without_a_ca_are_warned_of_once(
    poller: Poller,
    fleet: list[int],
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    poller.round()
    assert "API-SSL" not in caplog.text  # plain API: nothing to check
    with sessions.begin() as session:
        for router_id in fleet[:2]:
            router = session.get(Router, router_id)
            assert router is not None
            router.api_use_ssl = True
    with caplog.at_level(logging.WARNING, logger="controllers.poller"):
        poller.round()
        poller.round()
    told = [r.getMessage() for r in caplog.records if "API-SSL" in r.getMessage()]
    assert told == [
        "2 router(s) reached over API-SSL without WIFIDESA_API_TLS_CA_FILE: "
        "encrypted, but their certificates are not checked"
    ]


def test_a_silent_router_goes_down_and_a_refused_login_is_no_outage(
    poller: Poller, fleet: list[int], sessions: sessionmaker[Session], runner: DoubleRunner
) -> None:
    runner.set_faults(runner.routers[2], wrong_password=True)  # our password was changed there
    first = poller.round()
    runner.set_faults(runner.routers[1], silent=True)  # its VSAT link went dark

    rounds = [poller.round(), poller.round()]  # down after two failed polls in a row

    assert dict(first.failures) == {Failure.LOGIN: 1}
    assert [dict(r.failures) for r in rounds] == [{Failure.TIMEOUT: 1, Failure.LOGIN: 1}] * 2
    states = _states(sessions)
    assert states[fleet[0]][0] is Health.UP
    assert states[fleet[1]][0] is Health.DOWN
    assert states[fleet[2]][0] is Health.UNKNOWN  # no data, not an outage of the village


def test_a_connection_that_raises_costs_only_its_router(
    sessions: sessionmaker[Session], box: SecretBox, db_url: str, fleet: list[int]
) -> None:
    def connect(target: ApiTarget) -> RouterConnection:
        conn = RouterConnection(target, QUICK)
        if target.router_id == fleet[1]:

            def broken(now: datetime) -> Sample:
                raise RuntimeError("a bug in one router's poll")

            conn.poll = broken  # type: ignore[method-assign]
        return conn

    poller = _poller(sessions, box, db_url, connect)
    try:
        done = poller.round()
    finally:
        poller.close()
    assert (done.answered, dict(done.failures)) == (2, {Failure.PROTOCOL: 1})
    assert fleet[1] not in poller.connections
