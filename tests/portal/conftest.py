"""A village with a router whose hotspot is at 10.5.50.1, vouchers, a resident and free access."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_batch, make_member, make_profile, make_router, make_site

from portal.app import create_app
from wifidesa.crypto import SecretBox
from wifidesa.settings import Settings

ROUTER_SECRET = "portal-router-secret-01"
CHAP_ID = "\\371"
CHAP_CHALLENGE = "".join(f"\\{n:03o}" for n in range(200, 216))


@dataclass
class Village:
    router: str
    codes: list[str]


@pytest.fixture
def village(sessions: sessionmaker[Session], box: SecretBox) -> Village:
    with sessions.begin() as session:
        site = make_site(session, code="desa-p")
        router = make_router(
            session,
            box,
            site=site,
            ip="127.0.0.1",
            secret=ROUTER_SECRET,
            hotspot_address="10.5.50.1",
        )
        profile = make_profile(
            session, name="harian", daily_bytes=10**9, devices_at_once=2, remember_device_days=7
        )
        free = make_profile(session, name="gratis", session_timeout=1800)
        site.allow_free, site.free_profile_id = True, free.id
        make_member(
            session=session,
            site_code=site.code,
            profile_name="harian",
            username="budi",
            password="rahasia-budi",
        )
        _, codes = make_batch(
            session=session, site_code=site.code, profile_name=profile.name, count=5
        )
        return Village(router.name, codes)


@pytest.fixture
def web(settings: Settings, village: Village) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def router_post(village: Village, **changes: str) -> dict[str, str]:
    """The fields the router's login.html auto-posts, as RouterOS fills them in."""
    return {
        "router": village.router,
        "mac": "AA:BB:CC:00:11:22",
        "ip": "10.5.50.77",
        "username": "",
        "link-login": "http://10.5.50.1/login?dst=x",
        "link-login-only": "http://10.5.50.1/login",
        "link-orig": "http://example.org/news",
        "error": "",
        "chap-id": CHAP_ID,
        "chap-challenge": CHAP_CHALLENGE,
        "identity": "desa-p-1",
        "server-name": "hotspot1",
    } | changes


def form_fields(html: str, form_action: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*action="{re.escape(form_action)}".*?</form>', html, re.S)
    assert form, f"no form posting to {form_action}"
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))
