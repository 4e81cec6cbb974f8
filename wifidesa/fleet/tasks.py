"""The durable outbox of work on routers (router_tasks): queue, claim, finish, retry.

- One task in flight per session (a CoA, a Disconnect, a kick), and one per router and kind
  for the others (hotspot files, a read of the active list): a partial unique index holds it,
  so a second request while one waits, from any process, is not queued (`queue` says None).
- Workers claim due tasks of their kinds in a short transaction of their own and work after it
  committed: the RADIUS service the CoA kinds, the controllers' task worker the API kinds. The
  claim is a lease (`next_attempt_at` moves ahead by the kind's lease): a task whose worker
  died is found again when it runs out. Two workers never claim one task: PostgreSQL skips
  rows another claim has locked (FOR UPDATE SKIP LOCKED); on SQLite the claim holds the writer
  lock (the caller's engine or WriterLock), and the update asks again for the state it read.
- A failed attempt is tried again after a backoff doubling from BACKOFF_FIRST up to
  BACKOFF_CAP, and given up after MAX_ATTEMPTS; a failure that another try would not change
  (a NAK, a router whose API is not configured) ends the task at once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wifidesa.db.models import RouterTask, TaskKind, TaskState

COA_KINDS = frozenset({TaskKind.DISCONNECT, TaskKind.THROTTLE, TaskKind.RESTORE})
API_KINDS = frozenset({TaskKind.KICK, TaskKind.PUSH_HOTSPOT_FILES, TaskKind.READ_ACTIVE})
IN_FLIGHT = (TaskState.QUEUED, TaskState.RUNNING)
FINISHED = (TaskState.DONE, TaskState.FAILED, TaskState.GIVEN_UP)

BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=30)
MAX_ATTEMPTS = 8  # about 1.5 hours of retries with the backoff above
# A CoA or Disconnect is answered or given up within seconds (radius.coa: three tries, 6 s in
# all): one running for longer was cut short by a restart of the RADIUS service. An API task
# on a VSAT link (connect, TLS, login, two commands at ~0.7 s each, 10 s timeouts) ends
# within a minute.
COA_LEASE = timedelta(seconds=30)
API_LEASE = timedelta(minutes=5)
KEEP = timedelta(days=30)  # finished tasks are kept this long for admins to see
CLAIM_BATCH = 20
MAX_OUTCOME = 200
_SPACE = re.compile(r"\s+")


def lease(kind: TaskKind) -> timedelta:
    return COA_LEASE if kind in COA_KINDS else API_LEASE


@dataclass(frozen=True)
class Claimed:
    """A task claimed by a worker, detached from its session."""

    id: int
    claim: str
    router_id: int
    kind: TaskKind
    session_id: int | None
    payload: Mapping[str, Any]
    attempts: int  # including this one
    asked_by: str
    admin_id: int | None


def _claimed(row: RouterTask) -> Claimed:
    return Claimed(
        row.id,
        row.claim or "",
        row.router_id,
        row.kind,
        row.session_id,
        dict(row.payload),
        row.attempts,
        row.asked_by,
        row.admin_id,
    )


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, ... at most 30 min."""
    doublings = min(max(0, attempts - 1), 20)  # 2**20 x 30 s is far past the cap already
    return min(BACKOFF_FIRST * (1 << doublings), BACKOFF_CAP)


def short_outcome(text: str) -> str:
    """An outcome as stored: one line, at most MAX_OUTCOME characters. Callers redact it."""
    line = _SPACE.sub(" ", text).strip()
    return line if len(line) <= MAX_OUTCOME else line[: MAX_OUTCOME - 1] + "…"


def queue(
    *,
    session: Session,
    router_id: int,
    kind: TaskKind,
    now: datetime,
    asked_by: str,
    session_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
    admin_id: int | None = None,
    claim: str | None = None,
) -> int | None:
    """Queue a task; its id, or None when one for the same session (or, without a session,
    the same router and kind) is already queued or running. With `claim` the task is claimed
    by the caller at once (running, its first attempt), as the quota planner sends at once."""
    values: dict[str, Any] = {
        "router_id": router_id,
        "kind": kind,
        "session_id": session_id,
        "payload": dict(payload or {}),
        "state": TaskState.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "asked_by": asked_by[:64],
        "admin_id": admin_id,
        "created_at": now,
    }
    if claim is not None:
        values.update(
            state=TaskState.RUNNING, claim=claim, attempts=1, next_attempt_at=now + lease(kind)
        )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # ON CONFLICT DO NOTHING: the partial unique indexes refuse a second task in flight; a
    # transaction queueing one meanwhile is waited for (PostgreSQL), not failed.
    return session.scalar(
        insert(RouterTask).values(**values).on_conflict_do_nothing().returning(RouterTask.id)
    )


