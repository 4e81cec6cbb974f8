"""The audit log as admins read it: who sees which entries, filters, WITA days, pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.admin_world import World
from wdtest.world_db import actor_scope as scope
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin import audit
from wifidesa.admin.audit_view import AuditFilter, audit_entries, day_bounds
from wifidesa.db.models import AuditEntry
from wifidesa.errors import NotFound

# Fabricated near midnight WITA on purpose: 16:30 UTC on 1 March is 00:30 on 2 March in Kaltim.
LATE = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
ONLY_TESTS = AuditFilter(action="test.")


def entry(
    session: Session,
    world: World,
    action: str,
    *,
    actor: str = "cli",
    site: str = "",
    at: datetime = LATE,
) -> AuditEntry:
    who: audit.Actor = scope(session, world, actor) if actor in world.api_tokens else actor
    site_id = world.ids[f"site_{site}"] if site else None
    made = audit.record(session=session, action=action, actor=who, site_id=site_id)  # type: ignore[arg-type]
    made.at = at
    session.flush()
    return made


def seen(session: Session, world: World, actor: str, where: AuditFilter = ONLY_TESTS) -> list[str]:
    found = audit_entries(
        session=session, scope=scope(session, world, actor), where=where, per_page=500
    )
    return sorted(r.action for r in found.rows)


@pytest.fixture
def entries(session: Session, world: World) -> None:
    entry(session, world, "test.a", site="a")
    entry(session, world, "test.b", site="b")
    entry(session, world, "test.c", site="c")
    entry(session, world, "test.nowhere")  # no village: e.g. a CLI import
    entry(session, world, "test.by_desa_a", actor="desa_a")
    entry(session, world, "test.by_kab_own", actor="kab_own")
    entry(session, world, "test.by_kab_other_in_a", actor="kab_other", site="a")


@pytest.mark.usefixtures("entries")
def test_each_admin_reads_their_villages_and_their_own_actions(
    session: Session, world: World
) -> None:
    assert seen(session, world, "desa_a") == ["test.a", "test.by_desa_a", "test.by_kab_other_in_a"]
    assert seen(session, world, "desa_b") == ["test.b"]
    assert seen(session, world, "kab_own") == [
        "test.a",
        "test.b",
        "test.by_kab_other_in_a",
        "test.by_kab_own",
    ]
    assert seen(session, world, "kab_other") == ["test.by_kab_other_in_a", "test.c"]
    assert len(seen(session, world, "province")) == 7


@pytest.mark.usefixtures("entries")
def test_filters_by_village_action_prefix_and_actor(session: Session, world: World) -> None:
    site_a = AuditFilter(action="test.", site_id=world.ids["site_a"])  # type: ignore[arg-type]
    assert seen(session, world, "kab_own", site_a) == ["test.a", "test.by_kab_other_in_a"]
    assert seen(session, world, "province", AuditFilter(action="test.by_")) == [
        "test.by_desa_a",
        "test.by_kab_other_in_a",
        "test.by_kab_own",
    ]
    assert seen(session, world, "province", AuditFilter(action="test.", actor=" Kab-Own ")) == [
        "test.by_kab_own"
    ]
    # A prefix is a prefix, not a pattern.
    assert seen(session, world, "province", AuditFilter(action="test%")) == []


def test_a_village_filter_outside_the_scope_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        audit_entries(
            session=session,
            scope=scope(session, world, "desa_a"),
            where=AuditFilter(site_id=world.ids["site_b"]),  # type: ignore[arg-type]
        )


def test_days_are_wita_days(session: Session, world: World) -> None:
    entry(session, world, "test.late", site="a")  # 2 March 00:30 WITA
    entry(session, world, "test.before", site="a", at=LATE - timedelta(hours=1))  # 1 March 23:30

    def on(since: date | None, until: date | None) -> list[str]:
        return seen(session, world, "desa_a", AuditFilter(action="test.", since=since, until=until))

    assert on(date(2026, 3, 2), date(2026, 3, 2)) == ["test.late"]
    assert on(date(2026, 3, 1), date(2026, 3, 1)) == ["test.before"]
    assert on(None, date(2026, 3, 1)) == ["test.before"]
    assert on(date(2026, 3, 1), None) == ["test.before", "test.late"]
    assert day_bounds(date(2026, 3, 2), date(2026, 3, 2)) == (
        datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 16, 0, tzinfo=UTC),
    )


def test_pages_run_newest_first(session: Session, world: World) -> None:
    for n in range(5):
        entry(session, world, f"test.n{n}", site="a", at=LATE + timedelta(minutes=n))
    desa_a = scope(session, world, "desa_a")
    pages = [
        audit_entries(session=session, scope=desa_a, where=ONLY_TESTS, page=p, per_page=2)
        for p in (1, 2, 3)
    ]
    assert [[r.action for r in p.rows] for p in pages] == [
        ["test.n4", "test.n3"],
        ["test.n2", "test.n1"],
        ["test.n0"],
    ]
    assert [p.has_next for p in pages] == [True, True, False]
    assert pages[0].rows[0].site_code == "desa-a"
