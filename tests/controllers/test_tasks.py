"""The router-task worker against the RouterOS double, through the real routeros-api: a kick
empties the user's entry from the active list, hotspot files arrive byte-identical, a read of
the active list closes the sessions accounting lost, a router without API fails at once and an
unreachable one is tried again later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site
from wdtest.routeros import PASSWORD

from controllers.connection import RouterConnection
from controllers.double import DoubleRouter, DoubleRunner, RouterState
from controllers.tasks import NOT_CONFIGURED, TaskWorker
from controllers.timeouts import Timeouts
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock
from wifidesa.db.models import (
    AcctSession,
    CoAAction,
    CoAResult,
    Router,
    RouterTask,
    SessionStatus,
    TaskKind,
    TaskState,
)
from wifidesa.fleet import tasks
from wifidesa.fleet.targets import ApiTarget
from wifidesa.places.hotspot_files import render_hotspot_files
from wifidesa.usage.kicks import KICKED
from wifidesa.usage.reconcile import NOT_ON_ROUTER

QUICK = Timeouts(connect=1.0, read=1.0)
PORTAL = "https://portal.wifidesa.test"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def double() -> Iterator[DoubleRouter]:
    router = DoubleRouter(host="127.0.0.1", password=PASSWORD, state=RouterState(identity="desa"))
    with DoubleRunner([router]):
        yield router


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(
    sessions: sessionmaker[Session], box: SecretBox, db_url: str, clock: Clock
) -> Iterator[TaskWorker]:
    def connect(target: ApiTarget) -> RouterConnection:
        return RouterConnection(target, QUICK)

    worker = TaskWorker(
        sessions=sessions,
        lock=WriterLock(db_url),
        box=box,
        connect=connect,
        clock=clock,
        schedule_every=None,
    )
    yield worker
    worker.close()


def _router(sessions: sessionmaker[Session], box: SecretBox, double: DoubleRouter | None) -> int:
    api = (
        {
            "api_host": double.host,
            "api_port": double.port,
            "api_use_ssl": False,
            "api_username": "admin",
            "api_password": PASSWORD,
        }
        if double is not None
        else {}
    )
    with sessions.begin() as session:
        return make_router(session, box, site=make_site(session), **api).id


def _session(
    sessions: sessionmaker[Session], router_id: int, user: str, mac: str, at: datetime
) -> int:
    with sessions.begin() as session:
        router = session.get_one(Router, router_id)
        row = AcctSession(
            router_id=router_id,
            site_id=router.site_id,
            acct_session_id=f"{user}-1",
            username=user,
            mac=mac,
            status=SessionStatus.OPEN,
            started_at=at - timedelta(minutes=30),
            updated_at=at - timedelta(minutes=5),
            coa_action=CoAAction.DISCONNECT,
            coa_result=CoAResult.TIMEOUT,
        )
        session.add(row)
        session.flush()
        return row.id


def _queue(
    sessions: sessionmaker[Session],
    router_id: int,
    kind: TaskKind,
    now: datetime,
    session_id: int | None = None,
    **payload: object,
) -> int:
    with sessions.begin() as session:
        task_id = tasks.queue(
            session=session,
            router_id=router_id,
            kind=kind,
            now=now,
            asked_by="test",
            session_id=session_id,
            payload=payload,
        )
        assert task_id is not None
        return task_id


def _task(sessions: sessionmaker[Session], task_id: int) -> RouterTask:
    with sessions() as session:
        return session.get_one(RouterTask, task_id)


def test_a_kick_removes_the_user_from_the_active_list_and_says_so_on_the_session(
    double: DoubleRouter,
    worker: TaskWorker,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: Clock,
) -> None:
    router_id = _router(sessions, box, double)
    double.state.add_active(user="budi", mac_address="AA:BB:CC:00:00:01", address="10.5.50.2")
    double.state.add_active(user="budi", mac_address="AA:BB:CC:00:00:02", address="10.5.50.3")
    session_id = _session(sessions, router_id, "budi", "aa:bb:cc:00:00:01", clock.now)
    task_id = _queue(sessions, router_id, TaskKind.KICK, clock.now, session_id)

    assert worker.round() == 1

    # Only that session's device: the same user's other device stays logged in.
    assert [(a.user, a.mac_address) for a in double.state.active] == [("budi", "AA:BB:CC:00:00:02")]
    task = _task(sessions, task_id)
    assert (task.state, task.attempts) == (TaskState.DONE, 1)
    assert task.outcome == "removed 1 entry from the active list"
    with sessions() as session:
        row = session.get_one(AcctSession, session_id)
        assert (row.coa_result, row.coa_detail) == (CoAResult.ACK, KICKED)
    assert worker.round() == 0  # done once


def test_hotspot_files_arrive_byte_identical(
    double: DoubleRouter,
    worker: TaskWorker,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: Clock,
) -> None:
    router_id = _router(sessions, box, double)
    double.state.files.clear()
    task_id = _queue(sessions, router_id, TaskKind.PUSH_HOTSPOT_FILES, clock.now, portal_url=PORTAL)

    worker.round()

    with sessions() as session:
        name = session.get_one(Router, router_id).name
    expected = render_hotspot_files(router_name=name, portal_url=PORTAL)
    for page, text in expected.items():
        found = double.state.file_named(f"hotspot/{page}")
        assert found is not None and found.contents == text.encode("utf-8")
    assert _task(sessions, task_id).state is TaskState.DONE
    # Pushed again (a changed template): the files are replaced, not doubled.
    _queue(sessions, router_id, TaskKind.PUSH_HOTSPOT_FILES, clock.now, portal_url=PORTAL)
    worker.round()
    assert len(double.state.files) == len(expected)


def test_a_read_of_the_active_list_closes_lost_sessions_and_counts_unknown_users(
    double: DoubleRouter,
    worker: TaskWorker,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: Clock,
) -> None:
    router_id = _router(sessions, box, double)
    double.state.add_active(user="budi", mac_address="AA:BB:CC:00:00:01", address="10.5.50.2")
    double.state.add_active(user="siti", mac_address="AA:BB:CC:00:00:09", address="10.5.50.9")
    there = _session(sessions, router_id, "budi", "AA:BB:CC:00:00:01", clock.now)
    gone = _session(sessions, router_id, "andi", "AA:BB:CC:00:00:03", clock.now)
    task_id = _queue(sessions, router_id, TaskKind.READ_ACTIVE, clock.now)

    worker.round()

    with sessions() as session:
        kept, lost = session.get_one(AcctSession, there), session.get_one(AcctSession, gone)
        assert kept.status is SessionStatus.OPEN
        assert (lost.status, lost.terminate_cause) == (SessionStatus.LOST, NOT_ON_ROUTER)
        assert lost.stopped_at == clock.now
    task = _task(sessions, task_id)
    assert task.state is TaskState.DONE
    assert task.outcome == (
        "2 active on the router; 1 lost session(s) closed; 1 active without a session here"
    )


def test_a_session_heard_from_after_the_read_is_not_closed(
    double: DoubleRouter,
    worker: TaskWorker,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: Clock,
) -> None:
    router_id = _router(sessions, box, double)
    fresh = _session(sessions, router_id, "andi", "AA:BB:CC:00:00:03", clock.now)
    with sessions.begin() as session:  # an interim came in after the router was read
        session.get_one(AcctSession, fresh).updated_at = clock.now + timedelta(seconds=1)
    _queue(sessions, router_id, TaskKind.READ_ACTIVE, clock.now)

    worker.round()

    with sessions() as session:
        assert session.get_one(AcctSession, fresh).status is SessionStatus.OPEN


def test_a_router_without_api_fails_its_tasks_at_once(
    worker: TaskWorker, sessions: sessionmaker[Session], box: SecretBox, clock: Clock
) -> None:
    router_id = _router(sessions, box, None)
    task_id = _queue(sessions, router_id, TaskKind.READ_ACTIVE, clock.now)

    worker.round()

    task = _task(sessions, task_id)
    assert (task.state, task.attempts, task.outcome) == (TaskState.FAILED, 1, NOT_CONFIGURED)
    clock.now += timedelta(hours=2)
    assert worker.round() == 0


def test_an_unreachable_router_is_tried_again_with_backoff_then_given_up(
    worker: TaskWorker, sessions: sessionmaker[Session], box: SecretBox, clock: Clock
) -> None:
    with sessions.begin() as session:
        router_id = make_router(
            session,
            box,
            api_host="127.0.0.1",
            api_port=9,  # nothing listens: refused
            api_use_ssl=False,
            api_username="admin",
            api_password=PASSWORD,
        ).id
    task_id = _queue(sessions, router_id, TaskKind.READ_ACTIVE, clock.now)

    waits = []
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        assert worker.round() == 1
        task = _task(sessions, task_id)
        assert task.attempts == attempt
        assert task.outcome is not None and task.outcome.startswith("refused: ")
        if attempt < tasks.MAX_ATTEMPTS:
            assert task.state is TaskState.QUEUED
            waits.append(task.next_attempt_at - clock.now)
            assert worker.round() == 0  # not before its time
            clock.now = task.next_attempt_at
    assert _task(sessions, task_id).state is TaskState.GIVEN_UP
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert max(waits) == tasks.BACKOFF_CAP
    assert PASSWORD not in (_task(sessions, task_id).outcome or "")


def test_a_task_whose_worker_died_is_taken_again_after_its_lease(
    double: DoubleRouter,
    worker: TaskWorker,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: Clock,
) -> None:
    router_id = _router(sessions, box, double)
    task_id = _queue(sessions, router_id, TaskKind.READ_ACTIVE, clock.now)
    with sessions.begin() as session:  # claimed by a worker that was then killed
        (claimed,) = tasks.claim_due(session=session, kinds=tasks.API_KINDS, now=clock.now)
    assert worker.round() == 0  # its lease still holds

    clock.now += tasks.API_LEASE + timedelta(seconds=1)
    assert worker.round() == 1

    task = _task(sessions, task_id)
    assert (task.state, task.attempts) == (TaskState.DONE, 2)
    with sessions.begin() as session:  # the dead worker's late word changes nothing
        assert not tasks.finish(
            session=session, claimed=claimed, state=TaskState.FAILED, now=clock.now
        )
    assert _task(sessions, task_id).state is TaskState.DONE


def test_a_kick_goes_before_the_daily_reads_of_a_thousand_routers(
    worker: TaskWorker,
    double: DoubleRouter,
    sessions: sessionmaker[Session],
    box: SecretBox,
    clock: Clock,
) -> None:
    routers = [_router(sessions, box, double) for _ in range(105)]  # more than a round took
    for router_id in routers:  # the daily reads, all due at once
        _queue(sessions, router_id, TaskKind.READ_ACTIVE, clock.now - timedelta(minutes=1))
    double.state.add_active(user="budi", mac_address="AA:BB:CC:00:00:09", address="10.5.50.9")
    session_id = _session(sessions, routers[0], "budi", "aa:bb:cc:00:00:09", clock.now)
    kick = _queue(sessions, routers[0], TaskKind.KICK, clock.now, session_id=session_id)

    worker.round()

    assert _task(sessions, kick).state is TaskState.DONE  # in the first round, not the third
    with sessions() as session:
        reads = session.scalars(
            select(RouterTask.state).where(RouterTask.kind == TaskKind.READ_ACTIVE)
        ).all()
    assert sorted(reads).count(TaskState.QUEUED) == len(routers) - 20  # a few reads a round
