"""`wifidesa routers api` and `wifidesa routers health`: the operator points the poller at a
router, and reads what it found; errors are one line and a non-zero exit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.fleet import answer, fail, poll

from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import utcnow


def test_routers_api_sets_the_management_access_and_never_prints_the_password(
    cli_env: None,
    sessions: sessionmaker[Session],
    box: SecretBox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with sessions.begin() as session:
        make_router(session, box, site=make_site(session)).name = "desa-sebulu"

    code = main(
        ["routers", "api", "desa-sebulu", "--host", "10.99.0.7", "--user", "wifidesa",
         "--password", "rahasia-api", "--no-tls", "--port", "8728"]
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0
    assert out == "router desa-sebulu: API 10.99.0.7:8728 (plain), WAN ether1\n"
    assert main(["routers", "api", "desa-sebulu", "--host", "http://x/"]) == 1
    err = capsys.readouterr().err
    assert err == "wifidesa: error: not an API address (an IP address or DNS name): 'http://x/'\n"


def test_routers_health_lists_what_the_poller_found(
    cli_env: None,
    sessions: sessionmaker[Session],
    box: SecretBox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = utcnow()
    with sessions.begin() as session:
        site = make_site(session, code="desa-a")
        up, down = (make_router(session, box, site=site) for _ in range(2))
        earlier = now - timedelta(minutes=20)
        poll(session, answer(up, earlier, 7200, version="7.16.2 (stable)", cpu_load=4),
             answer(down, earlier, 7200))  # fmt: skip
        for minutes in (10, 5):
            at = now - timedelta(minutes=minutes)
            poll(session, answer(up, at, 7200 + 600, cpu_load=4), fail(down, at))
        names = (up.name, down.name)

    assert main(["routers", "health", "--sort", "state"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ROUTER", "SITE", "STATE"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows[names[0]][1:3] == ["desa-a", "up"]
    assert rows[names[1]][1:4] == ["desa-a", "down", "(backhaul)"]

    assert main(["routers", "health", "--down-longer-than", "5m"]) == 0
    only = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in only] == [names[1]]
