"""Statistics in the JSON API: the page's figures, scoped alike, bad periods answered 422."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import DESA_A, DESA_B, PROVINCE, World
from wdtest.fleet import villages_polled
from wdtest.stats_usage import village_a_used

from wifidesa.crypto import SecretBox
from wifidesa.localtime import local_day


def _bearer(world: World, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_tokens[actor]}"}


def test_village_a_through_the_api_and_only_for_those_who_reach_it(
    web: TestClient, world: World, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    day = village_a_used(sessions, world, box)
    site = f"s:{world.ids['site_code_a']}"
    answer = web.get(f"/api/stats?area={site}&period=day&on={day}", headers=_bearer(world, DESA_A))
    assert answer.status_code == 200
    body = answer.json()
    assert body["area"]["key"] == site and body["first"] == body["last"]
    assert body["totals"]["usage"]["sessions"] == 3
    assert body["totals"]["usage"]["output_octets"] == 3 * 10**9
    assert body["totals"]["devices"] == 3
    assert body["totals"]["median_session_seconds"] == [7200, 14400]
    assert [d["sites_heard"] for d in body["days"]] == [1]
    assert body["logins"] == {} and body["most_refused"] == []  # RADIUS counted none here
    assert set(body["vouchers"]) == {"issued", "handed_out", "first_used"}
    assert web.get(f"/api/stats?area={site}", headers=_bearer(world, DESA_B)).status_code == 404
    last_year = web.get("/api/stats?period=year&on=2025-06-01", headers=_bearer(world, PROVINCE))
    province = last_year.json()
    assert province["area"]["level"] == "province"
    assert [c["area"]["code"] for c in province["children"]] == ["64.02", "64.03"]
    assert len(province["days"]) == 365


def test_a_bad_period_is_a_422_with_the_reason(web: TestClient, world: World) -> None:
    answer = web.get("/api/stats?period=fortnight", headers=_bearer(world, PROVINCE))
    assert answer.status_code == 422
    assert "fortnight" in answer.json()["detail"]


def test_the_routers_uptime_is_in_the_statistics_json(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    now = villages_polled(sessions, world.ids)
    today = local_day(now, "Asia/Makassar")
    body = web.get(
        f"/api/stats?period=custom&first={today - timedelta(days=1)}&last={today}",
        headers=_bearer(world, PROVINCE),
    ).json()
    assert 0 < body["totals"]["uptime_percent"] < 100  # A down for 20 of its 30 minutes
    uptime = {c["area"]["code"]: c["uptime_percent"] for c in body["children"]}
    assert uptime["64.02"] is None and 0 < uptime["64.03"] < 100
