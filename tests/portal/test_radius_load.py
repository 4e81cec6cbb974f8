"""The web service and the RADIUS service on one SQLite file, as `make run` starts them: with a
router's accounting flowing and housekeeping running, villagers' logins and admins' sign-ins
all succeed (SQLite's "database is locked" once answered them with 500)."""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest
from pyrad import packet
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_admin, make_member
from wdtest.radius import RunningRadius, client, running_radius
from wdtest.webserver import serve_app

from portal.app import create_app
from wifidesa.db.models import AdminRole
from wifidesa.settings import Settings

from .conftest import ROUTER_SECRET, Village, form_fields, router_post

WAIT = 120.0  # an upper bound only
ROUNDS = 6
ACCOUNTING_LINES = 6


class Web:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "", parts.port

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None, cookie: str = ""
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=WAIT)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        try:
            body = urlencode(fields) if fields is not None else None
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            cookies = "; ".join(
                v.split(";", 1)[0] for k, v in answer.getheaders() if k == "set-cookie"
            )
            return answer.status, answer.read().decode(), cookies
        finally:
            conn.close()


def _accounting(radius: RunningRadius, stop: threading.Event, sent: list[int], line: int) -> None:
    """A router's sessions: Starts, then Interim-Updates, as fast as they are answered."""
    with client(radius, ROUTER_SECRET, timeout=WAIT) as c:
        n = 0
        while not stop.is_set():
            req = c.CreateAcctPacket(User_Name=f"tamu-{n % 50}")
            req["Acct-Status-Type"] = "Start" if n < 50 else "Interim-Update"
            req["Acct-Session-Id"] = f"81e{line}{n % 50:04d}"
            req["Acct-Output-Octets"] = n * 1000
            req["Calling-Station-Id"] = f"AA:BB:CC:09:{line:02X}:{n % 50:02X}"
            assert c.SendPacket(req).code == packet.AccountingResponse
            n += 1
        sent.append(n)


def _housekeeping(radius: RunningRadius, stop: threading.Event) -> None:
    while not stop.wait(0.2):
        radius.call(lambda: radius.worker.housekeep_now(force_reap=True))


def _resident(web: Web, village: Village, n: int, round_: int) -> int:
    mac = f"AA:BB:CC:02:{n:02X}:{round_:02X}"
    status, page, cookie = web.request("POST", "/portal/login", router_post(village, mac=mac))
    if status != 200:
        return status
    fields = form_fields(page, "/portal/member") | {
        "username": f"warga{n}",
        "password": f"rahasia-warga{n}",
    }
    status, page, _ = web.request("POST", "/portal/member", fields, cookie)
    return status if "10.5.50.1/login" in page or status != 200 else -1


def _free(web: Web, village: Village, n: int, round_: int) -> int:
    mac = f"AA:BB:CC:03:{n:02X}:{round_:02X}"
    status, page, cookie = web.request("POST", "/portal/login", router_post(village, mac=mac))
    if status != 200:
        return status
    fields = form_fields(page, "/portal/free") | {"terms": "1"}
    status, page, _ = web.request("POST", "/portal/free", fields, cookie)
    return status if "10.5.50.1/login" in page or status != 200 else -1


def _admin(web: Web, _village: Village, n: int, _round: int) -> int:
    status, page, cookie = web.request("GET", "/admin/login")
    if status != 200:
        return status
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    fields = {"csrf": match.group(1), "username": f"admin{n}", "password": f"sandi-admin-{n}"}
    status, _, _ = web.request("POST", "/admin/login", fields, cookie)
    return status


@pytest.mark.slow
def test_logins_and_sign_ins_succeed_while_radius_writes(
    settings: Settings, village: Village, sessions: sessionmaker[Session], backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL has row locks, not one writer at a time")
    with sessions.begin() as session:
        for n in range(4):
            make_member(
                session=session,
                site_code="desa-p",
                profile_name="harian",
                username=f"warga{n}",
                password=f"rahasia-warga{n}",
            )
            make_admin(
                session=session,
                username=f"admin{n}",
                password=f"sandi-admin-{n}",
                role=AdminRole.PROVINCE,
            )
    results: list[tuple[str, int]] = []
    stop = threading.Event()
    sent: list[int] = []
    with running_radius(settings) as radius, serve_app(create_app(settings)) as base:
        web = Web(base)
        load = [
            threading.Thread(target=_accounting, args=(radius, stop, sent, line))
            for line in range(ACCOUNTING_LINES)
        ]
        load.append(threading.Thread(target=_housekeeping, args=(radius, stop)))
        for thread in load:
            thread.start()

        def user(kind: Callable[[Web, Village, int, int], int], n: int) -> None:
            for round_ in range(ROUNDS):
                results.append((kind.__name__, kind(web, village, n, round_)))

        users = [
            threading.Thread(target=user, args=(kind, n))
            for kind in (_resident, _free, _admin)
            for n in range(4)
        ]
        try:
            for thread in users:
                thread.start()
            for thread in users:
                thread.join(WAIT * 2)
        finally:
            stop.set()
            for thread in load:
                thread.join(WAIT)
    assert len(sent) == ACCOUNTING_LINES and min(sent) > 50  # accounting went on all along
    assert len(results) == 3 * 4 * ROUNDS
    failed = [(kind, status) for kind, status in results if status not in (200, 303)]
    assert not failed, failed
