"""Many clients through the router simulator (`run_clients`) and `wifidesa simulate`, against the
stub RADIUS server of `wdtest.stub_radius`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.stub_radius import REJECT_MESSAGE, SECRET, StubServer, router_for, run, stub_server

from radius.simulator.command import register
from radius.simulator.load import client_ip, client_mac, run_clients
from wifidesa.cli.context import AppContext
from wifidesa.cli.parser import Parser, add_subcommands
from wifidesa.crypto import SecretBox
from wifidesa.errors import InvalidInput
from wifidesa.settings import Settings


def test_run_clients_logs_in_every_voucher_and_reports_rejects() -> None:
    codes = ["VC000001", "VC000002", "VC000003", "VC000004", "NOPE0000"]

    async def scenario() -> None:
        async with stub_server(users=set(codes[:4])) as server, router_for(server) as router:
            report = await run_clients(
                router,
                codes,
                interims=2,
                bytes_per_interim=5_000_000_000,
                interim_seconds=300,
                concurrency=2,
            )
            assert (report.clients, report.accepted, report.rejected) == (5, 4, 1)
            assert report.reject_reasons == {REJECT_MESSAGE: 1}
            assert report.accounting_sent == report.accounting_acknowledged == 4 * 4
            assert report.requests == 5 + 16 and report.timeouts == report.unfinished == 0
            assert report.missing_message_authenticator == 0
            assert not report.ok  # one client was rejected
            logins = server.auth.requests
            assert len({r["Calling-Station-Id"][0] for r in logins}) == 5
            assert len({r["Framed-IP-Address"][0] for r in logins}) == 5
            stops = [r for r in server.acct.requests if r["Acct-Status-Type"] == ["Stop"]]
            assert len(stops) == 4
            total = (2 + 1) * 5_000_000_000  # interims + the Stop interval
            for stop in stops:
                sent = (stop["Acct-Input-Gigawords"][0] + stop["Acct-Output-Gigawords"][0]) * 2**32
                sent += stop["Acct-Input-Octets"][0] + stop["Acct-Output-Octets"][0]
                assert sent == total
                assert stop["Acct-Session-Time"] == [900]

    run(scenario)


def test_run_clients_stops_at_its_time_limit() -> None:
    async def scenario() -> None:
        async with stub_server(drop=10_000) as server, router_for(server) as router:
            report = await run_clients(router, ["A", "B", "C"], concurrency=3, time_limit=0.1)
            assert report.unfinished == 3 and report.accepted == 0
            assert report.elapsed < 1

    run(scenario)


def test_client_addresses_are_distinct_and_well_formed() -> None:
    assert client_mac(1) == "02:00:00:00:00:01"
    assert client_mac(70000) == "02:00:00:01:11:70"
    assert client_ip(0) == "10.5.0.10" and client_ip(300) == "10.5.1.54"


# -- wifidesa simulate ----------------------------------------------------------------------


@contextlib.contextmanager
def stub_in_thread(**options: Any) -> Iterator[StubServer]:
    """The stub on its own event loop thread, for the CLI, which runs asyncio.run itself."""
    loop = asyncio.new_event_loop()
    ready: list[StubServer] = []
    started = threading.Event()
    stop: asyncio.Event | None = None

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with stub_server(**options) as server:
            ready.append(server)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    try:
        assert started.wait(30)
        yield ready[0]
    finally:
        loop.call_soon_threadsafe(lambda: stop and stop.set())
        thread.join(5)
        loop.close()


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = AppContext(settings)
    yield context
    context.close()


def _simulate_args(*argv: str) -> argparse.Namespace:
    parser = Parser(prog="wifidesa")
    register(add_subcommands(parser, "command"))
    return parser.parse_args(["simulate", *argv])


def _free_udp_port(host: str) -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def test_simulate_command_plays_a_registered_router(
    session: Session, box: SecretBox, ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(session)
    router = make_router(session, box, site=site, ip="127.0.0.9", secret=SECRET)
    make_profile(session, name="harian")
    _, codes = make_batch(session=session, site_code=site.code, profile_name="harian", count=3)
    session.commit()
    coa_port = _free_udp_port("127.0.0.9")
    with stub_in_thread(users=set(codes), disconnect_after_stop=("127.0.0.9", coa_port)) as server:
        args = _simulate_args(
            "--router", router.name, "--clients", "3", "--pap", "--interims", "1",
            "--auth-port", str(server.auth.port), "--acct-port", str(server.acct.port),
            "--coa-port", str(coa_port), "--listen", "0.3",
        )  # fmt: skip
        code = args.func(ctx, args)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 accepted, 0 rejected" in out
    assert "accounting: 9/9 acknowledged" in out
    assert out.count("disconnect from 127.0.0.1 valid") == 3
    assert SECRET not in out
    assert {r["User-Name"][0] for r in server.auth.requests} == set(codes)
    assert set(server.auth.sources) == {"127.0.0.9"}
    assert len(server.coa_replies) == 3


def test_simulate_command_refuses_routers_off_loopback_and_too_few_vouchers(
    session: Session, box: SecretBox, ctx: AppContext
) -> None:
    site = make_site(session)
    remote = make_router(session, box, site=site, ip="10.64.9.1")
    local = make_router(session, box, site=site, ip="127.0.0.10")
    session.commit()
    off_loopback = _simulate_args("--router", remote.name)
    with pytest.raises(InvalidInput, match="127"):
        off_loopback.func(ctx, off_loopback)
    too_many = _simulate_args("--router", local.name, "--clients", "2")
    with pytest.raises(InvalidInput, match="0 unused voucher"):
        too_many.func(ctx, too_many)
