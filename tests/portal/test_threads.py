"""The web service under concurrent requests: blocking work runs off the event loop, and
transactions that overlap in threads neither stall the other pages nor fail on SQLite."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_member
from wdtest.webserver import serve_app

from portal.app import create_app
from wifidesa.access import captive
from wifidesa.settings import Settings

from .conftest import Village, form_fields, router_post

WAIT = 60.0  # an upper bound only: every wait ends as soon as the answer is there


@pytest.fixture
def server(settings: Settings, village: Village) -> Iterator[str]:
    with serve_app(create_app(settings)) as url:
        yield url


def _post(base: str, path: str, fields: dict[str, str], cookie: str = "") -> tuple[int, str, str]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=WAIT)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    try:
        conn.request("POST", path, body=urlencode(fields), headers=headers)
        answer = conn.getresponse()
        cookies = "; ".join(
            value.split(";", 1)[0] for name, value in answer.getheaders() if name == "set-cookie"
        )
        return answer.status, answer.read().decode(), cookies
    finally:
        conn.close()


def _resident_login(base: str, village: Village, mac: str, username: str) -> tuple[int, str]:
    status, page, cookie = _post(base, "/portal/login", router_post(village, mac=mac))
    assert status == 200, page
    fields = form_fields(page, "/portal/member") | {
        "username": username,
        "password": f"rahasia-{username}",
    }
    status, page, _ = _post(base, "/portal/member", fields, cookie)
    return status, page


def test_a_slow_password_check_does_not_stall_other_villages_pages(
    server: str, village: Village, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Handlers once ran argon2 on the one event loop: every resident login stalled every page.
    gate, checking = threading.Event(), threading.Event()
    real_verify = captive.verify_password

    def stuck_verify(password: str, password_hash: str) -> bool:
        checking.set()
        gate.wait(WAIT)
        return real_verify(password, password_hash)

    monkeypatch.setattr(captive, "verify_password", stuck_verify)
    login = threading.Thread(
        target=_resident_login, args=(server, village, "AA:BB:CC:00:00:07", "budi")
    )
    login.start()
    try:
        assert checking.wait(WAIT), "the login never reached its password check"
        status, page, _ = _post(server, "/portal/login", router_post(village))
        assert status == 200 and 'action="/portal/voucher"' in page
        assert login.is_alive()  # the page was served while the check was still running
    finally:
        gate.set()
        login.join(WAIT)


def test_concurrent_resident_logins_all_get_their_handoff(
    server: str, village: Village, sessions: sessionmaker[Session]
) -> None:
    # In threads, SQLite transactions overlap: one that read and then writes failed with
    # "database is locked" when another wrote in between (a 500 for the villager).
    names = [f"warga{n}" for n in range(10)]
    with sessions.begin() as session:
        for name in names:
            make_member(
                session=session,
                site_code="desa-p",
                profile_name="harian",
                username=name,
                password=f"rahasia-{name}",
            )
    results: list[tuple[int, str]] = []

    def logins(n: int) -> None:
        for round_ in range(5):
            mac = f"AA:BB:CC:01:{n:02X}:{round_:02X}"
            results.append(_resident_login(server, village, mac, names[n]))

    threads = [threading.Thread(target=logins, args=(n,)) for n in range(len(names))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert len(results) == 5 * len(names)
    assert all(status == 200 and "10.5.50.1/login" in page for status, page in results), [
        status for status, _ in results
    ]
