"""Router tasks as admins and the CLI ask for them and see them: hotspot files pushed, the
active list read, a failed task tried again (each audited), and the tasks of the routers in
the caller's scope with their outcome. Also the daily read of every router's active list.

Who may do what: every admin sees the tasks of the routers in their scope; asking for work on
a router (files, a read) is the overseers' (routers are theirs, as their settings are), and so
is trying such a task again; a kick tried again is anyone's who could disconnect the session
(desa admins too, in their villages). `may_ask` and `may_retry` say so for pages to offer only
what would be done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_oversight, site_filter
from wifidesa.db.models import Router, RouterTask, Site, TaskKind, TaskState
from wifidesa.errors import ErrorCode, InvalidInput, NotFound
from wifidesa.fleet import tasks
from wifidesa.places.hotspot_files import render_hotspot_files
from wifidesa.places.routers import require_router

READ_ACTIVE_EVERY = timedelta(days=1)
SCHEDULE = "schedule"  # asked_by of the tasks nobody asked for


@dataclass(frozen=True)
class TaskView:
    """One task as admins see it."""

    id: int
    router_id: int
    router: str
    site_code: str
    site_name: str
    kind: TaskKind
    session_id: int | None
    state: TaskState
    attempts: int
    next_attempt_at: datetime
    outcome: str | None
    asked_by: str
    created_at: datetime
    finished_at: datetime | None


def _view(row: Any) -> TaskView:
    task: RouterTask = row.RouterTask
    return TaskView(
        id=task.id,
        router_id=task.router_id,
        router=row.router,
        site_code=row.site_code,
        site_name=row.site_name,
        kind=task.kind,
        session_id=task.session_id,
        state=task.state,
        attempts=task.attempts,
        next_attempt_at=task.next_attempt_at,
        outcome=task.outcome,
        asked_by=task.asked_by,
        created_at=task.created_at,
        finished_at=task.finished_at,
    )


def _query(scope: Scope) -> Any:
    return (
        select(
            RouterTask,
            Router.name.label("router"),
            Site.code.label("site_code"),
            Site.name.label("site_name"),
        )
        .join(Router, Router.id == RouterTask.router_id)
        .join(Site, Site.id == Router.site_id)
        .where(site_filter(scope, Router.site_id))
    )


def _seen_router(session: Session, scope: Scope, router_id: int) -> None:
    """NotFound unless the router's village is in the scope (seeing needs no oversight)."""
    found = session.scalar(
        select(Router.id).where(Router.id == router_id, site_filter(scope, Router.site_id))
    )
    if found is None:
        raise NotFound(ErrorCode.ROUTER_NOT_FOUND, router_id=router_id)


def _filtered(
    session: Session,
    query: Any,
    scope: Scope,
    router_id: int | None,
    state: TaskState | None,
    kind: TaskKind | None,
) -> Any:
    if router_id is not None:
        _seen_router(session, scope, router_id)
        query = query.where(RouterTask.router_id == router_id)
    if state is not None:
        query = query.where(RouterTask.state == state)
    if kind is not None:
        query = query.where(RouterTask.kind == kind)
    return query


