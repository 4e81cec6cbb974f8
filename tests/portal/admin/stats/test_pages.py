"""The statistics page: the figures accounting produced, drill-down links, days without data
apart from zero use, and bad periods refused with a page in the admin's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import KAB_OWN, PROVINCE, World, sign_in
from wdtest.fleet import villages_polled
from wdtest.stats_usage import village_a_used

from wifidesa.crypto import SecretBox
from wifidesa.db.models import Site
from wifidesa.localtime import local_day

WITA = "Asia/Makassar"


def test_a_kabupaten_admin_sees_village_a_counted_and_drills_down(
    web: TestClient, world: World, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    day = village_a_used(sessions, world, box)
    sign_in(web, sessions, KAB_OWN)
    top = web.get(f"/admin/stats?period=day&on={day}")
    assert top.status_code == 200
    text = top.text
    assert "Statistik" in text and "Kabupaten Kutai Kartanegara" in text
    headline = text[text.index("Ringkasan") : text.index("Per wilayah</h2>")]
    assert "<th>Sesi</th><td>3</td>" in headline
    assert "<th>Jam online</th><td>6,0</td>" in headline  # three sessions of two hours (id)
    assert str(world.ids["site_name_a"]) in text
    # the next level down links to itself, keeping the period
    assert 'href="/admin/stats?area=r%3A64.03.' in text and "period=day" in text
    village = web.get(
        f"/admin/stats?area=s:{world.ids['site_code_a']}&period=custom"
        f"&first={day - timedelta(days=1)}&last={day}"
    )
    assert village.status_code == 200
    days = village.text[village.text.index("<summary>Angkanya") :]  # the table, not the chart
    assert days.index(f"{day - timedelta(days=1)}") < days.index("tidak ada data")
    assert days.index("tidak ada data") < days.index(f"{day}")  # the day before: no data


def test_the_province_cannot_be_opened_by_a_kabupaten_admin(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, KAB_OWN)
    assert web.get("/admin/stats?area=r:64").status_code == 404
    sign_in(web, sessions, PROVINCE)
    assert web.get("/admin/stats?area=r:64").status_code == 200


def test_a_bad_period_is_refused_in_bahasa_indonesia(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, PROVINCE)
    answer = web.get("/admin/stats?period=custom&first=2026-12-05&last=2026-12-01")
    assert answer.status_code == 400
    assert "periode berakhir sebelum dimulai" in answer.text
    assert web.get("/admin/stats?period=day&on=kemarin").status_code == 400


def test_statistics_are_read_in_read_only_transactions_without_a_replica_too(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    stats: sessionmaker[Session] = web.app.state.stats  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="(?i)read-?only"), stats.begin() as session:
        session.execute(update(Site).where(Site.id == world.ids["site_a"]).values(name="Palsu"))
    with sessions() as session:
        site = session.get(Site, world.ids["site_a"])
        assert site is not None and site.name == world.ids["site_name_a"]


def test_the_routers_uptime_stands_beside_usage_and_no_data_where_never_polled(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    now = villages_polled(sessions, world.ids)
    today = local_day(now, WITA)
    sign_in(web, sessions, PROVINCE)
    # Yesterday and today: the half hour of polls lies in it whenever the test runs.
    text = web.get(
        f"/admin/stats?period=custom&first={today - timedelta(days=1)}&last={today}"
    ).text
    headline = text[text.index("Ringkasan") : text.index("</table>", text.index("Ringkasan"))]
    uptime = headline[headline.index("Uptime router") :]
    assert "%" in uptime[: uptime.index("</tr>")]  # A partly down, B up
    by_area = text[text.index("Per wilayah</h2>") :]
    by_area = by_area[: by_area.index("</table>")]
    kubar = by_area[by_area.index("64.02") :]
    kukar = by_area[by_area.index("64.03") :]
    assert "tidak ada data" in kubar[: kubar.index("</tr>")]  # C's router was never polled
    assert "%" in kukar[: kukar.index("</tr>")]
