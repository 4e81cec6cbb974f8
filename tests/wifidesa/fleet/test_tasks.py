"""The router-task outbox: one task in flight per session (or per router and kind), claims
that two workers never share, backoff with a cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router

from wifidesa.crypto import SecretBox
from wifidesa.db.models import RouterTask, TaskKind, TaskState
from wifidesa.fleet import tasks

NOW = datetime(2026, 3, 31, 16, 5, tzinfo=UTC)


def _router(sessions: sessionmaker[Session], box: SecretBox) -> int:
    with sessions.begin() as session:
        return make_router(session, box).id


def _queue(session: Session, router_id: int, kind: TaskKind, **kw: object) -> int | None:
    return tasks.queue(
        session=session, router_id=router_id, kind=kind, now=NOW, asked_by="test", **kw
    )  # type: ignore[arg-type]


def test_a_second_task_in_flight_for_one_session_or_router_is_not_queued(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    router_id = _router(sessions, box)
    with sessions.begin() as session:
        assert _queue(session, router_id, TaskKind.DISCONNECT, session_id=7) is not None
        assert _queue(session, router_id, TaskKind.KICK, session_id=7) is None
        assert _queue(session, router_id, TaskKind.KICK, session_id=8) is not None
        push = _queue(session, router_id, TaskKind.PUSH_HOTSPOT_FILES)
        assert push is not None
        assert _queue(session, router_id, TaskKind.PUSH_HOTSPOT_FILES) is None
        assert _queue(session, router_id, TaskKind.READ_ACTIVE) is not None
    with sessions.begin() as session:  # once it is done, the next may come
        (claimed, *_) = tasks.claim_due(
            session=session, kinds=[TaskKind.PUSH_HOTSPOT_FILES], now=NOW
        )
        assert tasks.finish(session=session, claimed=claimed, state=TaskState.DONE, now=NOW)
        assert _queue(session, router_id, TaskKind.PUSH_HOTSPOT_FILES) is not None


def test_workers_claim_only_their_kinds_and_never_the_same_task(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    router_id = _router(sessions, box)
    with sessions.begin() as session:
        for n in range(5):
            _queue(session, router_id, TaskKind.KICK, session_id=n)
        _queue(session, router_id, TaskKind.DISCONNECT, session_id=99)
    with sessions.begin() as session:
        first = tasks.claim_due(session=session, kinds=tasks.API_KINDS, now=NOW, limit=3)
    with sessions.begin() as session:
        second = tasks.claim_due(session=session, kinds=tasks.API_KINDS, now=NOW)
    assert len(first) == 3 and len(second) == 2
    assert {t.id for t in first}.isdisjoint({t.id for t in second})
    assert {t.kind for t in first + second} == {TaskKind.KICK}


def test_on_postgresql_a_claim_skips_the_rows_another_claim_holds(
    backend: str, sessions: sessionmaker[Session], box: SecretBox
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's claims take turns on the writer lock")
    router_id = _router(sessions, box)
    with sessions.begin() as session:
        for n in range(4):
            _queue(session, router_id, TaskKind.KICK, session_id=n)
    with sessions() as one, sessions() as two:
        mine = tasks.claim_due(session=one, kinds=tasks.API_KINDS, now=NOW, limit=2)
        theirs = tasks.claim_due(session=two, kinds=tasks.API_KINDS, now=NOW, limit=4)
        one.commit()
        two.commit()
    assert len(mine) == 2 and len(theirs) == 2
    assert {t.id for t in mine}.isdisjoint({t.id for t in theirs})


def test_backoff_doubles_up_to_its_cap() -> None:
    waits = [tasks.backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == tasks.BACKOFF_CAP
    assert waits == sorted(waits)


def test_a_failed_attempt_waits_and_the_last_one_gives_up(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    router_id = _router(sessions, box)
    with sessions.begin() as session:
        task_id = _queue(session, router_id, TaskKind.READ_ACTIVE)
    now = NOW
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        with sessions.begin() as session:
            (claimed,) = tasks.claim_due(session=session, kinds=tasks.API_KINDS, now=now)
            assert claimed.attempts == attempt
            state = tasks.retry_later(session=session, claimed=claimed, outcome="timeout", now=now)
            row = session.get_one(RouterTask, task_id)
            if attempt < tasks.MAX_ATTEMPTS:
                assert state is TaskState.QUEUED
                assert row.next_attempt_at == now + tasks.backoff(attempt)
                assert not tasks.claim_due(session=session, kinds=tasks.API_KINDS, now=now)
                now = row.next_attempt_at
    assert state is TaskState.GIVEN_UP
    with sessions() as session:
        row = session.get_one(RouterTask, task_id)
        assert (row.state, row.outcome, row.finished_at) == (TaskState.GIVEN_UP, "timeout", now)


def test_finished_tasks_are_purged_after_a_month(
    sessions: sessionmaker[Session], box: SecretBox
) -> None:
    router_id = _router(sessions, box)
    with sessions.begin() as session:
        _queue(session, router_id, TaskKind.READ_ACTIVE)
        _queue(session, router_id, TaskKind.KICK, session_id=1)
        (claimed,) = tasks.claim_due(session=session, kinds=[TaskKind.READ_ACTIVE], now=NOW)
        tasks.finish(session=session, claimed=claimed, state=TaskState.DONE, now=NOW)
    with sessions.begin() as session:
        assert tasks.purge(session=session, now=NOW + tasks.KEEP) == 0
        assert tasks.purge(session=session, now=NOW + tasks.KEEP + timedelta(seconds=1)) == 1
        assert session.query(RouterTask).count() == 1  # the queued one stays
