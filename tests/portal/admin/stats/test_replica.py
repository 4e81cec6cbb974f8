"""Statistics read from a real PostgreSQL streaming replica (WIFIDESA_STATS_DATABASE_URL):
figures rolled up on the main database show once the replica replayed them, and only then;
nothing can be written through the statistics' engine; a replica that is down costs the
statistics pages (503, in Bahasa Indonesia) and nothing else; exports are still made."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import KAB_OWN, World, sign_in
from wdtest.postgres import PostgresCluster
from wdtest.postgres_replica import PostgresReplica
from wdtest.stats_usage import village_a_used

from portal.app import create_app
from wifidesa.crypto import SecretBox
from wifidesa.db.models import Site, SiteDay
from wifidesa.settings import Settings

WITA = "Asia/Makassar"


@pytest.fixture(scope="module")
def streaming_replica(pg_cluster: PostgresCluster) -> Iterator[PostgresReplica]:
    """A replica of the test cluster, for this module only: the other tests never wait on it."""
    replica = PostgresReplica(pg_cluster)
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture
def replica(backend: str, db_url: str, request: pytest.FixtureRequest) -> Iterator[PostgresReplica]:
    """The replica, up, replaying, and holding this test's fresh database."""
    if backend != "postgresql":
        pytest.skip("a streaming replica is PostgreSQL's")
    replica: PostgresReplica = request.getfixturevalue("streaming_replica")
    replica.catch_up()
    yield replica
    if replica.down:
        replica.resume()
    replica.resume_replay()
    replica.catch_up()  # before the database is dropped on the main one


def _replica_settings(settings: Settings, replica: PostgresReplica, db_url: str) -> Settings:
    name = make_url(db_url).database
    assert name is not None
    return settings.model_copy(update={"stats_database_url": replica.url_for(name)})


@pytest.fixture
def web(settings: Settings, replica: PostgresReplica, db_url: str) -> Iterator[TestClient]:
    quiet = _replica_settings(settings, replica, db_url).model_copy(update={"export_worker": False})
    with TestClient(create_app(quiet), follow_redirects=False) as client:
        yield client


def _sessions_shown(web: TestClient, day: date) -> str:
    page = web.get(f"/admin/stats?period=day&on={day}")
    assert page.status_code == 200
    headline = page.text[page.text.index("Ringkasan") : page.text.index("Per wilayah</h2>")]
    start = headline.index("<th>Sesi</th><td>") + len("<th>Sesi</th><td>")
    return headline[start : headline.index("</td>", start)]


def _sessions_on_main(sessions: sessionmaker[Session], world: World, day: date) -> int:
    with sessions() as session:
        found = session.scalar(
            select(SiteDay.sessions).where(
                SiteDay.site_id == world.ids["site_a"], SiteDay.day == day
            )
        )
    return int(found or 0)


def test_figures_rolled_up_on_the_main_database_show_once_the_replica_replayed_them(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    box: SecretBox,
    replica: PostgresReplica,
) -> None:
    day = village_a_used(sessions, world, box, first=0, count=3)
    replica.catch_up()
    sign_in(web, sessions, KAB_OWN)
    assert _sessions_shown(web, day) == "3"
    page = web.get(f"/admin/stats?period=day&on={day}").text
    assert "Angka dari replika statistik: data sampai" in page and "WITA." in page
    api = web.get(
        f"/api/stats?period=day&on={day}",
        headers={"Authorization": f"Bearer {world.api_tokens[KAB_OWN]}"},
    )
    assert api.status_code == 200
    assert api.json()["totals"]["usage"]["sessions"] == 3
    assert api.json()["data_as_of"] is not None  # read from a replica: as of its last change


