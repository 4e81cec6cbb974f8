"""The fleet pages: the listing with states, filters, sorting and "not configured" apart; a
router's page with its SVG timeline and day rows; the outage log; scoped like elsewhere."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import DESA_B, KAB_OTHER, KAB_OWN, PROVINCE, World, sign_in
from wdtest.fleet import villages_polled
from wdtest.svg import parse, shapes, tip


def _rows(html: str) -> str:
    """The listing's table."""
    return html[html.index("<table>") : html.index("</table>")]


def test_the_listing_shows_each_routers_state_and_filters_and_sorts(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    villages_polled(sessions, world.ids)
    a, b, c = (str(world.ids[f"router_name_{k}"]) for k in "abc")
    sign_in(web, sessions, PROVINCE)
    listing = web.get("/admin/fleet")
    assert listing.status_code == 200
    table = _rows(listing.text)
    row_a = table[table.index(a) : table.index("</tr>", table.index(a))]
    row_b = table[table.index(b) : table.index("</tr>", table.index(b))]
    row_c = table[table.index(c) : table.index("</tr>", table.index(c))]
    assert ">mati<" in row_a and "jaringan (backhaul)" in row_a and "7.9" in row_a
    assert ">hidup<" in row_b and "100,0 %" in row_b and ">9<" in row_b
    assert "belum diatur" in row_c and "tidak ada data" in row_c  # never down
    down = _rows(web.get("/admin/fleet?state=down").text)
    assert a in down and b not in down and c not in down
    assert c in _rows(web.get("/admin/fleet?state=not_configured").text)
    old = _rows(web.get("/admin/fleet?older=7.15").text)
    assert a in old and b not in old
    assert web.get("/admin/fleet?down_hours=24").text.count("/admin/fleet/routers/") == 0
    by_state = _rows(web.get("/admin/fleet?sort=state").text)
    assert by_state.index(a) < by_state.index(c) < by_state.index(b)  # down, no data, up
    assert 'href="/admin/fleet?sort=state&amp;desc=1"' in web.get("/admin/fleet?sort=state").text
    assert web.get("/admin/fleet?state=broken").status_code == 400
    sign_in(web, sessions, KAB_OTHER)
    theirs = _rows(web.get("/admin/fleet").text)
    assert c in theirs and a not in theirs and b not in theirs
    assert web.get("/admin/fleet?area=r:64.03").status_code == 404


def test_a_routers_page_draws_its_timeline_and_lists_its_days(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    villages_polled(sessions, world.ids)
    router = world.ids["router_a"]
    sign_in(web, sessions, KAB_OWN)
    answer = web.get(f"/admin/fleet/routers/{router}")
    assert answer.status_code == 200
    text = answer.text
    svg = parse(text[text.index("<svg") : text.index("</svg>") + len("</svg>")])
    tips = [tip(rect) or "" for rect in shapes(svg, "rect")]
    assert any(t.startswith("gangguan (backhaul): ") for t in tips), tips
    assert any(t.startswith("hidup: ") for t in tips), tips
    assert any(t.startswith("tidak ada data: ") for t in tips)  # before its first poll
    assert "Puncak CPU" in text and "12 %" in text  # today's day row
    assert "Uptime bulan ini" in text
    sign_in(web, sessions, KAB_OTHER)
    assert web.get(f"/admin/fleet/routers/{router}").status_code == 404
    sign_in(web, sessions, DESA_B)
    assert web.get(f"/admin/fleet/routers/{router}").status_code == 404


def test_the_outage_log_shows_a_village_still_down(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    villages_polled(sessions, world.ids)
    sign_in(web, sessions, KAB_OWN)
    log = web.get("/admin/fleet/outages?period=week")
    assert log.status_code == 200
    table = log.text[log.text.index("<h2>Gangguan</h2>") :]
    assert str(world.ids["site_name_a"]) in table and "masih mati" in table
    assert str(world.ids["site_name_b"]) not in table
    assert "jaringan (backhaul)" in table
    assert web.get("/admin/fleet/outages?period=day&on=kemarin").status_code == 400
    sign_in(web, sessions, KAB_OTHER)
    theirs = web.get("/admin/fleet/outages?period=week").text
    assert str(world.ids["site_name_a"]) not in theirs
