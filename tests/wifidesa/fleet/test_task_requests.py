"""Router tasks as admins ask for them: scoped (another village's router is not found and
nothing is queued), audited, listed with their outcome, tried again when they failed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.admin_world import DESA_A, KAB_OTHER, KAB_OWN, World
from wdtest.world_db import actor_scope, db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin.scope import Forbidden
from wifidesa.db.models import AuditEntry, Router, RouterTask, TaskKind, TaskState
from wifidesa.errors import ErrorCode, InvalidInput, NotFound
from wifidesa.fleet import tasks
from wifidesa.fleet.task_requests import (
    count_tasks,
    list_tasks,
    may_ask,
    may_retry,
    push_hotspot_files,
    read_active,
    retry_task,
    schedule_read_active,
)

NOW = datetime(2026, 3, 31, 16, 5, tzinfo=UTC)
PORTAL = "https://portal.wifidesa.test"


def _with_api(session: Session, world: World, key: str = "a") -> int:
    """Village `key`'s router, given an API address and user; its id."""
    router = session.get_one(Router, world.ids[f"router_{key}"])
    router.api_host, router.api_username = "10.99.0.1", "wifidesa"
    return router.id


def _failed(session: Session, router_id: int, kind: TaskKind, session_id: int | None = None) -> int:
    task_id = tasks.queue(
        session=session,
        router_id=router_id,
        kind=kind,
        now=NOW,
        asked_by="quota",
        session_id=session_id,
    )
    assert task_id is not None
    for claimed in tasks.claim_due(session=session, kinds=[kind], now=NOW):
        tasks.finish(session=session, claimed=claimed, state=TaskState.FAILED, now=NOW)
    return task_id


def test_an_admin_queues_hotspot_files_for_their_router_and_it_is_audited(
    session: Session, world: World
) -> None:
    scope = actor_scope(session, world, KAB_OWN)
    router_a = _with_api(session, world)
    with pytest.raises(Forbidden):  # routers are the overseers' (as their settings are)
        push_hotspot_files(
            session=session,
            scope=actor_scope(session, world, DESA_A),
            router_id=router_a,
            portal_url=PORTAL,
            now=NOW,
        )
    task_id = push_hotspot_files(
        session=session, scope=scope, router_id=router_a, portal_url=PORTAL, now=NOW
    )
    assert task_id is not None
    assert (
        push_hotspot_files(
            session=session, scope=scope, router_id=router_a, portal_url=PORTAL, now=NOW
        )
        is None
    )  # one waits already
    row = session.get_one(RouterTask, task_id)
    assert (row.kind, row.state, row.asked_by, row.admin_id) == (
        TaskKind.PUSH_HOTSPOT_FILES,
        TaskState.QUEUED,
        scope.username,
        scope.admin_id,
    )
    assert row.payload == {"portal_url": PORTAL}
    (entry,) = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "routers.push_hotspot_files")
    )
    assert entry.admin_id == scope.admin_id


def test_another_villages_router_is_not_found_and_nothing_is_queued(
    session: Session, world: World
) -> None:
    scope = actor_scope(session, world, KAB_OTHER)
    router_a = int(world.ids["router_a"])  # type: ignore[call-overload]
    with pytest.raises(NotFound):
        read_active(session=session, scope=scope, router_id=router_a, now=NOW)
    with pytest.raises(NotFound):
        list_tasks(session=session, scope=scope, router_id=router_a)
    assert (
        session.scalars(select(RouterTask).where(RouterTask.id != world.ids["task_a"])).all() == []
    )


def test_each_admin_lists_the_tasks_of_their_own_routers(session: Session, world: World) -> None:
    for key in "abc":
        router_id = int(world.ids[f"router_{key}"])  # type: ignore[call-overload]
        tasks.queue(
            session=session,
            router_id=router_id,
            kind=TaskKind.READ_ACTIVE,
            now=NOW,
            asked_by="schedule",
        )
    read = TaskKind.READ_ACTIVE  # (village A has a kick of its own in the world)
    desa_a = list_tasks(session=session, scope=actor_scope(session, world, DESA_A), kind=read)
    kab_other = list_tasks(session=session, scope=actor_scope(session, world, KAB_OTHER))
    assert [t.router_id for t in desa_a] == [world.ids["router_a"]]
    assert [t.router_id for t in kab_other] == [world.ids["router_c"]]
    assert (
        list_tasks(session=session, scope=actor_scope(session, world, DESA_A), state=TaskState.DONE)
        == []
    )