def test_the_page_reads_the_replica_not_the_main_database(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    box: SecretBox,
    replica: PostgresReplica,
) -> None:
    day = village_a_used(sessions, world, box, first=0, count=3)
    replica.catch_up()
    sign_in(web, sessions, KAB_OWN)  # the web session is written on the main database
    assert _sessions_shown(web, day) == "3"
    replica.pause_replay()
    village_a_used(sessions, world, box, first=3, count=2)
    assert _sessions_on_main(sessions, world, day) == 5
    time.sleep(0.5)  # time enough to replay it, were replay not paused
    assert _sessions_shown(web, day) == "3"  # the replica's figure, not the main database's
    replica.resume_replay()
    replica.catch_up()
    assert _sessions_shown(web, day) == "5"


def test_a_write_through_the_statistics_engine_fails(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    stats: sessionmaker[Session] = web.app.state.stats  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="read-only transaction"), stats.begin() as session:
        session.execute(update(Site).where(Site.id == world.ids["site_a"]).values(name="Palsu"))
    with sessions() as session:
        site = session.get(Site, world.ids["site_a"])
        assert site is not None and site.name == world.ids["site_name_a"]


def test_with_the_replica_down_statistics_answer_503_and_the_rest_of_the_admin_works(
    web: TestClient, world: World, sessions: sessionmaker[Session], replica: PostgresReplica
) -> None:
    sign_in(web, sessions, KAB_OWN)
    assert web.get("/admin/stats").status_code == 200  # a pooled connection to the replica
    replica.pause()
    page = web.get("/admin/stats")
    assert page.status_code == 503
    assert "Basis data statistik sedang tidak dapat dihubungi" in page.text
    assert "Traceback" not in page.text and page.headers["Retry-After"] == "60"
    api = web.get("/api/stats", headers={"Authorization": f"Bearer {world.api_tokens[KAB_OWN]}"})
    assert api.status_code == 503 and api.json() == {"detail": "statistics database unavailable"}
    assert web.get("/admin/").status_code == 200
    assert web.get("/admin/sites").status_code == 200
    replica.resume()
    replica.catch_up()
    assert web.get("/admin/stats").status_code == 200  # back by itself, no restart


@pytest.fixture
def working(settings: Settings, replica: PostgresReplica, db_url: str) -> Iterator[TestClient]:
    """The web service with its export worker, statistics on the replica."""
    with TestClient(
        create_app(_replica_settings(settings, replica, db_url)), follow_redirects=False
    ) as client:
        yield client


def test_an_export_queued_while_replay_is_paused_is_made_from_the_replica_and_downloadable(
    working: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    box: SecretBox,
    replica: PostgresReplica,
    db_url: str,
) -> None:
    day = village_a_used(sessions, world, box, first=0, count=3)
    replica.catch_up()
    replica.pause_replay()
    village_a_used(sessions, world, box, first=3, count=2)
    csrf = sign_in(working, sessions, KAB_OWN)
    # Queued on the main database: the paused replica never sees the export, yet it is made.
    asked = working.post(
        "/admin/stats/exports",
        data={"csrf": csrf, "format": "csv", "table": "days", "period": "day", "on": str(day)},
    )
    assert asked.status_code == 303
    status_url = asked.headers["location"]
    deadline = time.monotonic() + 30
    while "Refresh" in (status := working.get(status_url)).headers:
        assert time.monotonic() < deadline, "the export was not made within 30 s"
        time.sleep(0.2)
    assert status.status_code == 200 and "Unduh" in status.text
    download = working.get(f"{status_url}/file")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8"))))
    assert rows[0][1] == "Sesi"
    day_row = next(row for row in rows if row and row[0] == str(day))
    assert day_row[1] == "3"  # the replica's figure as of the pause; the main database has 5
    assert _sessions_on_main(sessions, world, day) == 5
    export_id = status_url.rsplit("/", 1)[1]
    name = make_url(db_url).database
    with psycopg.connect(replica.conninfo(str(name))) as standby:
        seen = standby.execute("SELECT count(*) FROM stats_exports WHERE id = %s", (export_id,))
        assert seen.fetchone() == (0,)  # never on the replica: the job is the main database's
