"""Every admin page on a 320 px phone without JavaScript, in headless Chromium: it fits the
screen (wide tables scroll inside their own box, not the page) and loads nothing from another
host. The pages come from the one route list of the permission matrix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import PROVINCE, World, session_token
from wdtest.browser import OLD_ANDROID_NO_JS, chromium, open_tab
from wdtest.routes import all_routes
from wdtest.webserver import serve_app

from portal.admin.web import SESSION_COOKIE
from portal.app import create_app
from wifidesa.settings import Settings

# Downloads and print views (laid out for paper, not for the phone's screen) are left out.
NOT_SCREENS = ("/csv", "/pdf", "/print", ".zip", "/file", "/logout", "/jobs/")
PAGES = sorted(
    {
        r.path
        for r in all_routes()
        if r.method == "GET"
        and not r.api
        and PROVINCE in r.allowed
        and not any(part in r.path for part in NOT_SCREENS)
    }
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def test_the_page_list_covers_every_area() -> None:
    for area in ("/admin/vouchers", "/admin/members", "/admin/profiles", "/admin/sessions"):
        assert any(p.startswith(area) for p in PAGES), area
    assert "/admin/sites" in PAGES and "/admin/audit" in PAGES
    assert "/admin/stats" in PAGES and any(p.startswith("/admin/stats?area=") for p in PAGES)
    assert "/admin/fleet" in PAGES and "/admin/fleet/outages" in PAGES
    assert any(p.startswith("/admin/fleet/routers/") for p in PAGES)
    assert "/admin/fleet/tasks" in PAGES


def test_every_admin_page_fits_a_phone_and_stays_on_this_host(
    browser: Browser, settings: Settings, world: World, sessions: sessionmaker[Session]
) -> None:
    token = session_token(sessions, PROVINCE)
    too_wide = []
    with serve_app(create_app(settings)) as base, open_tab(browser, OLD_ANDROID_NO_JS) as tab:
        tab.page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base}])
        for template in PAGES:
            path = template.format(**world.ids)
            answer = tab.page.goto(base + path)
            assert answer is not None and answer.status == 200, f"{path}: {answer}"
            assert "/admin/login" not in tab.page.url, path
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide.append(f"{path}: {width} px")
        assert tab.foreign_hosts() == frozenset() and tab.blocked == []
    assert not too_wide, "pages wider than a 320 px phone: " + ", ".join(too_wide)
