"""The three charts in a real page, in headless Chromium at a phone's 320 px: visible, inside
the screen, every label inside its chart and readable, under the app's security headers, and
nothing fetched from another host."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from playwright.sync_api import Browser, ConsoleMessage
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from wdtest.browser import DESKTOP, OLD_ANDROID_NO_JS, Device, chromium, open_tab
from wdtest.webserver import serve_app

from portal.app import TEMPLATES_DIR
from portal.security_headers import SecurityHeaders, security_headers
from portal.stats.charts import Bar, Series, bar_chart, daily_trend, heatmap, render
from wifidesa.i18n import gettext_for
from wifidesa.stats.sheets import Kind

# The admin layout, each chart with its figures in a table beside it (below it on a phone).
PAGE = """{% extends "admin/base.html" %}{% block content %}<h1>Statistik</h1>
{% for chart, rows in charts %}<div class="c" style="display:flex;flex-wrap:wrap;gap:1em">
<div style="flex:1 1 18em;min-width:0">{{ chart }}</div>
<div class="t" style="flex:1 1 12em"><table>{% for row in rows %}<tr><th>{{ row[0] }}</th>
<td>{{ row[1] }}</td></tr>{% endfor %}</table></div></div>{% endfor %}{% endblock %}"""
CHART_IDS = ("trend", "villages", "hours")


def charts(language: str) -> list[tuple[Markup, list[tuple[str, str]]]]:
    _ = gettext_for(language)
    days = [date(2026, 3, 1) + timedelta(days=n) for n in range(31)]
    data = [None if 9 < n < 13 else (0 if n == 20 else (n % 7 + 1) * 1.3e9) for n in range(31)]
    devices = [None if v is None else n + 40 for n, v in enumerate(data)]
    trend = daily_trend(
        days=days,
        series=[Series("Data", Kind.OCTETS, data), Series("Perangkat", Kind.INTEGER, devices)],
        title="Tren harian",
        language=language,
        gettext=_,
    )
    villages = [
        Bar("Desa <script>alert(1)</script> & Co", 10**15),
        Bar("Long Apari, Kecamatan Long Apari, Kabupaten Mahakam Ulu", 3 * 10**12),
        Bar("Nol", 0),
        Bar("Tanpa data", None),
    ]
    bars = bar_chart(
        bars=villages, kind=Kind.OCTETS, title="Desa teratas", language=language, gettext=_
    )
    hours: list[list[float | None]] = [
        [None if d == 6 and h < 6 else float(max(0, round(50 * math.sin((h - 6) / 3.8))) * (d + 1))
         for h in range(24)]
        for d in range(7)
    ]  # fmt: skip
    grid = heatmap(
        values=hours, kind=Kind.INTEGER, title="Sesi per jam", language=language, gettext=_
    )
    trend_rows = [(str(d), str(v)) for d, v in zip(days, data, strict=True)]
    return [
        (render(trend, element_id=CHART_IDS[0]), trend_rows),
        (render(bars, element_id=CHART_IDS[1]), [(b.label, str(b.value)) for b in villages]),
        (render(grid, element_id=CHART_IDS[2]), [(str(d), str(r)) for d, r in enumerate(hours)]),
    ]


def stats_app() -> SecurityHeaders:
    environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True)
    template = environment.from_string(PAGE)

    async def page(request: Request) -> Response:
        language = request.query_params.get("lang", "id")
        html = template.render(
            charts=charts(language), _=gettext_for(language), lang=language, admin=None, path="/"
        )
        return HTMLResponse(html)

    app = Starlette(routes=[Route("/", page)])
    return SecurityHeaders(app, headers=security_headers(templates=TEMPLATES_DIR, https=False))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


# Per chart: its box, and the boxes of its texts that stick out of it or are too small to read.
MEASURE = """ids => ids.map(id => {
  const svg = document.getElementById(id);
  const box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect());
  return {
    left: box.left, right: box.right, width: box.width, height: box.height,
    texts: texts.length,
    outside: texts.filter(t => t.left < box.left - 0.5 || t.right > box.right + 0.5).length,
    smallest: Math.min(...texts.map(t => t.height)),
  };
})"""


@pytest.mark.parametrize("device", [OLD_ANDROID_NO_JS, DESKTOP], ids=["phone-320", "desktop"])
def test_charts_show_whole_and_readable_with_nothing_from_outside(
    browser: Browser, device: Device
) -> None:
    console: list[str] = []
    with serve_app(stats_app()) as base, open_tab(browser, device) as tab:

        def keep(message: ConsoleMessage) -> None:
            console.append(f"{message.type}: {message.text}")

        tab.page.on("console", keep)
        response = tab.page.goto(f"{base}/")
        assert response is not None and response.status == 200
        assert "default-src 'none'" in response.headers["content-security-policy"]
        for chart_id in CHART_IDS:
            assert tab.page.locator(f"svg#{chart_id}").is_visible()
        charts_measured = tab.page.evaluate(MEASURE, list(CHART_IDS))
        page_width, viewport = tab.page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        title = tab.page.locator("svg#villages text").first.text_content()
        assert tab.foreign_hosts() == frozenset()
        assert tab.blocked == []

    assert page_width <= viewport == device.width  # no sideways scrolling
    for chart in charts_measured:
        assert chart["left"] >= 0 and chart["right"] <= viewport
        assert chart["width"] >= 250 and chart["height"] >= 100
        assert chart["width"] <= 560.5  # capped on a wide screen: text stays in proportion
        assert chart["texts"] > 3 and chart["outside"] == 0
        assert chart["smallest"] >= 9  # px: a label's line box, ~10 px type on the phone
    assert title == "Desa <script>alert(1)</script> & Co"
    assert [line for line in console if line.startswith("error")] == []  # no CSP refusal
