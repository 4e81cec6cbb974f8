"""The browser harness itself: real Chromium, real uvicorn, a fake router, all on 127.0.0.1.

The portal's own page tests build on these helpers; here they are proved against the home
page and against throwaway Starlette pages whose right answers are known byte for byte.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from wdtest.browser import (
    DESKTOP,
    OLD_ANDROID,
    OLD_ANDROID_NO_JS,
    OLD_ANDROID_UA,
    chromium,
    open_tab,
    page_weight,
)
from wdtest.webserver import fake_router, serve_app

from portal.app import create_app
from wifidesa.settings import Settings

# What Chromium sends for http:// pages; the server may pick its encoding from it.
CHROMIUM_ACCEPT_ENCODING = "gzip, deflate, br, zstd"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def wire_bytes(url: str) -> tuple[int, int]:
    """(header bytes, body bytes) of a GET of `url` as the server writes them to the socket."""
    parts = urlsplit(url)
    request = (
        f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Accept-Encoding: {CHROMIUM_ACCEPT_ENCODING}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request.encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            assert chunk, "connection closed inside the headers"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            int(v) for k, _, v in (x.partition(":") for x in lines) if k == "content-length"
        )
        while len(body) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed inside the body"
            body += chunk
    return len(head) + 4, length


def test_home_page_weight_is_counted_to_the_byte(browser: Browser, settings: Settings) -> None:
    app = create_app(settings)
    with serve_app(app) as base:
        weight = page_weight(browser, f"{base}/")
        header_bytes, body_bytes = wire_bytes(f"{base}/")
    with TestClient(app) as client:
        body = client.get("/", headers={"Accept-Encoding": CHROMIUM_ACCEPT_ENCODING})

    assert weight.status == 200
    assert 0 < weight.transferred_bytes < 20_000
    assert weight.foreign_hosts == frozenset()
    assert weight.blocked == ()
    assert weight.requested[0] == f"{base}/"
    document = weight.document
    assert (document.header_bytes, document.body_bytes) == (header_bytes, body_bytes)
    assert document.body_bytes == body.num_bytes_downloaded  # encoded, as on the wire
    assert weight.transferred_bytes == sum(r.transferred_bytes for r in weight.responses)
    assert weight.playwright_bytes == weight.transferred_bytes


def test_home_page_opens_on_an_old_android_phone_without_javascript(
    browser: Browser, settings: Settings
) -> None:
    with serve_app(create_app(settings)) as base, open_tab(browser, OLD_ANDROID_NO_JS) as tab:
        response = tab.page.goto(f"{base}/")
        assert response is not None and response.status == 200
        assert response.request.headers["user-agent"] == OLD_ANDROID_UA
        # Playwright still evaluates in its own world when the page's scripts are off.
        width, user_agent = tab.page.evaluate("[window.innerWidth, navigator.userAgent]")
        assert (width, user_agent) == (320, OLD_ANDROID_UA)
        assert tab.page.locator("h1").is_visible()
        assert tab.foreign_hosts() == frozenset()


def test_outside_hosts_are_reported_and_never_contacted(browser: Browser) -> None:
    # A listener on the loopback that only the name "localhost" leads to: a foreign host for a
    # page on 127.0.0.1 that the block must stop before it connects.
    with socket.socket() as sentinel:
        sentinel.bind(("127.0.0.1", 0))
        sentinel.listen()
        sentinel.setblocking(False)
        port = sentinel.getsockname()[1]
        page = (
            "<!doctype html><html><head>"
            '<link rel="stylesheet" href="/local.css">'
            '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
            '<script src="http://cdn.example.com/jquery.js"></script>'
            "</head><body>"
            f'<img src="http://localhost:{port}/pixel.gif" alt="">'
            "<p>halo</p></body></html>"
        )
        css = "p{color:#0b6e4f}"

        async def landing(request: Request) -> Response:
            return HTMLResponse(page)

        async def stylesheet(request: Request) -> Response:
            return Response(css, media_type="text/css")

        async def moved(request: Request) -> Response:
            return RedirectResponse("/page", status_code=302)

        app = Starlette(
            routes=[Route("/", moved), Route("/page", landing), Route("/local.css", stylesheet)]
        )
        with serve_app(app) as base:
            weight = page_weight(browser, f"{base}/", device=OLD_ANDROID)
        with pytest.raises(BlockingIOError):
            sentinel.accept()  # nobody knocked

    assert weight.url == f"{base}/page"
    assert weight.foreign_hosts == {"fonts.googleapis.com", "cdn.example.com", "localhost"}
    assert set(weight.blocked) == {
        "https://fonts.googleapis.com/css?family=Roboto",
        "http://cdn.example.com/jquery.js",
        f"http://localhost:{port}/pixel.gif",
    }
    assert set(weight.blocked) < set(weight.requested)
    # Only the redirect, the page and its local stylesheet cost bytes. Responses are listed in
    # the order they finished: the stylesheet may finish before the page's last bytes do.
    assert sorted((r.url, r.kind, r.status) for r in weight.responses) == sorted(
        [
            (f"{base}/", "Document", 302),
            (f"{base}/page", "Document", 200),
            (f"{base}/local.css", "Stylesheet", 200),
        ]
    )
    assert weight.responses[0].status == 302
    assert weight.document.body_bytes == len(page)
    stylesheet = next(r for r in weight.responses if r.kind == "Stylesheet")
    assert stylesheet.body_bytes == len(css)
    assert weight.playwright_bytes == weight.transferred_bytes


def login_form_app(action: str, *, auto_submit: bool) -> Starlette:
    """A MikroTik-style login page posting to the router; JavaScript flips `js` to "on"."""
    script = "document.sendin.js.value='on';" + ("document.sendin.submit();" if auto_submit else "")
    page = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        f'<form name="sendin" action="{action}" method="post">'
        '<input type="hidden" name="username" value="ABCD-2345">'
        '<input type="hidden" name="password" value="">'
        '<input type="hidden" name="dst" value="http://neverssl.com/">'
        '<input type="hidden" name="js" value="off">'
        "<button>Masuk</button></form>"
        f"<script>{script}</script></body></html>"
    )

    async def login(request: Request) -> Response:
        return HTMLResponse(page)

    return Starlette(routes=[Route("/", login)])


def test_form_clicked_without_javascript_reaches_the_router(browser: Browser) -> None:
    with fake_router() as router:
        app = login_form_app(f"{router.url}/login", auto_submit=False)
        with serve_app(app) as base, open_tab(browser, OLD_ANDROID_NO_JS) as tab:
            tab.page.goto(f"{base}/")
            tab.page.get_by_role("button", name="Masuk").click()
            post = router.wait_for_post(timeout=30)
            tab.page.wait_for_url(f"{router.url}/login")
            assert tab.foreign_hosts() == frozenset()

    assert post.path == "/login"
    assert post.fields == {
        "username": "ABCD-2345",
        "password": "",
        "dst": "http://neverssl.com/",
        "js": "off",
    }
    assert post.headers["user-agent"] == OLD_ANDROID_UA
    assert router.posts == [post]


def test_form_submitted_by_javascript_reaches_the_router(browser: Browser) -> None:
    with fake_router() as router:
        app = login_form_app(f"{router.url}/login?lang=id", auto_submit=True)
        with serve_app(app) as base, open_tab(browser, DESKTOP) as tab:
            tab.page.goto(f"{base}/")
            post = router.wait_for_post(timeout=30)

    assert post.path == "/login?lang=id"
    assert post.fields["js"] == "on"
    assert post.fields["username"] == "ABCD-2345"
    assert len(router.posts) == 1
