"""CoA and Disconnect requests to routers, from asking to the router's answer: each is a router
task (wifidesa.fleet.tasks, the one outbox of work on routers) — the task is the claim (one in
flight per session, whichever worker or process asks) and its state and attempts are the
request's. The session keeps a summary of its last request (coa_action, coa_result, coa_at,
coa_detail), written in the same transaction as each step of the task: the sessions pages and
the API show it, and the quota's planners (wifidesa.usage.enforcement) read it to ask nothing
twice.

A quota's throttle is claimed as it is planned (the planner sends at once); an admin's
Disconnect is queued, and the RADIUS service takes it within a second. A task still running
after its lease (`STALE_PENDING`) lost its sender to a restart: `recover_stale` tries it again,
so that nothing stays "pending" for good. A Disconnect that the router never answered queues a
kick over the RouterOS API (wifidesa.usage.kicks), which the controllers' task worker does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, select, update
from sqlalchemy.orm import Session

from wifidesa.db.models import (
    AcctSession,
    CoAAction,
    CoAResult,
    RouterTask,
    SessionStatus,
    TaskKind,
    TaskState,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.fleet import tasks


@dataclass(frozen=True)
class SessionAction:
    """A CoA or Disconnect request to send for one live session."""

    session_id: int
    router_id: int
    action: CoAAction
    username: str
    acct_session_id: str
    framed_ip: str | None
    rate_limit: str | None = None  # for THROTTLE and RESTORE
    task_id: int = 0  # the router task that carries it, and the sender's claim on it
    claim: str = ""


# A request is answered or given up within seconds (radius.coa: three tries, 6 s in all); one
# running for longer was cut short by a restart of the RADIUS service.
STALE_PENDING = tasks.COA_LEASE
CUT_SHORT = "cut short by a restart of the RADIUS service"
QUOTA = "quota"  # who asked, for the quota's own requests
KICK_QUEUED = "; kick queued"


def _summary(
    session: Session, session_id: int, action: CoAAction, result: CoAResult, now: datetime
) -> None:
    session.execute(
        update(AcctSession)
        .where(AcctSession.id == session_id)
        .values(coa_action=action, coa_result=result, coa_at=now, coa_detail=None)
        .execution_options(synchronize_session=False)
    )


def claim_requests(
    session: Session,
    candidates: Sequence[tuple[AcctSession, CoAAction, str | None]],
    now: datetime,
    *,
    send_now: bool = True,
    asked_by: str = QUOTA,
    admin_id: int | None = None,
) -> list[SessionAction]:
    """A router task for each candidate that has none in flight: claimed by this caller to
    send at once (`send_now`), or queued for the RADIUS service. The actions claimed."""
    claim = tasks.new_claim()
    claimed: list[SessionAction] = []
    for row, action, rate in candidates:
        task_id = tasks.queue(
            session=session,
            router_id=row.router_id,
            kind=TaskKind(action.value),
            now=now,
            asked_by=asked_by,
            admin_id=admin_id,
            session_id=row.id,
            payload={"rate_limit": rate} if rate else None,
            claim=claim if send_now else None,
        )
        if task_id is None:
            continue
        result = CoAResult.PENDING if send_now else CoAResult.QUEUED
        _summary(session, row.id, action, result, now)
        claimed.append(_action(row, action, rate, task_id, claim if send_now else ""))
    return claimed


def _action(
    row: AcctSession, action: CoAAction, rate: str | None, task_id: int, claim: str
) -> SessionAction:
    return SessionAction(
        row.id,
        row.router_id,
        action,
        row.username,
        row.acct_session_id,
        row.framed_ip,
        rate,
        task_id,
        claim,
    )


def request_disconnect(
    *,
    session: Session,
    session_id: int,
    now: datetime,
    asked_by: str = "cli",
    admin_id: int | None = None,
) -> bool:
    """Queue an admin's "disconnect" for the RADIUS service, which sends it within seconds.

    False if the session is not open or a request for it is already on its way.
    """
    row = session.get(AcctSession, session_id)
    if row is None or row.status is not SessionStatus.OPEN:
        return False
    candidates = [(row, CoAAction.DISCONNECT, None)]
    queued = claim_requests(
        session, candidates, now, send_now=False, asked_by=asked_by, admin_id=admin_id
    )
    return bool(queued)


def disconnect_account(
    *,
    session: Session,
    account_id: int,
    now: datetime,
    asked_by: str = "cli",
    admin_id: int | None = None,
) -> int:
    """Queue a Disconnect for every open session of an account (revoked card, disabled
    resident); returns how many were queued."""
    live = session.scalars(
        select(AcctSession.id).where(AcctSession.account_id == account_id, OPEN_SESSION)
    ).all()
    return sum(
        request_disconnect(
            session=session, session_id=i, now=now, asked_by=asked_by, admin_id=admin_id
        )
        for i in live
    )


def take_queued(*, session: Session, now: datetime) -> list[SessionAction]:
    """Queued requests, now claimed by the caller to send (one RADIUS worker takes each). On
    SQLite the transaction holds the writer lock (wifidesa.fleet.tasks)."""
    taken = []
    for task in tasks.claim_due(session=session, kinds=tasks.COA_KINDS, now=now):
        row = session.get(AcctSession, task.session_id) if task.session_id else None
        if row is None:  # no such session (it was never ours to send)
            tasks.finish(
                session=session,
                claimed=task,
                state=TaskState.GIVEN_UP,
                now=now,
                outcome="no such session",
            )
            continue
        action = CoAAction(task.kind.value)
        _summary(session, row.id, action, CoAResult.PENDING, now)
        rate = task.payload.get("rate_limit")
        taken.append(_action(row, action, rate, task.id, task.claim))
    return taken


def requests_due(*, session: Session, now: datetime) -> bool:
    """Whether a Disconnect is queued or a request was cut short: a cheap read (an index of
    the router tasks by state and time) that the RADIUS service makes every second."""
    return tasks.due_soon(session=session, kinds=tasks.COA_KINDS, now=now)


def recover_stale(*, session: Session, now: datetime) -> int:
    """Requests running past their lease (`STALE_PENDING`), whose sender stopped before the
    router answered, are tried again: a Disconnect of an open session is queued
    (`take_queued` sends it); a throttle or restore is given up and forgotten on the session,
    so that the planners decide it afresh with the current rates (the next interim over
    quota, the next housekeeping after the reset; sending either twice is harmless). Anything
    else is marked as not answered. Returns how many were found."""
    stale = session.execute(
        select(RouterTask.id, RouterTask.kind, RouterTask.session_id, AcctSession.status)
        .outerjoin(AcctSession, AcctSession.id == RouterTask.session_id)
        .where(
            RouterTask.state == TaskState.RUNNING,
            RouterTask.kind.in_(list(tasks.COA_KINDS)),
            RouterTask.next_attempt_at < now,
        )
    ).all()
    for row in stale:
        task = update(RouterTask).where(
            RouterTask.id == row.id, RouterTask.state == TaskState.RUNNING
        )
        summary = update(AcctSession).where(AcctSession.id == row.session_id)
        if row.status is SessionStatus.OPEN and row.kind is TaskKind.DISCONNECT:
            session.execute(
                task.values(
                    state=TaskState.QUEUED, claim=None, next_attempt_at=now, outcome=CUT_SHORT
                )
            )
            session.execute(
                summary.values(coa_result=CoAResult.QUEUED, coa_at=now, coa_detail=None)
            )
            continue
        session.execute(
            task.values(state=TaskState.GIVEN_UP, claim=None, outcome=CUT_SHORT, finished_at=now)
        )
        if row.status is SessionStatus.OPEN:
            session.execute(summary.values(coa_action=None, coa_result=None, coa_detail=None))
        else:  # the session ended meanwhile: nothing left to do
            session.execute(
                summary.values(coa_result=CoAResult.TIMEOUT, coa_at=now, coa_detail=CUT_SHORT)
            )
    return len(stale)


_TASK_STATES = {
    CoAResult.ACK: TaskState.DONE,
    CoAResult.NAK: TaskState.FAILED,
    CoAResult.TIMEOUT: TaskState.FAILED,
}


def record_outcome(
    *,
    session: Session,
    action: SessionAction,
    result: CoAResult,
    now: datetime,
    detail: str | None = None,
) -> None:
    """Store what the router answered on the task and the session's summary; an acknowledged
    throttle/restore flips `throttled`. A Disconnect the router never answered queues a kick
    over the RouterOS API. Nothing is recorded if the sender's claim was lost meanwhile (it
    ran past its lease and was taken again)."""
    task = tasks.Claimed(
        action.task_id,
        action.claim,
        action.router_id,
        TaskKind(action.action.value),
        action.session_id,
        {},
        0,
        "",
        None,
    )
    outcome = f"{result.value}: {detail}" if detail else result.value
    if not tasks.finish(
        session=session, claimed=task, state=_TASK_STATES[result], now=now, outcome=outcome
    ):
        return
    values: dict[str, object] = {
        "coa_result": result,
        "coa_at": now,
        "coa_detail": (detail or None) and detail[:64],
    }
    if result is CoAResult.ACK and action.action is CoAAction.THROTTLE:
        values["throttled"] = True
    if result is CoAResult.ACK and action.action is CoAAction.RESTORE:
        values["throttled"] = False
    table = cast(Table, AcctSession.__table__)
    session.execute(
        table.update()
        .where(and_(table.c.id == action.session_id, table.c.coa_action == action.action))
        .values(**values)
    )
    if result is CoAResult.TIMEOUT and action.action is CoAAction.DISCONNECT:
        queue_kick(session=session, disconnect_task_id=action.task_id, now=now)


def queue_kick(*, session: Session, disconnect_task_id: int, now: datetime) -> int | None:
    """The fallback of an unanswered Disconnect: remove the user from the router's hotspot
    over the RouterOS API (the controllers' task worker does it), asked by whoever asked for
    the Disconnect. The kick task's id, or None if the session has another task in flight."""
    disconnect = session.get_one(RouterTask, disconnect_task_id)
    return tasks.queue(
        session=session,
        router_id=disconnect.router_id,
        kind=TaskKind.KICK,
        now=now,
        asked_by=disconnect.asked_by,
        admin_id=disconnect.admin_id,
        session_id=disconnect.session_id,
    )
