"""The fleet: every admin lists the routers of their villages; a router's page only within
reach; the outage log for everyone, scoped. Router tasks: everyone lists their villages'
tasks; village A's given-up kick is tried again by whoever reaches village A; asking for
hotspot pages or a read is the overseers', and is refused on the merits for village A's
router, which has no API address."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import OVERSEERS_A, REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import Call, form, holds, refused, shows, shows_own
from wifidesa.db.models import AuditEntry, RouterTask, TaskKind, TaskState


def _kick_waits(session: Session, call: Call) -> bool:
    """Village A's kick queued again, and audited once: by the first actor that asked (the
    next ones find it waiting, and nothing is asked or audited again)."""
    waiting = session.scalars(
        select(RouterTask.id).where(
            RouterTask.kind == TaskKind.KICK,
            RouterTask.session_id == call.id("session_a"),
            RouterTask.state == TaskState.QUEUED,
        )
    ).all()
    audited = session.scalars(
        select(AuditEntry.id).where(AuditEntry.action == "routers.task_retry")
    ).all()
    return len(waiting) == 1 and len(audited) == 1


RETRIED = "village A's kick is queued again, audited once"

NO_API_PAGE = "belum punya alamat atau pengguna API"
NO_API = "has no API address or user"

ROUTES = [
    Route("GET", "/admin/fleet", SIGNED_IN, check=shows_own("router_name")),
    Route(
        "GET",
        "/admin/fleet?state=not_configured&sort=state",
        SIGNED_IN,
        check=shows_own("router_name"),
    ),
    Route("GET", "/admin/fleet/routers/{router_a}", REACH_A, check=shows("{router_name_a}")),
    Route("GET", "/admin/fleet/outages", SIGNED_IN, check=form("area", "period", "on")),
    Route("GET", "/api/fleet", SIGNED_IN, check=shows_own("router_name")),
    Route("GET", "/api/fleet/routers/{router_a}", REACH_A, check=shows("{router_name_a}")),
    Route("GET", "/api/fleet/outages", SIGNED_IN, check=shows('"incidents"')),
    # The router filter lists every router of one's villages.
    Route("GET", "/admin/fleet/tasks", SIGNED_IN, check=shows_own("router_name")),
    Route(
        "GET",
        "/admin/fleet/tasks?router={router_a}&state=given_up",
        REACH_A,
        check=shows("/admin/fleet/tasks/{task_a}/retry"),
    ),
    Route("GET", "/api/fleet/tasks", SIGNED_IN, check=shows('"total"')),
    Route("GET", "/api/fleet/tasks?router={router_a}", REACH_A, check=shows('"id":{task_a}')),
    Route(
        "POST",
        "/admin/fleet/tasks/{task_a}/retry",
        REACH_A,
        check=holds(RETRIED, _kick_waits, status=(303,)),
    ),
    Route(
        "POST",
        "/api/fleet/tasks/{task_a}/retry",
        REACH_A,
        check=holds(RETRIED, _kick_waits, status=(200,)),
    ),
    Route(
        "POST",
        "/admin/fleet/routers/{router_a}/push-hotspot-files",
        OVERSEERS_A,
        check=refused(400, NO_API_PAGE),
    ),
    Route(
        "POST",
        "/admin/fleet/routers/{router_a}/read-active",
        OVERSEERS_A,
        check=refused(400, NO_API_PAGE),
    ),
    Route(
        "POST",
        "/api/fleet/routers/{router_a}/push-hotspot-files",
        OVERSEERS_A,
        check=refused(422, NO_API),
    ),
    Route(
        "POST",
        "/api/fleet/routers/{router_a}/read-active",
        OVERSEERS_A,
        check=refused(422, NO_API),
    ),
]
