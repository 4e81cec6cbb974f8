"""Router tasks in the JSON API: the listing (the page's filters and pages), a failed task
tried again, hotspot pages pushed and the active users read; the same core operations as the
pages, scoped and audited alike. Times in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.fleet.query import BadQuery
from portal.admin.fleet.task_query import PER_PAGE, TaskQuery, task_page
from portal.admin.web import Admin
from portal.database import transaction
from wifidesa.db.engine import utcnow
from wifidesa.db.models import TaskKind, TaskState
from wifidesa.errors import InvalidInput
from wifidesa.fleet.task_requests import (
    TaskView,
    may_retry,
    push_hotspot_files,
    read_active,
    retry_task,
)

api = APIRouter(prefix="/api", tags=["fleet"])
Caller = Annotated[Admin, Depends(api_caller)]
REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "your role may not ask for this"},
    404: {"description": "no such router or task in your scope"},
    422: {"description": "refused: e.g. the router has no API address, or the task is not failed"},
}


class TaskOut(BaseModel):
    id: int
    router_id: int
    router_name: str
    site_code: str
    site_name: str
    kind: str = Field(description=", ".join(k.value for k in TaskKind))
    session_id: int | None
    state: str = Field(description=", ".join(s.value for s in TaskState))
    attempts: int
    next_attempt_at: datetime = Field(description="when queued: its next try")
    asked_by: str = Field(description="an admin's user name, or quota, schedule, cli")
    created_at: datetime
    finished_at: datetime | None
    outcome: str | None = Field(description="one line: what came of it")
    retryable: bool = Field(description="POST .../retry would queue it again for you")


class TasksOut(BaseModel):
    tasks: list[TaskOut]
    total: int
    page: int
    pages: int


class AskedOut(BaseModel):
    router_id: int
    task_id: int | None = Field(description="null: one was waiting already")
    queued: bool


def _task(view: TaskView, admin: Admin) -> TaskOut:
    return TaskOut(
        id=view.id,
        router_id=view.router_id,
        router_name=view.router,
        site_code=view.site_code,
        site_name=view.site_name,
        kind=view.kind.value,
        session_id=view.session_id,
        state=view.state.value,
        attempts=view.attempts,
        next_attempt_at=view.next_attempt_at,
        asked_by=view.asked_by,
        created_at=view.created_at,
        finished_at=view.finished_at,
        outcome=view.outcome,
        retryable=may_retry(admin.scope, view),
    )


@api.get(
    "/fleet/tasks",
    response_model=TasksOut,
    responses={404: REFUSED[404], 422: {"description": "bad filter"}},
)
def tasks(
    request: Request,
    caller: Caller,
    state: str = Query("", description=", ".join(s.value for s in TaskState)),
    kind: str = Query("", description=", ".join(k.value for k in TaskKind)),
    router: str = Query("", description="a router's id"),
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = PER_PAGE,
) -> Any:
    """The router tasks of your scope, newest first, with their outcome."""
    asked = TaskQuery(state=state[:16], kind=kind[:24], router=router[:12])
    try:
        filters = asked.filters()
    except BadQuery as exc:
        return JSONResponse({"detail": f"bad filter: {exc}"}, 422)
    with transaction(request) as session:
        found = task_page(
            session=session, scope=caller.scope, filters=filters, page=page, per_page=per_page
        )
    return TasksOut(
        tasks=[_task(t, caller) for t in found.tasks],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@api.post("/fleet/tasks/{task_id}/retry", response_model=TaskOut, responses=REFUSED)
def retry(request: Request, caller: Caller, task_id: int) -> Any:
    """Queue a failed or given-up API task again (as a new task; this one keeps its outcome)."""
    try:
        with transaction(request) as session:
            view = retry_task(session=session, scope=caller.scope, task_id=task_id, now=utcnow())
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    return _task(view, caller)


@api.post(
    "/fleet/routers/{router_id}/push-hotspot-files",
    response_model=AskedOut,
    status_code=202,
    responses=REFUSED,
)
def push(request: Request, caller: Caller, router_id: int) -> Any:
    """Queue the router's hotspot pages (login.html, ...) to be written to it over the API."""
    portal_url = str(request.app.state.settings.public_url)
    try:
        with transaction(request) as session:
            task_id = push_hotspot_files(
                session=session,
                scope=caller.scope,
                router_id=router_id,
                portal_url=portal_url,
                now=utcnow(),
            )
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    return _asked(router_id, task_id)


@api.post(
    "/fleet/routers/{router_id}/read-active",
    response_model=AskedOut,
    status_code=202,
    responses=REFUSED,
)
def read(request: Request, caller: Caller, router_id: int) -> Any:
    """Queue a read of the router's active hotspot users (closing sessions accounting lost)."""
    try:
        with transaction(request) as session:
            task_id = read_active(
                session=session, scope=caller.scope, router_id=router_id, now=utcnow()
            )
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    return _asked(router_id, task_id)


def _asked(router_id: int, task_id: int | None) -> Any:
    body = AskedOut(router_id=router_id, task_id=task_id, queued=task_id is not None)
    return JSONResponse(body.model_dump(), 202)