def new_claim() -> str:
    return secrets.token_hex(16)


def claim_due(
    *, session: Session, kinds: Collection[TaskKind], now: datetime, limit: int = CLAIM_BATCH
) -> list[Claimed]:
    """Claim up to `limit` queued tasks of these kinds that are due, oldest first. The caller
    commits at once: the claim is the committed lease. On SQLite the transaction must hold
    the writer lock (see the module's docstring)."""
    due = (
        select(RouterTask.id)
        .where(
            RouterTask.state == TaskState.QUEUED,
            RouterTask.kind.in_(list(kinds)),
            RouterTask.next_attempt_at <= now,
        )
        .order_by(RouterTask.next_attempt_at, RouterTask.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    claim = new_claim()
    claimed: list[Claimed] = []
    for kind in kinds:
        session.execute(
            update(RouterTask)
            # Asked again: a task claimed since it was read is not taken twice.
            .where(
                RouterTask.id.in_(ids),
                RouterTask.kind == kind,
                RouterTask.state == TaskState.QUEUED,
                RouterTask.next_attempt_at <= now,
            )
            .values(
                state=TaskState.RUNNING,
                claim=claim,
                attempts=RouterTask.attempts + 1,
                next_attempt_at=now + lease(kind),
            )
            .execution_options(synchronize_session=False)
        )
    rows = session.scalars(
        select(RouterTask).where(RouterTask.claim == claim).order_by(RouterTask.id)
    )
    claimed.extend(_claimed(row) for row in rows)
    return claimed


def requeue_expired(*, session: Session, kinds: Collection[TaskKind], now: datetime) -> int:
    """Running tasks of these kinds whose lease ran out (their worker stopped) are queued
    again, or given up when they had their attempts; how many."""
    expired = (
        RouterTask.state == TaskState.RUNNING,
        RouterTask.kind.in_(list(kinds)),
        RouterTask.next_attempt_at < now,
    )
    found = 0
    for attempts, values in (
        (
            RouterTask.attempts < MAX_ATTEMPTS,
            {"state": TaskState.QUEUED, "claim": None, "next_attempt_at": now},
        ),
        (
            RouterTask.attempts >= MAX_ATTEMPTS,
            {
                "state": TaskState.GIVEN_UP,
                "claim": None,
                "outcome": "cut short by a restart, too often",
                "finished_at": now,
            },
        ),
    ):
        result = session.execute(
            update(RouterTask)
            .where(*expired, attempts)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        found += int(getattr(result, "rowcount", 0) or 0)
    return found


def due_soon(*, session: Session, kinds: Collection[TaskKind], now: datetime) -> bool:
    """Whether a task of these kinds is due, or running past its lease: a cheap read (the due
    index) that workers make every second or so."""
    found = session.scalar(
        select(RouterTask.id)
        .where(
            RouterTask.state.in_(IN_FLIGHT),
            RouterTask.next_attempt_at <= now,
            RouterTask.kind.in_(list(kinds)),
        )
        .limit(1)
    )
    return found is not None


def finish(
    *,
    session: Session,
    claimed: Claimed,
    state: TaskState,
    now: datetime,
    outcome: str | None = None,
) -> bool:
    """End a claimed task (done, failed, given up); False if its claim was lost meanwhile."""
    if state not in FINISHED:
        raise ValueError(f"{state} is not an end state")
    result = session.execute(
        update(RouterTask)
        .where(RouterTask.id == claimed.id, RouterTask.claim == claimed.claim)
        .values(
            state=state,
            claim=None,
            outcome=short_outcome(outcome) if outcome else None,
            finished_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def retry_later(
    *, session: Session, claimed: Claimed, outcome: str, now: datetime
) -> TaskState | None:
    """A failed attempt: queued again after the backoff, or given up after MAX_ATTEMPTS. The
    state it is left in; None if the claim was lost meanwhile."""
    if claimed.attempts >= MAX_ATTEMPTS:
        ended = finish(
            session=session, claimed=claimed, state=TaskState.GIVEN_UP, now=now, outcome=outcome
        )
        return TaskState.GIVEN_UP if ended else None
    result = session.execute(
        update(RouterTask)
        .where(RouterTask.id == claimed.id, RouterTask.claim == claimed.claim)
        .values(
            state=TaskState.QUEUED,
            claim=None,
            outcome=short_outcome(outcome),
            next_attempt_at=now + backoff(claimed.attempts),
        )
        .execution_options(synchronize_session=False)
    )
    return TaskState.QUEUED if getattr(result, "rowcount", 0) else None


def purge(*, session: Session, now: datetime) -> int:
    """Forget finished tasks older than KEEP; how many."""
    result = session.execute(
        delete(RouterTask).where(
            RouterTask.state.in_(FINISHED), RouterTask.finished_at < now - KEEP
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
