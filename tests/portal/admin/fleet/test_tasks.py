"""The router-task pages: an admin's disconnect that became a kick shows with its outcome; a
failed task's Retry queues it again (and is not offered where the core would refuse); a
router's buttons queue its hotspot pages and a read of its active users, which the worker,
run once against the RouterOS double, makes done; another village's tasks stay hidden."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import DESA_A, DESA_B, KAB_OWN, World, sign_in
from wdtest.routeros import PASSWORD

from controllers.connection import RouterConnection
from controllers.double import DoubleRouter, DoubleRunner
from controllers.tasks import TaskWorker
from controllers.timeouts import Timeouts
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, utcnow
from wifidesa.db.models import AdminUser, Router, RouterTask, TaskKind, TaskState
from wifidesa.fleet import tasks
from wifidesa.fleet.targets import ApiTarget
from wifidesa.usage.kicks import record_kick


@pytest.fixture
def double() -> Iterator[DoubleRouter]:
    router = DoubleRouter(host="127.0.0.1", password=PASSWORD)
    with DoubleRunner([router]):
        yield router


def _failed(sessions: sessionmaker[Session], router_id: int, kind: TaskKind) -> int:
    with sessions.begin() as session:
        task_id = tasks.queue(
            session=session, router_id=router_id, kind=kind, now=utcnow(), asked_by="schedule"
        )
        assert task_id is not None
        for claimed in tasks.claim_due(session=session, kinds=[kind], now=utcnow()):
            tasks.finish(
                session=session,
                claimed=claimed,
                state=TaskState.GIVEN_UP,
                now=utcnow(),
                outcome="timeout: no answer within 10 s",
            )
        return task_id


def _table(html: str) -> str:
    return html[html.index('<table id="tasks">') : html.index("</table>", html.index("tasks"))]


def test_an_admins_disconnect_that_became_a_kick_shows_with_its_outcome(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        kab_own = session.get_one(AdminUser, world.ids["admin_kab_own"])
        now = utcnow()
        # The Disconnect went unanswered: usage.enforcement queued the kick in the asker's name.
        tasks.queue(
            session=session,
            router_id=int(world.ids["router_a"]),  # type: ignore[call-overload]
            kind=TaskKind.KICK,
            now=now,
            asked_by=kab_own.username,
            admin_id=kab_own.id,
            session_id=int(world.ids["session_a"]),  # type: ignore[call-overload]
        )
        (claimed,) = tasks.claim_due(session=session, kinds=[TaskKind.KICK], now=now)
        record_kick(session=session, claimed=claimed, removed=1, now=now)
    sign_in(web, sessions, DESA_A)
    answer = web.get("/admin/fleet/tasks?state=done")  # (the world's given-up kick aside)
    assert answer.status_code == 200
    table = _table(answer.text)
    assert "keluarkan lewat API" in table and ">selesai<" in table
    assert "kab-own" in table and "removed 1 entry from the active list" in table
    assert str(world.ids["site_name_a"]) in table and "Coba lagi" not in table  # done
    kicks = web.get("/admin/fleet/tasks?kind=kick&state=done").text
    assert "removed 1 entry" in kicks
    assert "removed 1 entry" not in web.get("/admin/fleet/tasks?kind=read_active").text
    assert web.get("/admin/fleet/tasks?state=lost").status_code == 400
    sign_in(web, sessions, DESA_B)
    assert "removed 1 entry" not in web.get("/admin/fleet/tasks").text
    router_a = world.ids["router_a"]
    assert web.get(f"/admin/fleet/tasks?router={router_a}").status_code == 404


def test_retry_queues_a_given_up_task_again_for_an_overseer_only(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    router_a = int(world.ids["router_a"])  # type: ignore[call-overload]
    task_id = _failed(sessions, router_a, TaskKind.READ_ACTIVE)
    button = f'action="/admin/fleet/tasks/{task_id}/retry"'
    csrf = sign_in(web, sessions, DESA_A)
    assert button not in web.get("/admin/fleet/tasks").text  # the core would refuse them
    refused = web.post(f"/admin/fleet/tasks/{task_id}/retry", data={"csrf": csrf})
    assert refused.status_code == 403

    csrf = sign_in(web, sessions, KAB_OWN)
    listing = web.get(f"/admin/fleet/tasks?router={router_a}&state=given_up")
    assert button in listing.text and "timeout: no answer within 10 s" in listing.text
    answer = web.post(f"/admin/fleet/tasks/{task_id}/retry", data={"csrf": csrf})
    assert answer.status_code == 303
    page = web.get(answer.headers["location"]).text
    assert "Tugas masuk antrean lagi." in page
    with sessions() as session:
        states = sorted(
            session.scalars(
                select(RouterTask.state).where(
                    RouterTask.router_id == router_a, RouterTask.kind == TaskKind.READ_ACTIVE
                )
            )
        )
    assert states == [TaskState.GIVEN_UP, TaskState.QUEUED]  # the history stays
    again = web.post(f"/admin/fleet/tasks/{task_id + 1}/retry", data={"csrf": csrf})
    assert again.status_code == 400 and "hanya tugas yang gagal" in again.text


def test_the_routers_buttons_queue_tasks_that_the_worker_makes_done(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    box: SecretBox,
    db_url: str,
    double: DoubleRouter,
) -> None:
    router_a = int(world.ids["router_a"])  # type: ignore[call-overload]
    push = f"/admin/fleet/routers/{router_a}/push-hotspot-files"
    read = f"/admin/fleet/routers/{router_a}/read-active"
    csrf = sign_in(web, sessions, KAB_OWN)
    refused = web.post(push, data={"csrf": csrf})  # no API address yet
    assert refused.status_code == 400 and "belum punya alamat atau pengguna API" in refused.text
    with sessions.begin() as session:
        router = session.get_one(Router, router_a)
        router.api_host, router.api_port, router.api_use_ssl = double.host, double.port, False
        router.api_username, router.api_password_enc = "admin", box.encrypt(PASSWORD)
    double.state.files.clear()

    page = web.get(f"/admin/fleet/routers/{router_a}").text
    assert f'action="{push}"' in page and f'action="{read}"' in page
    answer = web.post(push, data={"csrf": csrf})
    assert answer.status_code == 303
    assert "Halaman hotspot masuk antrean" in web.get(answer.headers["location"]).text
    waiting = web.post(push, data={"csrf": csrf})
    assert "Sudah ada yang menunggu" in web.get(waiting.headers["location"]).text
    assert web.post(read, data={"csrf": csrf}).status_code == 303

    def connect(target: ApiTarget) -> RouterConnection:
        return RouterConnection(target, Timeouts(connect=2.0, read=2.0))

    worker = TaskWorker(
        sessions=sessions,
        lock=WriterLock(db_url),
        box=box,
        connect=connect,
        clock=lambda: utcnow() + timedelta(seconds=1),
        schedule_every=None,
    )
    try:
        assert worker.round() == 2
    finally:
        worker.close()
    assert len(double.state.files) == 5
    page = web.get(f"/admin/fleet/routers/{router_a}").text
    table = _table(page)
    assert table.count(">selesai<") == 2 and "wrote 5 files" in table
    assert f'href="/admin/fleet/tasks?router={router_a}"' in page

    csrf = sign_in(web, sessions, DESA_A)
    page = web.get(f"/admin/fleet/routers/{router_a}").text
    assert "wrote 5 files" in page and f'action="{push}"' not in page  # overseers' buttons
    assert web.post(push, data={"csrf": csrf}).status_code == 403
