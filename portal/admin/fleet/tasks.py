"""The router-task pages: the tasks of the admin's routers (filtered, paged) with a Retry
button where the core would retry, and the buttons of a router's page that ask for its
hotspot pages to be pushed or its active users read. The same operations as `wifidesa
routers ...` (wifidesa.fleet.task_requests); this module reads the form and renders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.fleet import words
from portal.admin.fleet.query import BadQuery
from portal.admin.fleet.task_query import PATH, TaskQuery, task_page
from portal.admin.web import Admin, CheckedForm, gettext_for, page, signed_in
from portal.database import transaction
from wifidesa.db.engine import utcnow
from wifidesa.db.models import TaskKind, TaskState
from wifidesa.errors import InvalidInput, translate_error
from wifidesa.fleet.task_requests import (
    may_retry,
    push_hotspot_files,
    read_active,
    retry_task,
    routers_seen,
)

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]

# The one-line confirmations after a button (msgids), by the `done` of the address.
DONE_WORDS = {
    "retried": "The task is queued again.",
    "push_hotspot_files": "Hotspot pages queued: the task worker writes them to the router.",
    "read_active": "A read of the active users is queued.",
    "waiting": "One is waiting already: see its state below.",
}


def task_words() -> dict[str, Any]:
    """What a template needs to show tasks (shared with the router's page)."""
    return {
        "task_kinds": words.TASK_KINDS,
        "task_states": words.TASK_STATES,
        "asker_word": words.asker_word,
        "may_retry": may_retry,
    }


@router.get("/fleet/tasks")
def tasks_page(
    request: Request,
    admin: SignedIn,
    state: str = "",
    kind: str = "",
    router_id: Annotated[str, Query(alias="router")] = "",
    page_number: PageNumber = 1,
    done: str = "",
) -> Response:
    _ = gettext_for(request)
    asked = TaskQuery(state=state[:16], kind=kind[:24], router=router_id[:12], page=page_number)
    try:
        filters = asked.filters()
    except BadQuery:
        title, detail = _("Router tasks"), _("This filter cannot be applied.")
        return page(request, "admin/error.html", admin, 400, title=title, detail=detail)
    with transaction(request) as session:
        found = task_page(session=session, scope=admin.scope, filters=filters, page=asked.page)
        routers = routers_seen(session=session, scope=admin.scope)
    return page(
        request,
        "admin/fleet_tasks.html",
        admin,
        tasks=found.tasks,
        total=found.total,
        page_number=found.page,
        pages=found.pages,
        asked=TaskQuery(asked.state, asked.kind, asked.router, found.page),
        routers=routers,
        state_choices=list(TaskState),
        kind_choices=list(TaskKind),
        done=DONE_WORDS.get(done, ""),
        **task_words(),
    )


@router.post("/fleet/tasks/{task_id}/retry")
def retry(request: Request, admin: SignedIn, _form: CheckedForm, task_id: int) -> Response:
    try:
        with transaction(request) as session:
            retry_task(session=session, scope=admin.scope, task_id=task_id, now=utcnow())
    except InvalidInput as exc:
        return _refused(request, admin, exc)
    return RedirectResponse(f"{PATH}?done=retried", status_code=303)


@router.post("/fleet/routers/{router_id}/push-hotspot-files")
def push(request: Request, admin: SignedIn, _form: CheckedForm, router_id: int) -> Response:
    portal_url = str(request.app.state.settings.public_url)
    try:
        with transaction(request) as session:
            task_id = push_hotspot_files(
                session=session,
                scope=admin.scope,
                router_id=router_id,
                portal_url=portal_url,
                now=utcnow(),
            )
    except InvalidInput as exc:
        return _refused(request, admin, exc)
    return _asked(router_id, task_id, TaskKind.PUSH_HOTSPOT_FILES)


@router.post("/fleet/routers/{router_id}/read-active")
def read(request: Request, admin: SignedIn, _form: CheckedForm, router_id: int) -> Response:
    try:
        with transaction(request) as session:
            task_id = read_active(
                session=session, scope=admin.scope, router_id=router_id, now=utcnow()
            )
    except InvalidInput as exc:
        return _refused(request, admin, exc)
    return _asked(router_id, task_id, TaskKind.READ_ACTIVE)


def _asked(router_id: int, task_id: int | None, kind: TaskKind) -> Response:
    done = kind.value if task_id is not None else "waiting"
    return RedirectResponse(f"/admin/fleet/routers/{router_id}?done={done}", status_code=303)


def _refused(request: Request, admin: Admin, exc: InvalidInput) -> Response:
    _ = gettext_for(request)
    detail = translate_error(exc, _)
    return page(request, "admin/error.html", admin, 400, title=_("Refused"), detail=detail)
