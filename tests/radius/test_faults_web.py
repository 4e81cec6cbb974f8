"""The web service beside RADIUS on one SQLite file, as `make run` runs them (`wifidesa
serve`): portal logins and admin sign-ins while routers send accounting, every one answered.
Before web transactions that write took SQLite's write lock when they began, most of them
answered 500 "database is locked" (issue 13)."""

from __future__ import annotations

import asyncio
import http.client
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_admin, make_member, make_profile
from wdtest.services import services

from radius.simulator.fuzz_run import FuzzReport, GoodTraffic
from radius.simulator.load import client_ip, client_mac
from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.db.models import AdminRole, Router
from wifidesa.settings import Settings

from .conftest import SECRET, Village
from .test_faults import SCENARIO_TIMEOUT, codes_for

pytestmark = pytest.mark.slow


WEB_LOGINS = 16  # of each kind: resident and free
RESIDENT_PASSWORD = "rahasia-warga-1"
ADMIN, ADMIN_PASSWORD = "diskominfo", "sandi-admin-2026"


def _hidden_fields(html: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def _post(
    port: int, path: str, fields: dict[str, str], cookies: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    """POST a form; (status, body, the cookies it set)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request("POST", path, body=urlencode(fields), headers=headers)
        response = conn.getresponse()
        set_cookies = dict(
            value.split(";", 1)[0].split("=", 1)
            for name, value in response.getheaders()
            if name.lower() == "set-cookie"
        )
        return response.status, response.read().decode(errors="replace"), set_cookies
    finally:
        conn.close()


def _get(port: int, path: str) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        set_cookies = dict(
            value.split(";", 1)[0].split("=", 1)
            for name, value in response.getheaders()
            if name.lower() == "set-cookie"
        )
        return response.status, response.read().decode(errors="replace"), set_cookies
    finally:
        conn.close()


def admin_sign_in(port: int) -> int:
    """The admin sign-in form, then signing in: 303 on to the admin pages."""
    status, page, cookies = _get(port, "/admin/login")
    if status != 200:
        return status
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    fields = {"csrf": match.group(1), "username": ADMIN, "password": ADMIN_PASSWORD, "next": ""}
    status, _, _ = _post(port, "/admin/login", fields, cookies)
    return status


def portal_login(port: int, router: str, n: int, kind: str) -> int:
    """A villager's way in through the portal, as the router's login page starts it: the
    landing page, then the resident or free form. The status of the last answer."""
    mac = client_mac(500 + n)
    status, page, cookies = _post(
        port,
        "/portal/login",
        {
            "router": router,
            "mac": mac,
            "ip": client_ip(500 + n),
            "link-login-only": "http://10.5.50.1/login",
            "link-orig": "http://example.org/",
            "chap-id": "\\371",
            "chap-challenge": "".join(f"\\{k:03o}" for k in range(200, 216)),
            "server-name": "hotspot1",
        },
    )
    if status != 200:
        return status
    if kind == "resident":
        action, extra = "/portal/member", {"username": f"warga{n}", "password": RESIDENT_PASSWORD}
    else:
        action, extra = "/portal/free", {"terms": "1"}
    status, _, _ = _post(port, action, _hidden_fields(page, action) | extra, cookies)
    return status


def test_the_web_service_answers_every_login_while_radius_writes_accounting(
    settings: Settings,
    village: Village,
    sessions: sessionmaker[Session],
    db_url: str,
    tmp_path: Path,
) -> None:
    if make_url(db_url).get_backend_name() != "sqlite":
        pytest.skip("the embedded default's case: one SQLite file for both services")
    with sessions.begin() as session:
        site = require_site_code(session=session, scope=OPERATOR, code=village.site_code)
        free = make_profile(session, name="gratis", session_timeout=1800)
        site.allow_free, site.free_profile_id = True, free.id
        router = session.get(Router, village.router_id)
        assert router is not None
        router_name = router.name
        make_admin(
            session=session, username=ADMIN, password=ADMIN_PASSWORD, role=AdminRole.PROVINCE
        )
        for n in range(WEB_LOGINS):
            make_member(
                session=session,
                site_code=village.site_code,
                profile_name=village.profile,
                username=f"warga{n}",
                password=RESIDENT_PASSWORD,
            )
    codes = codes_for(sessions, village)
    running = services(
        database_url=settings.resolved_database_url,
        secret_key=settings.secret_key,
        router_secret=SECRET,
        workdir=tmp_path / "serve",
        args=("serve",),
    )
    try:
        running.start()
        running.wait_for_web()
        statuses: list[int] = []

        async def web_logins(done: asyncio.Event) -> None:
            try:
                # Spread over more than RADIUS's 15-second housekeeping.
                for n in range(WEB_LOGINS):
                    for kind in ("resident", "free"):
                        status = await asyncio.to_thread(
                            portal_login, running.web_port, router_name, n, kind
                        )
                        statuses.append(status)
                    statuses.append(await asyncio.to_thread(admin_sign_in, running.web_port))
                    await asyncio.sleep(1.0)
            finally:
                done.set()

        async def radius_load(done: asyncio.Event) -> FuzzReport:
            report = FuzzReport(seed=0)
            async with running.router() as router:
                logins = [
                    await router.login(code, code, mac=client_mac(n), ip=client_ip(n))
                    for n, code in enumerate(codes, 1)
                ]
                traffic = [GoodTraffic(router, [login.session], interims=50) for login in logins]

                async def client(one: GoodTraffic) -> None:
                    while not done.is_set():
                        await one.step(report)

                await asyncio.gather(*(client(one) for one in traffic))
            return report

        async def scenario() -> FuzzReport:
            done = asyncio.Event()
            load = asyncio.ensure_future(radius_load(done))
            await asyncio.sleep(1.0)  # accounting flowing before the first login
            await web_logins(done)
            return await load

        report = asyncio.run(asyncio.wait_for(scenario(), SCENARIO_TIMEOUT))
        assert report.good_sent > 0 and report.good_acknowledged == report.good_sent, report
        assert statuses == [200, 200, 303] * WEB_LOGINS, statuses
        assert "Traceback" not in running.output(), running.output()
    finally:
        running.stop()
