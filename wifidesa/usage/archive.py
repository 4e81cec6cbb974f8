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
then attached (ATTACH takes a lock that lets accounting go on; CREATE TABLE ... PARTITION OF
would wait for, and stop, every transaction on `sessions`). On SQLite the rows stay in the one
table with the same column, so the two backends answer alike.

Works in batches, like retention: a read in its own short transaction, each write in a short
transaction under the writer lock, repeating the read's conditions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import AcctSession, SessionStatus
from wifidesa.db.models.sessions import IS_LIVE, partition_name

DEFAULT_DAYS = 14
# Accounting arrives up to 7 days late (a satellite outage): a session is archived after that.
LEAST_DAYS = 8
BATCH = 1000
# How long making a partition may wait for its lock before trying again at the next run.
_LOCK_TIMEOUT = "5s"


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
        by_month: dict[int, list[int]] = defaultdict(list)
        for row in rows:
            by_month[month_of(row.started_at)].append(row.id)
        if dry_run:
            done += len(rows)
            continue
        with lock.held(), transaction(write_sessions) as session:
            ensure_partitions(session.connection(), by_month)
        with lock.held(), transaction(write_sessions) as session:
            for month, ids in sorted(by_month.items()):
                result = session.execute(
                    update(AcctSession)
                    .where(IS_LIVE, AcctSession.id.in_(ids))
                    .where(_ended_before(cutoff))
                    .values(archived_month=month)
                    .execution_options(synchronize_session=False)
                )
                done += int(getattr(result, "rowcount", 0) or 0)


def ensure_partitions(connection: Connection, months: Iterable[int]) -> list[str]:
    """PostgreSQL: make the partitions of these archive months that do not exist yet (each an
    empty table, then attached). Returns the names made; elsewhere nothing to make."""
    if connection.dialect.name != "postgresql":
        return []
    made = []
    for month in sorted(set(months)):
        name = partition_name(month)
        if connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar():
            continue
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


def partitions(connection: Connection) -> list[tuple[str, int]]:
    """PostgreSQL: the partitions of `sessions` and their rows (estimated, from the planner's
    statistics), by name; elsewhere none."""
    if connection.dialect.name != "postgresql":
        return []
    found = connection.execute(
        text(
            "SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'sessions'::regclass ORDER BY c.relname"
        )
    )
    return [(str(name), int(rows)) for name, rows in found]
