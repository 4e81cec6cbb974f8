"""The portal in a real browser (headless Chromium): the whole way from the router's login page
to an Access-Accept, the page-weight budget for satellite villages, phones, and no JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from pyrad import packet
from sqlalchemy.orm import Session, sessionmaker
from wdtest.browser import OLD_ANDROID, OLD_ANDROID_NO_JS, chromium, open_tab, page_weight
from wdtest.factories import make_batch, make_profile, make_router, make_site
from wdtest.radius import RunningRadius, client, running_radius
from wdtest.webserver import FakeRouter, RecordedPost, fake_router, serve_app

from portal.app import create_app
from wifidesa.access.captive import decode_octal
from wifidesa.admin.scope import OPERATOR
from wifidesa.crypto import SecretBox
from wifidesa.places.hotspot_files import render_hotspot_files
from wifidesa.places.routers import RouterChanges, edit_router, require_router_named
from wifidesa.settings import Settings
from wifidesa.vouchers.codes import format_code

SECRET = "browser-router-secret-1"
CHAP_ID = "\\243"
CHAP_CHALLENGE = "".join(f"\\{n:03o}" for n in range(30, 46))
BUDGET = 20 * 1024


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@pytest.fixture
def codes(sessions: sessionmaker[Session], box: SecretBox) -> list[str]:
    with sessions.begin() as session:
        site = make_site(session, code="desa-b")
        # The fake router listens on 127.0.0.1: that is its hotspot address here.
        make_router(
            session, box, site=site, ip="127.0.0.1", secret=SECRET, hotspot_address="127.0.0.1"
        )
        profile = make_profile(session, name="harian", daily_bytes=10**9)
        return make_batch(session=session, site_code=site.code, profile_name=profile.name, count=3)[
            1
        ]


@pytest.fixture
def portal(settings: Settings, codes: list[str]) -> Iterator[str]:
    with serve_app(create_app(settings)) as url:
        yield url


def routeros_login_page(
    portal: str, router_name: str, router: FakeRouter | None, link_orig: str = "http://example.org/"
) -> str:
    """Our login.html as RouterOS serves it: its $(variables) filled in for one client."""
    page = render_hotspot_files(router_name=router_name, portal_url=portal)["login.html"]
    hotspot = router.url if router else "http://127.0.0.1:9"
    values = {
        "mac": "AA:BB:CC:DD:EE:01",
        "ip": "10.5.50.33",
        "username": "",
        "error": "",
        "link-login": f"{hotspot}/login?dst=http%3A%2F%2Fexample.org%2F",
        "link-login-only": f"{hotspot}/login",
        "link-orig": link_orig,
        "chap-id": CHAP_ID,
        "chap-challenge": CHAP_CHALLENGE,
        "identity": "desa-b",
        "server-name": "hotspot1",
    }
    for name, value in values.items():
        page = page.replace(f"$({name})", value)
    return page


def router_name(sessions: sessionmaker[Session]) -> str:
    from sqlalchemy import select

    from wifidesa.db.models import Router

    with sessions() as session:
        return str(session.scalars(select(Router.name)).one())


def register_hotspot(
    sessions: sessionmaker[Session], router: FakeRouter, address: str | None = None
) -> None:
    """The router's hotspot is the fake router: its port, as an operator would register it."""
    port = int(router.url.rsplit(":", 1)[1])
    with sessions.begin() as session:
        registered = require_router_named(
            session=session, scope=OPERATOR, name=router_name(sessions)
        )
        edit_router(
            session=session,
            scope=OPERATOR,
            router_id=registered.id,
            changes=RouterChanges(hotspot_port=port, hotspot_address=address),
        )


def reached_router(page: Page, router: FakeRouter) -> RecordedPost:
    """Wait inside Playwright (its sync API routes requests only while called) for the
    hand-off form to arrive at the router."""
    page.wait_for_url(f"{router.url}/login", timeout=30_000)
    return router.wait_for_post(timeout=30)


@pytest.fixture
def radius(settings: Settings, codes: list[str]) -> Iterator[RunningRadius]:
    with running_radius(settings) as running:
        yield running


def test_villager_types_a_voucher_and_radius_accepts_the_handoff(
    browser: Browser,
    portal: str,
    codes: list[str],
    sessions: sessionmaker[Session],
    radius: RunningRadius,
) -> None:
    name = router_name(sessions)
    with fake_router() as router:
        register_hotspot(sessions, router)
        router.page = routeros_login_page(portal, name, router)
        with open_tab(browser, OLD_ANDROID) as tab:
            refused: list[str] = []  # what Chromium's Content-Security-Policy blocked
            tab.page.on("console", lambda m: refused.append(m.text) if "Policy" in m.text else 0)
            tab.page.goto(router.url + "/login")  # the hotspot's login.html
            tab.page.wait_for_selector("#code")  # it posted itself to the portal
            assert tab.page.url.startswith(portal)
            tab.page.fill("#code", format_code(codes[0]).lower())  # as a villager types it
            tab.page.click("form[action='/portal/voucher'] button")
            post = reached_router(tab.page, router)  # the hand-off script ran: CSP let it
            assert tab.foreign_hosts() == frozenset()
            assert refused == []
    assert post.path == "/login"
    assert post.fields["username"] == codes[0]
    assert post.fields["dst"] == "http://example.org/"
    # What the router does next: CHAP to our RADIUS with the page's chap-id and challenge.
    chap_id, challenge = decode_octal(CHAP_ID), decode_octal(CHAP_CHALLENGE)
    assert chap_id is not None and challenge is not None
    with client(radius, SECRET) as c:
        req = c.CreateAuthPacket(code=packet.AccessRequest, User_Name=post.fields["username"])
        req["CHAP-Password"] = chap_id + bytes.fromhex(post.fields["password"])
        req["CHAP-Challenge"] = challenge
        req["Calling-Station-Id"] = "AA:BB:CC:DD:EE:01"
        req.add_message_authenticator()
        assert c.SendPacket(req).code == packet.AccessAccept


