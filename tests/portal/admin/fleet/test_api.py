"""The fleet in the JSON API: the listing with the page's filters and pages, a router's
history, the outage log; scoped like the pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import DESA_A, KAB_OTHER, PROVINCE, World
from wdtest.fleet import villages_polled


def _bearer(world: World, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_tokens[actor]}"}


def test_the_listing_the_history_and_the_log_through_the_api(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    villages_polled(sessions, world.ids)
    province = _bearer(world, PROVINCE)
    body = web.get("/api/fleet?sort=state", headers=province).json()
    states = [(r["name"], r["state"], r["configured"]) for r in body["routers"]]
    a, b, c = (world.ids[f"router_name_{k}"] for k in "abc")
    assert states == [(a, "down", True), (c, "unknown", False), (b, "up", True)]
    assert body["routers"][0]["cause"] == "backhaul" and body["routers"][2][
        "availability_30d"
    ] == pytest.approx(100)
    assert body["routers"][1]["availability_30d"] is None  # never polled: no data
    paged = web.get("/api/fleet?per_page=2&page=2", headers=province).json()
    assert (paged["total"], paged["page"], paged["pages"], len(paged["routers"])) == (3, 2, 2, 1)
    assert web.get("/api/fleet?sort=colour", headers=province).status_code == 422
    down = web.get("/api/fleet?state=down", headers=_bearer(world, DESA_A)).json()
    assert [r["name"] for r in down["routers"]] == [a]

    history = web.get(f"/api/fleet/routers/{world.ids['router_a']}", headers=province).json()
    assert history["router"]["name"] == a
    assert [s["kind"] for s in history["stretches"]] == ["no_data", "up", "outage"]
    assert history["days"][0]["polls"] == 6 and history["days"][0]["answered"] == 2
    assert history["window"]["outages"] == 1
    other = _bearer(world, KAB_OTHER)
    assert web.get(f"/api/fleet/routers/{world.ids['router_a']}", headers=other).status_code == 404

    log = web.get("/api/fleet/outages?period=week", headers=province).json()
    [outage] = log["outages"]
    assert (outage["router_name"], outage["cause"], outage["ended_at"]) == (a, "backhaul", None)
    assert log["incidents"] == []
    assert web.get("/api/fleet/outages?period=week", headers=other).json()["outages"] == []
    assert web.get("/api/fleet/outages?period=day&on=x", headers=other).status_code == 422
