"""`wifidesa routers push-hotspot-files|tasks` and `routers run-tasks --once`: queued in one
line, done against the RouterOS double, listed with their outcome; errors in one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner
from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox


@pytest.fixture
def double() -> Iterator[DoubleRouter]:
    router = DoubleRouter(host="127.0.0.1", password=PASSWORD)
    with DoubleRunner([router]):
        yield router


def test_hotspot_files_are_queued_pushed_and_listed(
    cli_env: None,
    double: DoubleRouter,
    sessions: sessionmaker[Session],
    box: SecretBox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with sessions.begin() as session:
        site = make_site(session)
        name = make_router(
            session,
            box,
            site=site,
            api_host=double.host,
            api_port=double.port,
            api_use_ssl=False,
            api_username="admin",
            api_password=PASSWORD,
        ).name
        bare = make_router(session, box, site=site).name  # no API: refused
    double.state.files.clear()

    assert main(["routers", "push-hotspot-files", "--all"]) == 0
    assert main(["routers", "push-hotspot-files", name]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("hotspot files queued for 1 router(s); ")
    assert out[1].startswith("hotspot files queued for 0 router(s), 1 had one waiting already")

    assert main(["routers", "run-tasks", "--once"]) == 0
    assert len(double.state.files) == 5
    capsys.readouterr()

    assert main(["routers", "tasks", "--state", "done"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    # The worker's first round also read each router's active list (its daily read).
    assert sorted(row.split()[2] for row in rows) == ["push_hotspot_files", "read_active"]
    (pushed,) = [row for row in rows if "push_hotspot_files" in row]
    assert "wrote 5 files" in pushed and name in pushed
    assert main(["routers", "push-hotspot-files", bare]) == 1
    assert "has no API address or user" in capsys.readouterr().err


def test_an_unknown_router_is_one_line_on_stderr(
    cli_env: None, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["routers", "push-hotspot-files", "nirgendwo"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "wifidesa: error: no router named 'nirgendwo'\n"
