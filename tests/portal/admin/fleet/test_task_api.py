"""Router tasks in the JSON API: listed with the page's filters and pages, retried, and asked
for (hotspot pages, a read of the active users); scoped and refused like the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import DESA_A, KAB_OTHER, KAB_OWN, World

from wifidesa.db.engine import utcnow
from wifidesa.db.models import Router, TaskKind, TaskState
from wifidesa.fleet import tasks


def _bearer(world: World, actor: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.api_tokens[actor]}"}


def _failed(sessions: sessionmaker[Session], router_id: int, kind: TaskKind) -> int:
    with sessions.begin() as session:
        task_id = tasks.queue(
            session=session, router_id=router_id, kind=kind, now=utcnow(), asked_by="quota"
        )
        assert task_id is not None
        for claimed in tasks.claim_due(session=session, kinds=[kind], now=utcnow()):
            tasks.finish(
                session=session,
                claimed=claimed,
                state=TaskState.FAILED,
                now=utcnow(),
                outcome="the router's RouterOS API is not configured",
            )
        return task_id


def test_tasks_are_listed_retried_and_asked_for_through_the_api(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    router_a = int(world.ids["router_a"])  # type: ignore[call-overload]
    read = _failed(sessions, router_a, TaskKind.READ_ACTIVE)
    _failed(sessions, int(world.ids["router_b"]), TaskKind.PUSH_HOTSPOT_FILES)  # type: ignore[call-overload]
    own, desa = _bearer(world, KAB_OWN), _bearer(world, DESA_A)

    body = web.get("/api/fleet/tasks?per_page=1", headers=own).json()
    # Village A has a kick of its own in the world, two days old.
    assert (body["total"], body["pages"], body["tasks"][0]["kind"]) == (3, 3, "push_hotspot_files")
    mine = f"/api/fleet/tasks?router={router_a}&kind=read_active"
    [task] = web.get(mine, headers=desa).json()["tasks"]
    assert (task["id"], task["state"], task["asked_by"]) == (read, "failed", "quota")
    assert task["retryable"] is False  # a read is the overseers' to try again
    assert task["site_name"] == world.ids["site_name_a"]
    assert web.get("/api/fleet/tasks?kind=teleport", headers=own).status_code == 422
    assert web.get("/api/fleet/tasks", headers=_bearer(world, KAB_OTHER)).json()["total"] == 0
    assert (
        web.get(
            f"/api/fleet/tasks?router={router_a}", headers=_bearer(world, KAB_OTHER)
        ).status_code
        == 404
    )

    assert web.post(f"/api/fleet/tasks/{read}/retry", headers=desa).status_code == 403
    retried = web.post(f"/api/fleet/tasks/{read}/retry", headers=own)
    assert retried.status_code == 200 and retried.json()["state"] == "failed"
    queued = web.get("/api/fleet/tasks?state=queued", headers=own).json()["tasks"]
    assert [(t["kind"], t["asked_by"]) for t in queued] == [("read_active", "kab-own")]
    assert web.post(f"/api/fleet/tasks/{queued[0]['id']}/retry", headers=own).status_code == 422

    push = f"/api/fleet/routers/{router_a}/push-hotspot-files"
    refused = web.post(push, headers=own)
    assert refused.status_code == 422 and "no API address or user" in refused.json()["detail"]
    with sessions.begin() as session:
        router = session.get_one(Router, router_a)
        router.api_host, router.api_username = "10.99.0.1", "wifidesa"
    asked = web.post(push, headers=own)
    assert asked.status_code == 202 and asked.json()["queued"] is True
    assert web.post(push, headers=own).json() == {
        "router_id": router_a,
        "task_id": None,
        "queued": False,
    }
    read_again = web.post(f"/api/fleet/routers/{router_a}/read-active", headers=own).json()
    assert read_again["queued"] is False  # the retried read waits already
    assert web.post(push, headers=desa).status_code == 403
    assert web.post(push, headers=_bearer(world, KAB_OTHER)).status_code == 404
