"""The audit log page and API: scoped, filtered, paged; bad dates answered, not crashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in

from wifidesa.db.models import AuditEntry

# 00:30 WITA on 2 March (16:30 UTC on 1 March): a day filter must use WITA days.
LATE = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def _bearer(world: World, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_tokens[actor]}"}


def _add(sessions: sessionmaker[Session], world: World, *rows: tuple[str, str, str]) -> None:
    """(action, actor, village key or '') entries, a minute apart from LATE on."""
    with sessions.begin() as session:
        for n, (action, actor, site) in enumerate(rows):
            session.add(
                AuditEntry(
                    at=LATE + timedelta(minutes=n),
                    actor=actor,
                    action=action,
                    object_type="test",
                    site_id=world.ids[f"site_{site}"] if site else None,
                    detail={"note": f"n{n}"},
                )
            )


def test_page_shows_my_villages_entries_and_filters(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _add(
        sessions,
        world,
        ("test.in_a", "kab-own", "a"),
        ("test.in_b", "kab-own", "b"),
        ("test.other", "province", "a"),
    )
    sign_in(web, sessions, "desa_a")
    page = web.get("/admin/audit?lang=en&action=test.")
    assert page.status_code == 200
    assert "test.in_a" in page.text and "test.other" in page.text
    assert "test.in_b" not in page.text
    assert "note=n0" in page.text
    by_actor = web.get("/admin/audit?action=test.&actor=province").text
    assert "test.other" in by_actor and "test.in_a" not in by_actor
    on_day = web.get("/admin/audit?action=test.&since=2026-03-02&until=2026-03-02").text
    assert "test.in_a" in on_day
    day_before = web.get("/admin/audit?action=test.&until=2026-03-01").text
    assert "test.in_a" not in day_before
    assert web.get("/admin/audit?site=desa-b").status_code == 404


def test_bad_date_is_answered_with_a_message(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "province")
    page = web.get("/admin/audit?lang=en&since=tomorrow")
    assert page.status_code == 400 and "YYYY-MM-DD" in page.text


def test_pages_link_older_entries(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _add(sessions, world, *[(f"test.n{n:02d}", "cli", "a") for n in range(55)])
    sign_in(web, sessions, "province")
    first = web.get("/admin/audit?action=test.").text
    assert "test.n54" in first and "test.n04" not in first
    assert 'href="/admin/audit?action=test.&amp;page=2"' in first
    second = web.get("/admin/audit?action=test.&page=2").text
    assert "test.n04" in second and "test.n54" not in second


def test_my_actions_show_up_in_the_log(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    web.post(f"/admin/sessions/{world.ids['session_a']}/disconnect", data={"csrf": csrf})
    page = web.get("/admin/audit?action=sessions.").text
    assert "sessions.disconnect" in page and "desa-a" in page


def test_api_scope_filters_and_pages(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    _add(
        sessions,
        world,
        ("test.in_a", "cli", "a"),
        ("test.in_c", "cli", "c"),
        ("test.late", "cli", "a"),
    )
    answer = web.get("/api/audit?action=test.&per_page=2", headers=_bearer(world, "kab_own"))
    assert answer.status_code == 200
    body = answer.json()
    assert [e["action"] for e in body["entries"]] == ["test.late", "test.in_a"]
    assert body["has_next"] is False and body["page"] == 1
    assert body["entries"][0]["site_code"] == "desa-a"
    everything = web.get("/api/audit?action=test.", headers=_bearer(world, "province")).json()
    assert len(everything["entries"]) == 3
    paged = web.get(
        "/api/audit?action=test.&per_page=2&page=2", headers=_bearer(world, "province")
    ).json()
    assert [e["action"] for e in paged["entries"]] == ["test.in_a"]
    outside = web.get(
        f"/api/audit?site_id={world.ids['site_c']}", headers=_bearer(world, "kab_own")
    )
    assert outside.status_code == 404
    assert web.get("/api/audit?since=nope", headers=_bearer(world, "province")).status_code == 422