def test_a_failed_api_task_is_tried_again_and_a_coa_is_not(session: Session, world: World) -> None:
    scope = actor_scope(session, world, KAB_OWN)
    router_a = _with_api(session, world)
    read = read_active(session=session, scope=scope, router_id=router_a, now=NOW)
    disconnect = tasks.queue(
        session=session,
        router_id=router_a,
        kind=TaskKind.DISCONNECT,
        now=NOW,
        asked_by="quota",
        session_id=int(world.ids["session_a"]),  # type: ignore[call-overload]
    )
    for claimed in tasks.claim_due(session=session, kinds=list(TaskKind), now=NOW):
        tasks.finish(session=session, claimed=claimed, state=TaskState.FAILED, now=NOW)
    assert read is not None and disconnect is not None
    with pytest.raises(InvalidInput):
        retry_task(session=session, scope=scope, task_id=disconnect, now=NOW)

    retry_task(session=session, scope=scope, task_id=read, now=NOW)

    states = [(t.kind, t.state) for t in list_tasks(session=session, scope=scope)]
    assert (TaskKind.READ_ACTIVE, TaskState.QUEUED) in states
    assert (TaskKind.READ_ACTIVE, TaskState.FAILED) in states  # the history stays
    (queued,) = [t for t in list_tasks(session=session, scope=scope) if t.state is TaskState.QUEUED]
    with pytest.raises(InvalidInput):  # only a finished failure
        retry_task(session=session, scope=scope, task_id=queued.id, now=NOW)
    retry_task(session=session, scope=scope, task_id=read, now=NOW)  # one waits: nothing asked
    audited = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.admin_id == scope.admin_id, AuditEntry.action.startswith("routers.")
        )
    )
    assert sorted(audited) == ["routers.read_active", "routers.task_retry"]


def test_every_router_is_read_once_a_day(session: Session, world: World) -> None:
    routers = [int(world.ids[f"router_{k}"]) for k in "abc"]  # type: ignore[call-overload]
    assert schedule_read_active(session=session, router_ids=routers, now=NOW) == 3
    for claimed in tasks.claim_due(session=session, kinds=tasks.API_KINDS, now=NOW):
        tasks.finish(session=session, claimed=claimed, state=TaskState.DONE, now=NOW)
    later = NOW.replace(hour=23)
    assert schedule_read_active(session=session, router_ids=routers, now=later) == 0
    assert schedule_read_active(session=session, router_ids=routers, now=NOW.replace(day=30)) == 0
    next_day = NOW.replace(month=4, day=1, hour=16, minute=6)
    assert schedule_read_active(session=session, router_ids=routers, now=next_day) == 3


def test_a_router_without_an_api_is_refused_and_nothing_is_queued(
    session: Session, world: World
) -> None:
    scope = actor_scope(session, world, KAB_OWN)
    router_a = int(world.ids["router_a"])  # type: ignore[call-overload]
    for ask in (
        lambda: read_active(session=session, scope=scope, router_id=router_a, now=NOW),
        lambda: push_hotspot_files(
            session=session, scope=scope, router_id=router_a, portal_url=PORTAL, now=NOW
        ),
    ):
        with pytest.raises(InvalidInput) as refused:
            ask()
        assert refused.value.code is ErrorCode.ROUTER_API_NOT_CONFIGURED
    assert (
        session.scalars(select(RouterTask).where(RouterTask.id != world.ids["task_a"])).all() == []
    )
    asked = ("routers.read_active", "routers.push_hotspot_files")
    assert session.scalars(select(AuditEntry).where(AuditEntry.action.in_(asked))).all() == []


def test_a_desa_admin_lists_their_routers_tasks_by_page_and_not_anothers(
    session: Session, world: World
) -> None:
    router_a = int(world.ids["router_a"])  # type: ignore[call-overload]
    router_b = int(world.ids["router_b"])  # type: ignore[call-overload]
    for kind in (TaskKind.READ_ACTIVE, TaskKind.PUSH_HOTSPOT_FILES):
        _failed(session, router_a, kind)
    _failed(session, router_b, TaskKind.READ_ACTIVE)
    desa_a = actor_scope(session, world, DESA_A)
    failed = TaskState.FAILED  # (the world's kick was given up)
    first = list_tasks(session=session, scope=desa_a, router_id=router_a, state=failed, limit=1)
    second = list_tasks(
        session=session, scope=desa_a, router_id=router_a, state=failed, limit=1, offset=1
    )
    assert [t.kind for t in first + second] == [TaskKind.PUSH_HOTSPOT_FILES, TaskKind.READ_ACTIVE]
    assert first[0].site_name == world.ids["site_name_a"]
    assert count_tasks(session=session, scope=desa_a) == 3  # and the world's kick
    assert count_tasks(session=session, scope=desa_a, kind=TaskKind.READ_ACTIVE) == 1
    assert count_tasks(session=session, scope=actor_scope(session, world, KAB_OWN)) == 4
    with pytest.raises(NotFound):
        count_tasks(session=session, scope=desa_a, router_id=router_b)


def test_a_desa_admin_tries_a_kick_again_but_not_a_read(session: Session, world: World) -> None:
    router_a = _with_api(session, world)
    desa_a = actor_scope(session, world, DESA_A)
    kick = _failed(
        session,
        router_a,
        TaskKind.KICK,
        session_id=int(world.ids["session_a"]),  # type: ignore[call-overload]
    )
    read = _failed(session, router_a, TaskKind.READ_ACTIVE)
    views = {t.id: t for t in list_tasks(session=session, scope=desa_a)}
    assert not may_ask(desa_a) and may_ask(actor_scope(session, world, KAB_OWN))
    assert may_retry(desa_a, views[kick]) and not may_retry(desa_a, views[read])
    with pytest.raises(Forbidden):
        retry_task(session=session, scope=desa_a, task_id=read, now=NOW)
    retry_task(session=session, scope=desa_a, task_id=kick, now=NOW)
    queued = list_tasks(session=session, scope=desa_a, state=TaskState.QUEUED)
    assert [(t.kind, t.asked_by) for t in queued] == [(TaskKind.KICK, desa_a.username)]
