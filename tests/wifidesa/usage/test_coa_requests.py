"""CoA and Disconnect requests cut short by a restart of the RADIUS service: found by a cheap
check, and tried again rather than left "pending" for good.

A request in flight is a router task claimed by its sender (wifidesa.fleet.tasks) with the
session's summary saying "pending"; a crash leaves both so, and the task's lease runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session
from wdtest.admin_world import World
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.db.models import (
    AcctSession,
    CoAAction,
    CoAResult,
    RouterTask,
    SessionStatus,
    TaskKind,
)
from wifidesa.fleet import tasks
from wifidesa.usage.coa_requests import (
    CUT_SHORT,
    STALE_PENDING,
    recover_stale,
    requests_due,
    take_queued,
)

NOW = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)


def _pending(session: Session, session_id: int, action: CoAAction, at: datetime) -> None:
    """The state a sender leaves when it is killed after claiming the request at `at`."""
    session.execute(delete(RouterTask).where(RouterTask.session_id == session_id))
    row = session.get_one(AcctSession, session_id)
    tasks.queue(
        session=session,
        router_id=row.router_id,
        kind=TaskKind(action.value),
        now=at,
        asked_by="quota",
        session_id=session_id,
        claim=tasks.new_claim(),
    )
    session.execute(
        update(AcctSession)
        .where(AcctSession.id == session_id)
        .values(coa_action=action, coa_result=CoAResult.PENDING, coa_at=at)
    )


def test_requests_cut_short_by_a_restart_are_tried_again(session: Session, world: World) -> None:
    ids = world.ids
    just_sent = NOW - timedelta(seconds=5)  # its sender is still waiting for the router
    _pending(session, ids["session_a"], CoAAction.DISCONNECT, just_sent)
    assert not requests_due(session=session, now=NOW)
    assert recover_stale(session=session, now=NOW) == 0

    long_ago = NOW - STALE_PENDING - timedelta(seconds=1)
    _pending(session, ids["session_a"], CoAAction.DISCONNECT, long_ago)
    _pending(session, ids["session_b"], CoAAction.RESTORE, long_ago)
    _pending(session, ids["session_c"], CoAAction.THROTTLE, long_ago)
    session.execute(
        update(AcctSession)
        .where(AcctSession.id == ids["session_c"])
        .values(status=SessionStatus.CLOSED)
    )
    assert requests_due(session=session, now=NOW)
    assert recover_stale(session=session, now=NOW) == 3
    session.expire_all()

    a, b, c = (session.get(AcctSession, ids[f"session_{x}"]) for x in "abc")
    assert a is not None and b is not None and c is not None
    assert (a.coa_action, a.coa_result) == (CoAAction.DISCONNECT, CoAResult.QUEUED)
    assert (b.coa_action, b.coa_result) == (None, None)  # the planner decides it afresh
    assert (c.coa_result, c.coa_detail) == (CoAResult.TIMEOUT, CUT_SHORT)  # ended meanwhile
    (sent,) = take_queued(session=session, now=NOW)
    assert (sent.session_id, sent.action) == (ids["session_a"], CoAAction.DISCONNECT)
    assert not requests_due(session=session, now=NOW)