def list_tasks(
    *,
    session: Session,
    scope: Scope,
    router_id: int | None = None,
    state: TaskState | None = None,
    kind: TaskKind | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[TaskView]:
    """The tasks of the routers in the scope (or of one of them: NotFound outside it), newest
    first; `offset` skips the newest ones (pages)."""
    query = _filtered(session, _query(scope), scope, router_id, state, kind)
    query = query.order_by(RouterTask.created_at.desc(), RouterTask.id.desc())
    return [_view(row) for row in session.execute(query.limit(limit).offset(offset))]


def count_tasks(
    *,
    session: Session,
    scope: Scope,
    router_id: int | None = None,
    state: TaskState | None = None,
    kind: TaskKind | None = None,
) -> int:
    """How many tasks `list_tasks` would list without a limit."""
    query = (
        select(func.count(RouterTask.id))
        .join(Router, Router.id == RouterTask.router_id)
        .where(site_filter(scope, Router.site_id))
    )
    return session.scalar(_filtered(session, query, scope, router_id, state, kind)) or 0


def routers_seen(*, session: Session, scope: Scope) -> list[tuple[int, str]]:
    """The routers in the scope as (id, name), by name: the task listing's router filter."""
    query = select(Router.id, Router.name).where(site_filter(scope, Router.site_id))
    return [(row.id, row.name) for row in session.execute(query.order_by(Router.name))]


def may_ask(scope: Scope) -> bool:
    """Whether the scope may ask for work on its routers (hotspot files, a read)."""
    return scope.oversees


def may_retry(scope: Scope, task: TaskView) -> bool:
    """Whether `retry_task` would queue this task (in the scope) again for this admin."""
    if task.state not in (TaskState.FAILED, TaskState.GIVEN_UP) or task.kind in tasks.COA_KINDS:
        return False
    return task.kind is TaskKind.KICK or may_ask(scope)


def get_task(*, session: Session, scope: Scope, task_id: int) -> TaskView:
    row = session.execute(_query(scope).where(RouterTask.id == task_id)).one_or_none()
    if row is None:
        raise NotFound(ErrorCode.ROUTER_TASK_NOT_FOUND, task_id=task_id)
    return _view(row)


def _ask(
    session: Session, scope: Scope, router_id: int, kind: TaskKind, now: datetime, **payload: Any
) -> int | None:
    router = require_router(session=session, scope=scope, router_id=router_id)
    if router.api_host is None or router.api_username is None:
        # Refused here, not failed at the router: the admin can fix the address first.
        raise InvalidInput(ErrorCode.ROUTER_API_NOT_CONFIGURED, name=router.name)
    task_id = tasks.queue(
        session=session,
        router_id=router.id,
        kind=kind,
        now=now,
        asked_by=scope.username,
        admin_id=scope.admin_id,
        payload=payload,
    )
    if task_id is not None:
        audit.record(
            session=session,
            action=f"routers.{kind.value}",
            actor=scope,
            object_type="router",
            object_id=router.name,
            site_id=router.site_id,
            task=task_id,
        )
    return task_id


def push_hotspot_files(
    *, session: Session, scope: Scope, router_id: int, portal_url: str, now: datetime
) -> int | None:
    """Queue the router's hotspot pages (pointing at `portal_url`) to be written to it over
    the API; the task's id, or None when a push to it is waiting already. The pages are
    rendered now, so a bad portal address is refused here, not at the router."""
    router = require_router(session=session, scope=scope, router_id=router_id)
    render_hotspot_files(router_name=router.name, portal_url=portal_url)
    return _ask(session, scope, router.id, TaskKind.PUSH_HOTSPOT_FILES, now, portal_url=portal_url)


def read_active(*, session: Session, scope: Scope, router_id: int, now: datetime) -> int | None:
    """Queue a read of the router's active hotspot users, to close the sessions accounting
    lost; the task's id, or None when one is waiting already."""
    return _ask(session, scope, router_id, TaskKind.READ_ACTIVE, now)


def retry_task(*, session: Session, scope: Scope, task_id: int, now: datetime) -> TaskView:
    """Queue a failed or given-up API task again, its attempts counted anew. A CoA or
    Disconnect is not: the session it was about has moved on (ask for a new one). Files and
    reads are the overseers' to try again (Forbidden), as they are to ask for."""
    view = get_task(session=session, scope=scope, task_id=task_id)
    retryable = view.state in (TaskState.FAILED, TaskState.GIVEN_UP)
    if not retryable or view.kind in tasks.COA_KINDS:
        raise InvalidInput(
            ErrorCode.ROUTER_TASK_NOT_RETRYABLE, task_id=task_id, state=view.state.value
        )
    if not may_retry(scope, view):
        require_oversight(scope)
    queued = tasks.queue(  # the same work as a new task keeps the old one's outcome in history
        session=session,
        router_id=view.router_id,
        kind=view.kind,
        now=now,
        asked_by=scope.username,
        admin_id=scope.admin_id,
        session_id=view.session_id,
        payload=session.get_one(RouterTask, task_id).payload,
    )
    if queued is None:  # one is already waiting: nothing was asked, nothing to audit
        return get_task(session=session, scope=scope, task_id=task_id)
    audit.record(
        session=session,
        action="routers.task_retry",
        actor=scope,
        object_type="router_task",
        object_id=task_id,
        site_id=session.get_one(Router, view.router_id).site_id,
        kind=view.kind.value,
    )
    return get_task(session=session, scope=scope, task_id=task_id)


def schedule_read_active(
    *, session: Session, router_ids: list[int], now: datetime, every: timedelta = READ_ACTIVE_EVERY
) -> int:
    """Queue a read of the active list for each of these routers (those with an API) that had
    none created within `every`; how many were queued."""
    recent = set(
        session.scalars(
            select(RouterTask.router_id).where(
                RouterTask.kind == TaskKind.READ_ACTIVE, RouterTask.created_at > now - every
            )
        )
    )
    queued = 0
    for router_id in router_ids:
        if router_id not in recent:
            found = tasks.queue(
                session=session,
                router_id=router_id,
                kind=TaskKind.READ_ACTIVE,
                now=now,
                asked_by=SCHEDULE,
            )
            queued += found is not None
    return queued