def test_login_page_weighs_under_20_kb_and_needs_no_other_host(
    browser: Browser, portal: str, sessions: sessionmaker[Session]
) -> None:
    query = urlencode(
        {
            "router": router_name(sessions),
            "mac": "AA:BB:CC:DD:EE:01",
            "link-login-only": "http://127.0.0.1:9/login",
            "chap-id": CHAP_ID,
            "chap-challenge": CHAP_CHALLENGE,
            "link-orig": "http://example.org/",
        }
    )
    weight = page_weight(browser, f"{portal}/portal/login?{query}", device=OLD_ANDROID)
    assert weight.status == 200
    assert weight.foreign_hosts == frozenset() and weight.blocked == ()
    assert 0 < weight.transferred_bytes <= BUDGET, weight.transferred_bytes


def test_page_fits_a_320_px_screen(
    browser: Browser, portal: str, sessions: sessionmaker[Session]
) -> None:
    with fake_router() as router, open_tab(browser, OLD_ANDROID) as tab:
        router.page = routeros_login_page(portal, router_name(sessions), router)
        tab.page.goto(router.url + "/login")
        tab.page.wait_for_selector("#code")
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the page is {width} px wide on a 320 px screen"
        assert tab.page.is_visible("form[action='/portal/voucher'] button")


def test_without_javascript_buttons_do_the_posting(
    browser: Browser, portal: str, codes: list[str], sessions: sessionmaker[Session]
) -> None:
    with fake_router() as router, open_tab(browser, OLD_ANDROID_NO_JS) as tab:
        register_hotspot(sessions, router)
        router.page = routeros_login_page(portal, router_name(sessions), router)
        tab.page.goto(router.url + "/login")
        tab.page.click("noscript button, form button")  # the router page's "Lanjutkan"
        tab.page.wait_for_selector("#code")
        tab.page.fill("#code", codes[1])
        tab.page.click("form[action='/portal/voucher'] button")
        tab.page.wait_for_selector("form#f button")  # the hand-off did not submit itself
        tab.page.click("form#f button")
        post = reached_router(tab.page, router)
    assert post.fields["username"] == codes[1]


def _relay_links(attacker: str, router: str) -> list[str]:
    """`link-login-only` values that Python's URL parser and a browser read differently, or
    that name the router's host on another port, in other spellings (attacker and router are
    host:port on 127.0.0.1)."""
    a_port, r_port = attacker.rsplit(":", 1)[1], router.rsplit(":", 1)[1]
    return [
        f"http://{attacker}\\@{router}/login",  # Chromium: host = attacker; urlsplit: router
        f"http://{router}@{attacker}/login",  # userinfo
        f"http://{attacker}/login",  # the router's host, another port
        f"HTTP://LOCALHOST.:{a_port}/login",  # mixed case, trailing dot
        f"http://[::ffff:127.0.0.1]:{a_port}/login",  # IPv6 form of the same host
        f"http://127.0.0.1%3A{a_port}/login",  # encoded characters
        f"http://0x7f.1:{a_port}/login?r={r_port}",  # numeric host forms
    ]


def test_a_crafted_login_link_never_sends_the_code_anywhere_but_the_registered_hotspot(
    browser: Browser, portal: str, codes: list[str], sessions: sessionmaker[Session]
) -> None:
    # An ordinary link to the real portal with a crafted link-login-only once made the hand-off
    # form post the villager's voucher code to whatever host the browser read in it.
    with fake_router() as router, fake_router() as attacker:
        register_hotspot(sessions, router)
        for i, link in enumerate(_relay_links(attacker.url[7:], router.url[7:])):
            query = urlencode(
                {
                    "router": router_name(sessions),
                    "mac": f"AA:BB:CC:DD:EE:{i:02X}",
                    "link-login-only": link,
                    "link-orig": "http://example.org/",
                }
            )
            with open_tab(browser, OLD_ANDROID) as tab:
                tab.page.goto(f"{portal}/portal/login?{query}")
                tab.page.wait_for_selector("#code")
                tab.page.fill("#code", codes[0])
                tab.page.click("form[action='/portal/voucher'] button")
                post = reached_router(tab.page, router)
            assert post.fields["username"] == codes[0], link
        assert attacker.posts == []


def test_a_scanned_card_fills_in_its_code_in_its_language_through_the_router(
    browser: Browser, portal: str, codes: list[str], sessions: sessionmaker[Session]
) -> None:
    # The card page once left the code in a SameSite cookie, which the router's login page,
    # posting to us from another site, never brought along: the form came up empty.
    name = router_name(sessions)
    with fake_router() as router:
        register_hotspot(sessions, router, address="localhost")  # another site than the portal

        def routeros(path: str) -> str:  # RouterOS puts ?dst= into $(link-orig)
            dst = dict(parse_qsl(urlsplit(path).query)).get("dst", "http://example.org/")
            return routeros_login_page(portal, name, router, link_orig=dst)

        router.page = routeros
        with open_tab(browser, OLD_ANDROID, also=("localhost",)) as tab:
            tab.page.goto(f"{portal}/portal/v/{codes[2]}?s=desa-b&lang=en")  # the QR; English
            tab.page.click("a:has-text('Continue')")  # on to the hotspot, which posts to us
            tab.page.wait_for_selector("#code")
            assert tab.page.input_value("#code") == format_code(codes[2])
            assert tab.page.get_attribute("html", "lang") == "en"
