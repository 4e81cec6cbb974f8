"""Portal latency while residents log in and an admin imports 200 residents (`make bench-portal`).

One web process (uvicorn, as `wifidesa web` runs it) on a SQLite file. A prober asks for the
village's login page over and over; first alone, then while 4 clients log residents in
(argon2 checks, ~0.2 s of CPU each) and an admin imports 200 residents (200 argon2 hashes).
Before the handlers left the event loop, every one of those hashes stalled every page.
"""

from __future__ import annotations

import http.client
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "_support"))

from wdtest.factories import make_admin, make_member, make_profile, make_router, make_site
from wdtest.webserver import serve_app

from portal.admin.web import SESSION_COOKIE, csrf_for
from portal.app import create_app
from wifidesa.admin.signin import start_web_session
from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.engine import make_engine, make_session_factory, transaction, utcnow
from wifidesa.db.models import AdminRole
from wifidesa.places.regions import ensure_reference_regions
from wifidesa.settings import load_settings

RESIDENTS = 16
LOGIN_CLIENTS = 4
IMPORT_ROWS = 200
PROBES = 200
SECRET = "bench-portal-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway bench key


def seed(url: str) -> tuple[str, str, int]:
    """A village with a router and residents, and a province admin's session token."""
    engine = make_engine(url)
    schema.upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        ensure_reference_regions(session=session)
        site = make_site(session, code="bench")
        router = make_router(session, SecretBox(SECRET), site=site, ip="127.0.0.9")
        profile = make_profile(session, name="warga")
        for n in range(RESIDENTS):
            make_member(
                session=session,
                site_code=site.code,
                profile_name=profile.name,
                username=f"warga{n}",
                password=f"rahasia-{n:04d}",
            )
        admin = make_admin(
            session=session,
            username="bench",
            password="bench-password",  # noqa: S106 - a throwaway bench database
            role=AdminRole.PROVINCE,
        )
        token = start_web_session(session=session, admin=admin, now=utcnow())
        result = router.name, token, site.id
    engine.dispose()
    return result


class Client:
    """One keep-alive HTTP connection, with the cookies the server set."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> str:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.read().decode()


def landing_path(router: str, mac: str) -> str:
    return "/portal/login?" + urlencode({"router": router, "mac": mac})


def hidden_fields(page: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def probe(base: str, router: str, count: int) -> list[float]:
    client = Client(base)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.request("GET", landing_path(router, "AA:BB:CC:00:00:01"))
        times.append(time.perf_counter() - started)
    return times


def resident_logins(base: str, router: str, n: int, stop: threading.Event) -> None:
    client = Client(base)
    mac = f"AA:BB:CC:00:01:{n:02X}"
    while not stop.is_set():
        page = client.request("GET", landing_path(router, mac))
        fields = hidden_fields(page, "/portal/member")
        resident = n % RESIDENTS
        fields |= {"username": f"warga{resident}", "password": f"rahasia-{resident:04d}"}
        client.request("POST", "/portal/member", fields)


def import_residents(base: str, token: str, site_id: int) -> float:
    client = Client(base)
    client.cookies[SESSION_COOKIE] = token
    rows = "\n".join(f"impor{n},sandi-impor-{n:04d}" for n in range(IMPORT_ROWS))
    body = {
        "csrf": csrf_for(SECRET, token),
        "site": str(site_id),
        "csv": "username,password,profile\n" + rows.replace("\n", ",warga\n") + ",warga\n",
    }
    started = time.perf_counter()
    client.request("POST", "/admin/members/import", body)
    return time.perf_counter() - started


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   "
        f"max {ordered[-1] * 1000:7.1f} ms   ({len(ordered)} requests)"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        router, token, site_id = seed(url)
        settings = load_settings(
            env_file=None, env="development", secret_key=SECRET, database_url=url
        )
        with serve_app(create_app(settings)) as base:
            probe(base, router, 20)  # warm up
            alone = probe(base, router, PROBES)
            stop = threading.Event()
            logins = [
                threading.Thread(target=resident_logins, args=(base, router, n, stop))
                for n in range(LOGIN_CLIENTS)
            ]
            imported: list[float] = []
            importer = threading.Thread(
                target=lambda: imported.append(import_residents(base, token, site_id))
            )
            for thread in (*logins, importer):
                thread.start()
            loaded = probe(base, router, PROBES)
            importer.join()
            stop.set()
            for thread in logins:
                thread.join()
    print("portal login page, alone:                       " + summary(alone))
    print(
        f"while {LOGIN_CLIENTS} clients log residents in and {IMPORT_ROWS} are imported: "
        + summary(loaded)
    )
    print(f"the import itself: {imported[0]:.1f} s")


if __name__ == "__main__":
    main()
