"""Archiving: closed sessions leave the live rows for one partition per month of their start.

A province's `sessions` grows by ~200,000 rows a day, ~73 million a year, but accounting only
ever reads and writes the open sessions and those of the last days (a router resends a record
for seconds; a rollup takes accounting up to 7 days late). So on PostgreSQL the table is
partitioned by `archived_month` (wifidesa.db.models.sessions, migration 0026): accounting
works in the small live partition, whose indexes stay in memory, and a month of old sessions
is one table of its own that maintenance, retention or a national deployment can treat whole.

Every `retention_every_seconds` the `stats` service (and `wifidesa sessions archive`) moves
the sessions that ended more than `sessions_archive_days` ago (default 14, never under 8: it
must outlast the 7 days of late accounting) out of the live rows: `archived_month` becomes the
UTC month of the start, YYYYMM. Nothing the statistics read changes (they read every
partition; tested), and nothing that accounting reads is archived: a record for a session
archived long ago would start a new session of that id, which is what a router reset does.

On PostgreSQL the month's partition is made before the first row goes there, as its own table
then attached (CREATE TABLE ... PARTITION OF would wait for, and stop, every transaction on
`sessions`; ATTACH lets them go on, but copying the foreign keys briefly locks `routers`,
`sites` and `accounts` against writers: see ensure_partitions). On SQLite the rows stay in the
one table with the same column, so the two backends answer alike.

Works in batches, like retention: a read in its own short transaction, each write in a short
transaction under the writer lock, repeating the read's conditions.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import AcctSession, SessionStatus
from wifidesa.db.models.sessions import IS_LIVE, partition_name

DEFAULT_DAYS = 14
# Accounting arrives up to 7 days late (a satellite outage): a session is archived after that.
LEAST_DAYS = 8
BATCH = 1000
# How long attaching a partition may wait for its locks, and how often it is tried.
_LOCK_TIMEOUT = "200ms"
_ATTEMPTS = 5
_ADVISORY_KEY = 0x5E55_A7C4  # serialises the making of partitions


def month_of(started_at: datetime) -> int:
    """The archive month of a session started then: its UTC month as YYYYMM."""
    start = started_at.astimezone(UTC)
    return start.year * 100 + start.month


def archive_cutoff(*, now: datetime, days: int) -> datetime:
    """Sessions that ended before this are archived; `ValueError` under LEAST_DAYS."""
    if days < LEAST_DAYS:
        raise ValueError(f"sessions are archived after {LEAST_DAYS} days at the earliest")
    return now - timedelta(days=days)


def _ended_before(cutoff: datetime) -> ColumnElement[bool]:
    """Closed or lost, last heard and stopped before `cutoff`."""
    return and_(
        AcctSession.status != SessionStatus.OPEN,
        AcctSession.updated_at < cutoff,
        or_(AcctSession.stopped_at.is_(None), AcctSession.stopped_at < cutoff),
    )


def archive_sessions(
    *,
    read_sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    lock: WriterLock,
    now: datetime,
    days: int = DEFAULT_DAYS,
    dry_run: bool = False,
    batch: int = BATCH,
) -> int:
    """Archive the live sessions that ended more than `days` before `now` (see the module's
    text); `dry_run`: count only. Returns how many were (or would be) archived."""
    cutoff = archive_cutoff(now=now, days=days)
    done, after = 0, 0
    while True:
        with transaction(read_sessions) as session:
            rows = session.execute(
                select(AcctSession.id, AcctSession.started_at)
                .where(IS_LIVE, AcctSession.id > after)
                .where(_ended_before(cutoff))
                .order_by(AcctSession.id)
                .limit(batch)
            ).all()
        if not rows:
            return done
        after = rows[-1].id
        if dry_run:
            done += len(rows)
            continue
        _make_partitions(write_sessions, lock, {month_of(row.started_at) for row in rows})
        with lock.held(), transaction(write_sessions) as session:
            done += _move(session, [row.id for row in rows], cutoff)


def _move(session: Session, ids: list[int], cutoff: datetime) -> int:
    """Move these sessions, if still live and ended before `cutoff`, to their month. A session
    that accounting holds locked (PostgreSQL) is left for the next run rather than waited for.

    In its month a session keeps its generation unless that month holds its router's session
    id already: a router that counts its ids anew after each reset reuses an id, and once the
    earlier sessions of an id are archived accounting numbers the next one 0 again. Then it
    takes the generations after that month's (they only order the sessions of one id)."""
    query = (
        select(
            AcctSession.id,
            AcctSession.router_id,
            AcctSession.acct_session_id,
            AcctSession.generation,
            AcctSession.started_at,
        )
        .where(IS_LIVE, AcctSession.id.in_(ids), _ended_before(cutoff))
        .order_by(AcctSession.generation)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    by_month: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_month[month_of(row.started_at)].append(row)
    moves = []
    for month, moving in sorted(by_month.items()):
        taken = _last_generations(session, month, {row.acct_session_id for row in moving})
        for row in moving:
            key = (row.router_id, row.acct_session_id)
            generation = row.generation
            if key in taken:
                generation = taken[key] = taken[key] + 1
            moves.append({"b_id": row.id, "month": month, "generation": generation})
    if moves:
        session.connection().execute(_MOVE, moves)
    return len(moves)


_TABLE = cast(Table, AcctSession.__table__)
_MOVE = (
    _TABLE.update()
    .where(IS_LIVE, _TABLE.c.id == bindparam("b_id"))
    .values(archived_month=bindparam("month"), generation=bindparam("generation"))
)


def _last_generations(session: Session, month: int, names: set[str]) -> dict[tuple[int, str], int]:
    """The highest generation of each (router, session id) of these ids archived in `month`."""
    found = session.execute(
        select(AcctSession.router_id, AcctSession.acct_session_id, func.max(AcctSession.generation))
        .where(AcctSession.archived_month == month, AcctSession.acct_session_id.in_(names))
        .group_by(AcctSession.router_id, AcctSession.acct_session_id)
    )
    return {(router, name): int(last) for router, name, last in found}


def _make_partitions(
    write_sessions: sessionmaker[Session], lock: WriterLock, months: set[int]
) -> None:
    """ensure_partitions in a transaction of its own, tried a few times: attaching waits at
    most `_LOCK_TIMEOUT` for its locks, so as not to hold accounting up behind it."""
    for attempt in range(_ATTEMPTS):
        try:
            with lock.held(), transaction(write_sessions) as session:
                ensure_partitions(session.connection(), months)
            return
        except OperationalError:
            if attempt == _ATTEMPTS - 1:
                raise
            time.sleep(1.0)


def ensure_partitions(connection: Connection, months: Iterable[int]) -> list[str]:
    """PostgreSQL: make the partitions of these archive months that do not exist yet (each an
    empty table, then attached). Returns the names made; elsewhere nothing to make.

    Attaching copies the table's foreign keys, which takes a lock on `routers`, `sites` and
    `accounts` that their writers wait for: it waits at most `_LOCK_TIMEOUT` for it (the
    caller tries again), and holds it for the moment an empty table takes to check."""
    if connection.dialect.name != "postgresql":
        return []
    made = []
    for month in sorted(set(months)):
        name = partition_name(month)
        if _is_partition(connection, name):
            continue
        # Two runs at once (the service's and a hand-run `sessions archive`): one makes it.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
        if _is_partition(connection, name):
            continue
        if connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar():
            raise RuntimeError(f"table {name} exists but is not a partition of sessions")
        connection.execute(text(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'"))
        # `month` is an int: only its digits go into the statement.
        connection.execute(
            text(f"CREATE TABLE {name} (LIKE sessions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        )
        connection.execute(
            text(f"ALTER TABLE sessions ATTACH PARTITION {name} FOR VALUES IN ({month})")
        )
        made.append(name)
    return made


def _is_partition(connection: Connection, name: str) -> bool:
    return bool(
        connection.execute(
            text(
                "SELECT 1 FROM pg_inherits WHERE inhparent = 'sessions'::regclass "
                "AND inhrelid = to_regclass(:name)"
            ),
            {"name": name},
        ).scalar()
    )
