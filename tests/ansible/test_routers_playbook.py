"""ansible/routers.yml run for real (ansible-playbook, community.routeros, librouteros)
against simulated routers (the RouterOS double on 127.0.41.x) registered in a wifidesa
database, with the inventory and the secrets from wifidesa's own CLI.

Four routers, two per batch: desa-a (RouterOS 7.16, plain API) and desa-c (7.14, before
require-message-auth; API over TLS with its own certificate) answer; desa-b refuses
connections and desa-d never answers. One run
provisions them; each test then checks one outcome and leaves the routers as it found them."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from wdtest import TEST_SECRET
from wdtest.playbooks import Run, playbook_env, run_playbook

from controllers.double import DoubleRouter, DoubleRunner, RouterState
from controllers.double.tls import self_signed
from wifidesa.admin.scope import OPERATOR
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import make_engine, make_session_factory, transaction
from wifidesa.places.router_api import RouterApi, set_router_api
from wifidesa.places.routers import RouterSpec, create_router
from wifidesa.places.sites import SiteSpec, create_site

# Each playbook run takes 10-25 s (Ansible, and wifidesa's CLI started per router twice).
pytestmark = pytest.mark.slow

PORTAL = "https://portal.wifi.example.id"
RADIUS = "203.0.113.10"
API_PASSWORD = "api-password-of-the-fleet-5d1f"
ROUTERS = {  # name → (address, RouterOS version, desa code)
    "desa-a": ("127.0.41.1", "7.16.2 (stable)", "64.03.01.2001"),
    "desa-b": ("127.0.41.2", "7.16.2 (stable)", "64.03.01.2001"),
    "desa-c": ("127.0.41.3", "7.14.3 (stable)", "64.05.02.2001"),
    "desa-d": ("127.0.41.4", "7.16.2 (stable)", "64.05.02.2001"),
}
REACHABLE = ("desa-a", "desa-c")
FIRST_RUN = ("-v", "-e", f"wifidesa_radius_address={RADIUS}", "-e", "wifidesa_batch=2",
             "-e", "wifidesa_max_fail_percentage=50", "-e", "wifidesa_api_timeout=2")  # fmt: skip


def secret_of(name: str) -> str:
    return f"radius-secret-of-{name}-7c0ffee"


@dataclass
class Fleet:
    routers: dict[str, DoubleRouter]
    runner: DoubleRunner
    env: dict[str, str]
    home: Path
    first: Run
    logs: list[str]

    def again(self, *args: str, limit: str = ",".join(REACHABLE)) -> Run:
        """Another run, on the reachable routers only (the others cost only time)."""
        return run_playbook(self.env, "-e", f"wifidesa_radius_address={RADIUS}", "-l", limit, *args)


class _Collect(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _register(db_url: str, doubles: dict[str, DoubleRouter]) -> None:
    box = SecretBox(TEST_SECRET)
    engine = make_engine(db_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            sites = {}
            for name, (_, _, desa) in ROUTERS.items():
                if desa not in sites:
                    spec = SiteSpec(desa_code=desa, desa_name=f"Desa {desa}",
                                    kecamatan_name="Kecamatan Uji", site_code=desa)  # fmt: skip
                    sites[desa] = create_site(session=session, scope=OPERATOR, spec=spec)
                router, _ = create_router(
                    session=session,
                    scope=OPERATOR,
                    box=box,
                    site_id=sites[desa].id,
                    spec=RouterSpec(
                        name=name,
                        ip_address=doubles[name].host.replace("127.0.41.", "10.64.41."),
                        nas_identifier=f"{name}-kaltim",
                        hotspot_address=f"hotspot.{name}.example.id",
                        secret=secret_of(name),
                    ),
                )
                double = doubles[name]
                api = RouterApi(host=double.host, port=double.tls_port or double.port,
                                use_tls=double.tls is not None, username="ansible",
                                password=API_PASSWORD)  # fmt: skip
                set_router_api(
                    session=session, scope=OPERATOR, box=box, router_id=router.id, api=api
                )
    finally:
        engine.dispose()


def _double(name: str, host: str, version: str) -> DoubleRouter:
    state = RouterState(identity="MikroTik", version=version)
    if name == "desa-c":  # the API on 8729 as RouterOS makes it: TLS, a self-signed certificate
        tls = self_signed(addresses=(host,)).server_context()
        return DoubleRouter(host=host, port=None, tls_port=0, tls=tls, username="ansible",
                            password=API_PASSWORD, state=state)  # fmt: skip
    return DoubleRouter(host=host, username="ansible", password=API_PASSWORD, state=state)


@pytest.fixture(scope="module")
def fleet(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    home = tmp_path_factory.mktemp("ansible-routers")
    shutil.copyfile(sqlite_template, home / "wifidesa.db")
    db_url = f"sqlite:///{home / 'wifidesa.db'}"
    doubles = {name: _double(name, host, version) for name, (host, version, _) in ROUTERS.items()}
    logs: list[str] = []
    handler = _Collect(logs)
    double_log = logging.getLogger("controllers.double")
    double_log.addHandler(handler)
    previous = double_log.level
    double_log.setLevel(logging.DEBUG)
    with DoubleRunner(list(doubles.values())) as runner:
        try:
            _register(db_url, doubles)
            runner.set_faults(doubles["desa-b"], refuse=True)
            runner.set_faults(doubles["desa-d"], silent=True)
            env = playbook_env(db_url=db_url, home=home, public_url=PORTAL)
            first = run_playbook(env, *FIRST_RUN)
            yield Fleet(doubles, runner, env, home, first, logs)
        finally:
            double_log.removeHandler(handler)
            double_log.setLevel(previous)


def _rows(router: DoubleRouter, path: str) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != ".id"} for row in router.state.config_rows(path)]


def test_the_reachable_routers_are_configured_for_wifidesa(fleet: Fleet) -> None:
    for name in REACHABLE:
        router = fleet.routers[name]
        assert router.state.identity == f"{name}-kaltim", fleet.first.output
        (radius,) = _rows(router, "/radius")
        assert radius["address"] == RADIUS
        assert radius["secret"] == secret_of(name)
        assert radius["service"] == "hotspot"
        assert radius["comment"] == "wifidesa"
        assert _rows(router, "/radius/incoming") == [{"accept": "true"}]  # port: 3799, the default
        (profile,) = _rows(router, "/ip/hotspot/profile")
        assert profile == {
            "name": "default",
            "use-radius": "true",
            "radius-interim-update": "5m",
            "login-by": "http-chap",
            "html-directory": "hotspot",
            "dns-name": f"hotspot.{name}.example.id",
        }
        assert _rows(router, "/ip/hotspot/walled-garden") == [
            {"dst-host": "portal.wifi.example.id", "action": "allow", "comment": "wifidesa"}
        ]
        services = {row["name"]: row for row in _rows(router, "/ip/service")}
        assert services["api"]["address"] == services["api-ssl"]["address"] == "10.8.0.0/16"
        assert services["telnet"]["disabled"] == services["ftp"]["disabled"] == "true"
        login = router.state.file_named("hotspot/login.html")
        assert login is not None and PORTAL.encode() in login.contents
    # require-message-auth exists since RouterOS 7.15: set on 7.16, left out on 7.14.
    assert _rows(fleet.routers["desa-a"], "/radius")[0]["require-message-auth"] == (
        "yes-for-request-resp"
    )
    assert "require-message-auth" not in _rows(fleet.routers["desa-c"], "/radius")[0]


def test_unreachable_routers_fail_alone_and_are_kept_for_a_retry(fleet: Fleet) -> None:
    recap = fleet.first.recap()
    assert fleet.first.returncode == 2, fleet.first.output  # some hosts failed
    assert all(recap[name].failed == recap[name].unreachable == 0 for name in REACHABLE)
    assert recap["desa-b"].failed + recap["desa-b"].unreachable == 1
    assert recap["desa-d"].failed + recap["desa-d"].unreachable == 1
    retry = (fleet.home / "retry" / "routers.retry").read_text().split()
    assert sorted(retry) == ["desa-b", "desa-d"]


def test_a_batch_with_too_many_failures_stops_the_roll_out(fleet: Fleet) -> None:
    # desa-b (refusing) fails in the first batch, over the 0 % allowed: the second batch (desa-c,
    # desa-d) is never started. The retry file then holds the stopped batch only (Ansible counts
    # all of it as failed), so the guide resumes such a roll-out by rerunning the same command.
    run = run_playbook(fleet.env, "-e", f"wifidesa_radius_address={RADIUS}", "-e",
                       "wifidesa_batch=2", "-e", "wifidesa_max_fail_percentage=0",
                       "-e", "wifidesa_api_timeout=2")  # fmt: skip
    assert run.returncode != 0
    assert sorted(run.recap()) == ["desa-a", "desa-b"], run.output
    assert run.recap()["desa-a"].failed == 0
    assert sorted((fleet.home / "retry" / "routers.retry").read_text().split()) == [
        "desa-a",
        "desa-b",
    ]


def test_a_second_run_changes_nothing(fleet: Fleet) -> None:
    run = fleet.again()
    assert run.returncode == 0, run.output
    recap = run.recap()
    assert {name: recap[name].changed for name in REACHABLE} == dict.fromkeys(REACHABLE, 0)


def test_check_mode_shows_the_difference_and_changes_nothing(fleet: Fleet) -> None:
    router = fleet.routers["desa-a"]
    state = router.state
    with state.lock:
        garden = state.config["/ip/hotspot/walled-garden"][0]
        kept, garden["dst-host"] = garden["dst-host"], "elsewhere.example.net"
        page = state.file_named("hotspot/login.html")
        assert page is not None
        kept_page, page.contents = page.contents, b"<html>changed by hand</html>"
    try:
        run = fleet.again("--check", "--diff", limit="desa-a")
        assert run.returncode == 0, run.output
        assert run.recap()["desa-a"].changed == 2  # the walled garden and the pages
        assert "elsewhere.example.net" in run.output
        assert "login.html" in run.output  # the pages that differ are named
        assert state.config_rows("/ip/hotspot/walled-garden")[0]["dst-host"] == (
            "elsewhere.example.net"
        )
        assert page.contents == b"<html>changed by hand</html>"
        assert all(secret_of(name) not in run.output for name in ROUTERS)
    finally:
        with state.lock:
            garden["dst-host"], page.contents = kept, kept_page


def test_no_secret_reaches_the_output_or_the_doubles_log(fleet: Fleet) -> None:
    output = fleet.first.output
    assert "changed: [desa-a]" in output  # the run did configure, verbosely (-v)
    for name in ROUTERS:
        assert secret_of(name) not in output
        assert all(secret_of(name) not in line for line in fleet.logs)
    assert API_PASSWORD not in output
    assert all(API_PASSWORD not in line for line in fleet.logs)
