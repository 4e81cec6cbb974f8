"""Debian's headless Chromium, driven by Playwright's sync API, for tests of real pages.

Every page runs in a fresh browser context that lets only 127.0.0.1 through: a request to any
other host is recorded and aborted before it is sent, and the browser resolves no name but
localhost, so nothing leaves the machine even if the routing were bypassed. Villages sit
behind a walled garden on a satellite link, so the two things a page test asks are "what did
it try to fetch from outside?" and "how many bytes did it cost?".

Playwright cannot download a browser here; it drives /usr/bin/chromium (scripts/system-deps.sh
installs it), which Playwright's protocol client speaks to as long as the two are of a similar
age (Playwright 1.65 with Chromium 156 here).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, CDPSession, Page, Request, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOST = "127.0.0.1"

# Playwright adds --headless and a fresh temporary --user-data-dir itself (and refuses a
# --user-data-dir in args); the rest is what Debian's Chromium needs as root on a closed network.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",  # Chromium's sandbox refuses to run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium calls Google at start-up and is refused, many times over.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Second line of defence behind the request routing: no name but localhost resolves, and
    # the rule also covers IP literals, so 127.0.0.1 is excluded by hand.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE {LOCAL_HOST}",
)

# The stock browser / WebView of a cheap Android 4.4 phone, still common in villages; it is
# also what Android's captive-portal sign-in window reports on such phones.
OLD_ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 4.4.2; SM-G350E Build/KOT49H) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/30.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class Device:
    """How a page is viewed: window size, user agent, phone emulation, JavaScript on or off."""

    width: int = 1280
    height: int = 720
    user_agent: str | None = None  # None: Chromium's own
    # A phone lays a page out 980 px wide unless the page has a viewport meta tag.
    mobile: bool = False
    javascript: bool = True

    def context_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "viewport": {"width": self.width, "height": self.height},
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
            "java_script_enabled": self.javascript,
        }
        if self.user_agent is not None:
            options["user_agent"] = self.user_agent
        return options


DESKTOP = Device()
OLD_ANDROID = Device(width=320, height=640, user_agent=OLD_ANDROID_UA, mobile=True)
OLD_ANDROID_NO_JS = dataclasses.replace(OLD_ANDROID, javascript=False)


@contextmanager
def chromium(*, executable: Path = CHROMIUM) -> Iterator[Browser]:
    """Launch headless Chromium for a module or a session; closed (with Playwright) on exit."""
    if not executable.exists():
        raise FileNotFoundError(f"{executable} is missing: run scripts/system-deps.sh as root")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def foreign_hosts(urls: Iterable[str], host: str) -> frozenset[str]:
    """Hosts of the http(s) URLs other than `host` (data: and blob: URLs have none)."""
    hosts = {urlsplit(url).hostname for url in urls if urlsplit(url).scheme in ("http", "https")}
    return frozenset(h for h in hosts if h is not None and h != host)


@dataclass
class Tab:
    """A page in its own browser context, with every request it made and those it was refused."""

    page: Page
    requested: list[str] = field(default_factory=list)  # in order, blocked ones included
    blocked: list[str] = field(default_factory=list)

    def foreign_hosts(self, host: str = LOCAL_HOST) -> frozenset[str]:
        return foreign_hosts(self.requested, host)


@contextmanager
def open_tab(
    browser: Browser,
    device: Device = DESKTOP,
    *,
    timeout: float = 30.0,
    also: tuple[str, ...] = (),
) -> Iterator[Tab]:
    """A fresh context (no cache, no cookies) and page; only 127.0.0.1 (and the loopback names
    in `also`, e.g. "localhost" for a second site) is let through."""
    context = browser.new_context(**device.context_options(), service_workers="block")
    requested: list[str] = []
    blocked: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname in (LOCAL_HOST, *also):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def record(request: Request) -> None:
        requested.append(request.url)

    try:
        context.set_default_timeout(timeout * 1000)
        # On the context, not the page: popups and frames are held to the same rule.
        context.route("**/*", guard)
        context.on("request", record)
        yield Tab(page=context.new_page(), requested=requested, blocked=blocked)
    finally:
        context.close()


@dataclass(frozen=True)
class ResponseWeight:
    """One response as it crossed the network: status line and headers, then the encoded body."""

    url: str
    kind: str  # Chromium's resource type: Document, Stylesheet, Image, Script, Font, ...
    status: int
    header_bytes: int
    body_bytes: int

    @property
    def transferred_bytes(self) -> int:
        return self.header_bytes + self.body_bytes


@dataclass(frozen=True)
class PageWeight:
    """What loading one page cost: bytes received, what was requested, what went outside."""

    url: str
    status: int
    transferred_bytes: int  # the sum over `responses`, from Chromium's own network counters
    responses: tuple[ResponseWeight, ...]  # in the order they finished; redirects included
    requested: tuple[str, ...]
    blocked: tuple[str, ...]
    foreign_hosts: frozenset[str]
    # The same total by Playwright's request.sizes(), kept only to cross-check the one above.
    playwright_bytes: int

    @property
    def document(self) -> ResponseWeight:
        """The response that became the page: the last document response for the final URL."""
        url = urlsplit(self.url)._replace(fragment="").geturl()
        return next(r for r in reversed(self.responses) if r.kind == "Document" and r.url == url)


def page_weight(
    browser: Browser, url: str, *, device: Device = DESKTOP, timeout: float = 30.0
) -> PageWeight:
    """Load `url` in a fresh context and measure every byte the page made the browser receive.

    Counts come from Chromium's DevTools events: `Network.loadingFinished.encodedDataLength`
    is every byte read off the socket for a response (status line, headers, body as sent: still
    compressed, chunk framing and all), `responseReceived`'s the part up to the end of the
    headers, and a redirect's `redirectResponse` its headers (Chromium reads no redirect body).
    Playwright's `request.sizes()` reports the same numbers but costs a round trip per request
    and sees only the requests Playwright surfaces, so it is kept as a cross-check
    (`playwright_bytes`). Bytes the browser sent (request headers, form bodies) are not counted:
    the downlink is what a page weighs. Headless Chromium's own /favicon.ico probe, which the
    page never asked for and which comes after the load event or not at all, is left out.
    """
    with open_tab(browser, device, timeout=timeout) as tab:
        network = _NetworkLog(tab.page.context.new_cdp_session(tab.page))
        finished: list[Request] = []

        def keep(request: Request) -> None:  # Playwright tags its handlers: no bound builtins
            finished.append(request)

        tab.page.on("requestfinished", keep)
        response = tab.page.goto(url, wait_until="load")
        if response is None:
            raise RuntimeError(f"loading {url} gave no response")
        network.wait_until_settled(tab.page, timeout)
        responses = network.responses()
        playwright_bytes = sum(_sizes_total(request) for request in finished)
        final_url = tab.page.url
        return PageWeight(
            url=final_url,
            status=response.status,
            transferred_bytes=sum(r.transferred_bytes for r in responses),
            responses=responses,
            requested=tuple(tab.requested),
            blocked=tuple(tab.blocked),
            foreign_hosts=tab.foreign_hosts(urlsplit(final_url).hostname or LOCAL_HOST),
            playwright_bytes=playwright_bytes,
        )


def _sizes_total(request: Request) -> int:
    sizes = request.sizes()
    return sizes["responseHeadersSize"] + sizes["responseBodySize"]


class _NetworkLog:
    """Chromium's Network domain events for one page, reduced to bytes per response."""

    def __init__(self, cdp: CDPSession) -> None:
        self._urls: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        self._status: dict[str, int] = {}
        self._header_bytes: dict[str, int] = {}
        self._pending: set[str] = set()
        self._done: list[ResponseWeight] = []
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        request_id = event["requestId"]
        redirect = event.get("redirectResponse")
        if redirect is not None:
            # A redirect reuses the request id; its response ends here, headers only (Chromium
            # does not read a redirect's body).
            self._done.append(
                ResponseWeight(
                    url=self._urls[request_id],
                    kind=self._kinds[request_id],
                    status=int(redirect["status"]),
                    header_bytes=int(redirect["encodedDataLength"]),
                    body_bytes=0,
                )
            )
        url = event["request"]["url"]
        if event.get("type") == "Other" and urlsplit(url).path == "/favicon.ico":
            return  # the browser's own favicon probe, not the page's
        self._urls[request_id] = url
        self._kinds[request_id] = str(event.get("type", "Other"))
        self._pending.add(request_id)

    def _received(self, event: dict[str, Any]) -> None:
        request_id = event["requestId"]
        if request_id in self._pending:
            self._status[request_id] = int(event["response"]["status"])
            # Bytes received when the headers were complete: the status line and headers.
            self._header_bytes[request_id] = int(event["response"]["encodedDataLength"])

    def _finished(self, event: dict[str, Any]) -> None:
        request_id = event["requestId"]
        if request_id not in self._pending:
            return
        self._pending.discard(request_id)
        total = int(event["encodedDataLength"])
        headers = self._header_bytes.get(request_id, 0)
        self._done.append(
            ResponseWeight(
                url=self._urls[request_id],
                kind=self._kinds[request_id],
                status=self._status.get(request_id, 0),
                header_bytes=headers,
                body_bytes=total - headers,
            )
        )

    def _failed(self, event: dict[str, Any]) -> None:
        self._pending.discard(event["requestId"])  # blocked or broken: nothing received

    def wait_until_settled(self, page: Page, timeout: float) -> None:
        """Wait until every request seen so far has finished or failed, and stays that way."""
        deadline = time.monotonic() + timeout
        quiet_rounds = 0
        # Events are delivered only while Playwright runs, hence the short waits on the page.
        while quiet_rounds < 3:
            if time.monotonic() > deadline:
                pending = len(self._pending)
                raise TimeoutError(f"{pending} request(s) still loading after {timeout} s")
            page.wait_for_timeout(20)
            quiet_rounds = 0 if self._pending else quiet_rounds + 1

    def responses(self) -> tuple[ResponseWeight, ...]:
        return tuple(self._done)
