"""`wifidesa routers write-hotspot-files`: the router's pages written over the API now, only
those that differ (what ansible/routers.yml calls), and nothing with --check."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner
from wifidesa.admin.scope import OPERATOR
from wifidesa.cli.main import main
from wifidesa.crypto import SecretBox
from wifidesa.places.router_api import RouterApi, set_router_api


def _register(sessions: sessionmaker[Session], box: SecretBox, router: DoubleRouter) -> str:
    with sessions.begin() as session:
        made = make_router(session, box, site=make_site(session))
        api = RouterApi(host=router.host, port=router.port, use_tls=False, username="admin",
                        password=PASSWORD)  # fmt: skip
        set_router_api(session=session, scope=OPERATOR, box=box, router_id=made.id, api=api)
        return made.name


def _written(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return list(json.loads(capsys.readouterr().out)["changed"])


def test_only_the_pages_that_differ_are_written_and_check_writes_none(
    cli_env: None,
    sessions: sessionmaker[Session],
    box: SecretBox,
    double: DoubleRunner,
    router: DoubleRouter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = _register(sessions, box, router)
    pages = ["login.html", "alogin.html", "flogin.html", "status.html", "logout.html"]

    assert main(["routers", "write-hotspot-files", name]) == 0
    assert _written(capsys) == pages
    assert main(["routers", "write-hotspot-files", name]) == 0
    assert _written(capsys) == []
    status = router.state.file_named("hotspot/status.html")
    assert status is not None
    status.contents = b"changed by hand"
    assert main(["routers", "write-hotspot-files", name, "--check"]) == 0
    assert _written(capsys) == ["status.html"]
    assert status.contents == b"changed by hand"
    assert main(["routers", "write-hotspot-files", name]) == 0
    assert _written(capsys) == ["status.html"]
    assert b"changed by hand" not in status.contents


def test_a_router_that_does_not_answer_fails_in_one_line_without_its_password(
    cli_env: None,
    sessions: sessionmaker[Session],
    box: SecretBox,
    double: DoubleRunner,
    router: DoubleRouter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = _register(sessions, box, router)
    double.set_faults(router, refuse=True)

    assert main(["routers", "write-hotspot-files", name]) == 1

    err = capsys.readouterr().err
    assert err.startswith(f"wifidesa: error: router {name}: ")
    assert err.count("\n") == 1
    assert PASSWORD not in err
