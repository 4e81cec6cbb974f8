"""The router-task listing's address, read and written: state, kind, router and page as plain
GET parameters (links and forms, no JavaScript), for the page and the JSON API alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from portal.admin.fleet.query import BadQuery
from wifidesa.admin.scope import Scope
from wifidesa.db.models import TaskKind, TaskState
from wifidesa.fleet.task_requests import TaskView, count_tasks, list_tasks

PATH = "/admin/fleet/tasks"
PER_PAGE = 50
ROUTER_TASKS_SHOWN = 5  # on a router's page, with a link to all of them


@dataclass(frozen=True)
class TaskFilters:
    router_id: int | None
    state: TaskState | None
    kind: TaskKind | None


@dataclass(frozen=True)
class TaskQuery:
    state: str = ""
    kind: str = ""
    router: str = ""  # a router's id
    page: int = 1

    def filters(self) -> TaskFilters:
        """The filters asked for; BadQuery names the field that is none of its values."""
        if self.state and self.state not in set(TaskState):
            raise BadQuery("state")
        if self.kind and self.kind not in set(TaskKind):
            raise BadQuery("kind")
        router_id = None
        if self.router.strip():
            try:
                router_id = int(self.router)
            except ValueError:
                raise BadQuery("router") from None
        return TaskFilters(
            router_id=router_id,
            state=TaskState(self.state) if self.state else None,
            kind=TaskKind(self.kind) if self.kind else None,
        )

    def fields(self) -> dict[str, str]:
        """The address's parameters, defaults left out."""
        values = {
            "state": self.state,
            "kind": self.kind,
            "router": self.router,
            "page": "" if self.page == 1 else str(self.page),
        }
        return {key: value for key, value in values.items() if value}

    def link(self, **changes: object) -> str:
        """The listing's address with some parameters changed (a new filter starts at page 1)."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        if "page" not in changes:
            changed = replace(changed, page=1)
        fields = changed.fields()
        return PATH + ("?" + urlencode(fields) if fields else "")


def router_tasks_link(router_id: int) -> str:
    return TaskQuery(router=str(router_id)).link()


@dataclass(frozen=True)
class TaskPage:
    tasks: list[TaskView]
    total: int
    page: int  # held within range
    pages: int


def task_page(
    *, session: Session, scope: Scope, filters: TaskFilters, page: int, per_page: int = PER_PAGE
) -> TaskPage:
    """One page of the tasks the filters keep, newest first."""
    total = count_tasks(
        session=session,
        scope=scope,
        router_id=filters.router_id,
        state=filters.state,
        kind=filters.kind,
    )
    pages = max((total + per_page - 1) // per_page, 1)
    number = min(max(page, 1), pages)
    shown = list_tasks(
        session=session,
        scope=scope,
        router_id=filters.router_id,
        state=filters.state,
        kind=filters.kind,
        limit=per_page,
        offset=(number - 1) * per_page,
    )
    return TaskPage(shown, total, number, pages)
