"""The stored sessions an accounting batch merges into: loaded by (router, Acct-Session-Id),
one list per id of its generations (a router reset numbers its ids anew), and new rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import MetaData, Select, Table, bindparam, select
from sqlalchemy.orm import Session

from wifidesa.db.bulk import is_postgresql, one_of
from wifidesa.db.models import AcctSession, SessionStatus
from wifidesa.db.models.sessions import IS_LIVE, LIVE_PARTITION
from wifidesa.usage.records import AcctEvent, AcctRecord


@dataclass
class Row:
    """A session row being merged; `id` is None until inserted."""

    values: dict[str, Any]
    id: int | None = None
    dirty: bool = False  # the counters changed
    full: bool = False  # more than the counters changed (account, status)


_COLUMNS = (
    "id",
    "router_id",
    "site_id",
    "acct_session_id",
    "generation",
    "account_id",
    "status",
    "started_at",
    "updated_at",
    "stopped_at",
    "session_time",
    "input_octets",
    "output_octets",
    "terminate_cause",
    "mac",
)


TABLE = cast(Table, AcctSession.__table__)
# PostgreSQL: the live partition itself (wifidesa.usage.archive), named by accounting, which
# reads and writes nothing else: no other partition is planned, locked or probed, and no
# condition on `archived_month` tempts the planner (a fresh table's thin statistics made it
# read every live row through the primary key (id, archived_month) for `archived_month = 0`).
LIVE_TABLE = TABLE.to_metadata(MetaData(), name=LIVE_PARTITION)


def live_table(session: Session) -> Table:
    """Where accounting reads and writes sessions: the live partition on PostgreSQL, the one
    table elsewhere (whose archived rows `IS_LIVE` leaves out)."""
    return LIVE_TABLE if is_postgresql(session) else TABLE


def _selected(table: Table) -> Select[Any]:
    return select(*(table.c[c] for c in _COLUMNS)).order_by(table.c.generation)


# PostgreSQL: one router at a time, `router_id = ? AND acct_session_id = ANY(array)` (see
# bulk.one_of; a row-value IN cannot be one array parameter), planned with the values (the
# RADIUS worker's engine: custom_plans), with row locks, so that one session is never merged
# in two transactions at once. SQLite (one writer: no row locks) reads a whole batch in one
# statement, `acct_session_id IN (...)`, through the unique index (acct_session_id,
# router_id); the few rows of other routers with the same id are left out here. A query per
# router was 60 % of a batch's time on the embedded default (a batch holds records of ~50
# villages), where a row-value IN made SQLite scan the whole table.
ROWS_OF_ROUTER = (
    _selected(LIVE_TABLE)
    .where(
        LIVE_TABLE.c.router_id == bindparam("router"),
        one_of(LIVE_TABLE.c.acct_session_id, "ids", postgresql=True),
    )
    .with_for_update()
)
ROWS_OF_IDS = _selected(TABLE).where(
    IS_LIVE, one_of(TABLE.c.acct_session_id, "ids", postgresql=False)
)


Generations = dict[tuple[int, str], list[Row]]


def load_rows(session: Session, records: Sequence[AcctRecord]) -> Generations:
    """The stored sessions of the records' ids, by (router, id): each id's generations, oldest
    first."""
    by_router: dict[int, set[str]] = defaultdict(set)
    for record in records:
        by_router[record.router_id].add(record.acct_session_id)
    if is_postgresql(session):
        found = [
            row
            for router_id in sorted(by_router)
            for row in session.connection().execute(
                ROWS_OF_ROUTER, {"router": router_id, "ids": sorted(by_router[router_id])}
            )
        ]
    else:
        ids = sorted(set().union(*by_router.values()))
        found = list(session.connection().execute(ROWS_OF_IDS, {"ids": ids}))
    rows: Generations = defaultdict(list)
    for row in found:
        values = dict(zip(_COLUMNS, row, strict=True))
        if values["acct_session_id"] in by_router.get(values["router_id"], ()):
            rows[(values["router_id"], values["acct_session_id"])].append(
                Row(values=values, id=values["id"])
            )
    return rows


def generation_of(generations: list[Row], record: AcctRecord) -> Row:
    """The session a record of this id belongs to: the latest that began before it, that is,
    after the end of the one before (generations follow each other, see starts_anew)."""
    for at in range(len(generations) - 1, 0, -1):
        ended = generations[at - 1].values["stopped_at"]
        if ended is None or record.event_time > ended:
            return generations[at]
    return generations[0]


def starts_anew(generations: list[Row], row: Row, record: AcctRecord) -> bool:
    """A Start after the latest session of its id ended is a new session: the router was reset
    or replaced and counts its ids anew. (A late copy of that session's own Start happened
    before its end: it is merged, as a replay.)"""
    values = row.values
    return (
        record.event is AcctEvent.START
        and row is generations[-1]
        and values["status"] is not SessionStatus.OPEN
        and values["stopped_at"] is not None
        and record.event_time > values["stopped_at"]
    )


def new_row(
    record: AcctRecord,
    account_id: int | None,
    interval: int | None,
    device_hash: str | None,
    generation: int = 0,
) -> Row:
    started = record.event_time - timedelta(seconds=record.session_time)
    return Row(
        dirty=True,
        full=True,
        values={
            "router_id": record.router_id,
            "site_id": record.site_id,
            "acct_session_id": record.acct_session_id,
            "generation": generation,
            "account_id": account_id,
            "username": record.username[:64],
            "mac": record.mac,
            "device_hash": device_hash,
            "framed_ip": record.framed_ip,
            "status": SessionStatus.OPEN,
            "started_at": started,
            "updated_at": record.event_time,
            "stopped_at": None,
            "session_time": 0,
            "input_octets": 0,
            "output_octets": 0,
            "interim_interval": interval,
            "terminate_cause": None,
            # Accepted at the throttle rate (our Class says so, for this very account): the
            # quota's reset must restore it, even if it never sends another byte.
            "throttled": record.throttled and account_id == record.account_id,
        },
    )
