"""Accounting: sessions and usage from Start / Interim-Update / Stop, idempotently, in batches.

Routers report cumulative counters, so a record is merged by taking the larger of the stored
and the reported totals, and usage grows by the difference only: a replay, a retransmission or
an interim that arrives after a later one adds nothing. Usage accrues to the local day (the
site's zone) of the record's event time, so a session past midnight counts on both days.

A session is known by its router and Acct-Session-Id, and by a generation: a router that was
reset or replaced counts its ids anew, and a Start after the end of the session of that id is
another session (merged into the old, closed one, its usage had counted as nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from wifidesa.crypto import SecretBox
from wifidesa.db.bulk import Writes
from wifidesa.db.models import (
    AcctSession,
    SessionStatus,
    Site,
    SiteDeviceDay,
    UsageDaily,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.localtime import local_day
from wifidesa.stats.dirty import TABLE as DIRTY_DAYS
from wifidesa.stats.dirty import dirty_rows
from wifidesa.stats.rollup import session_days
from wifidesa.usage.owners import Owners, resolve_accounts

# Re-exported: radius/packets.py imports the record types from here.
from wifidesa.usage.records import AcctEvent, AcctRecord
from wifidesa.usage.session_rows import (
    Generations,
    generation_of,
    live_table,
    load_rows,
    new_row,
    starts_anew,
)

DEFAULT_INTERIM = 300
SILENT_INTERIMS = 3  # a session silent for 3 interim intervals is lost (power cut, no Stop)
REAPED = "Lost-Service"  # terminate cause we set when the reaper closes a session
NAS_REBOOT = "NAS-Reboot"


@dataclass
class AcctResult:
    sessions_started: int = 0
    sessions_updated: int = 0
    sessions_closed_by_router: int = 0
    usage_rows: int = 0
    unknown_accounts: int = 0
    # (router, account) of records whose Class named an account of another site, or none:
    # stored as of no account (or the account their user name finds at the router's site).
    refused_classes: set[tuple[int, int]] = field(default_factory=set)
    # Accounts with a quota whose usage grew: their live sessions may need a CoA.
    accounts_with_usage: set[int] = field(default_factory=set)
    device_days: set[tuple[int, date, str]] = field(default_factory=set)
    # (site, local day) of every session this batch changed: statistics to recompute.
    stats_days: set[tuple[int, date]] = field(default_factory=set)
    # Filled by store_accounting (wifidesa.usage.storing): why the batch was stored in parts,
    # and the position of each record that was not stored, with the reason.
    retried: str | None = None
    not_stored: dict[int, str] = field(default_factory=dict)

    def absorb(self, other: AcctResult) -> None:
        """Add what another (committed) part of the batch stored."""
        self.sessions_started += other.sessions_started
        self.sessions_updated += other.sessions_updated
        self.sessions_closed_by_router += other.sessions_closed_by_router
        self.usage_rows += other.usage_rows
        self.unknown_accounts += other.unknown_accounts
        self.refused_classes |= other.refused_classes
        self.accounts_with_usage |= other.accounts_with_usage
        self.device_days |= other.device_days
        self.stats_days |= other.stats_days


@dataclass
class AcctCache:
    """What a long-running caller keeps between batches to skip lookups; losing it costs a query.

    Site zones change when an admin edits a site, a profile's interval and quota when an admin
    edits it, device days once a day per device: the RADIUS worker clears this with its router
    list every 15 s, so an edit applies within that.
    """

    zones: dict[int, str] = field(default_factory=dict)
    device_days: set[tuple[int, date, str]] = field(default_factory=set)
    device_hashes: dict[str, str] = field(default_factory=dict)
    owners: Owners = field(default_factory=Owners)

    def committed(self, result: AcctResult) -> None:
        """Note what a committed batch stored: only after the commit, or a rolled-back batch
        would leave rows here that the database does not have."""
        if len(self.device_days) > _CACHE_LIMIT:
            self.device_days.clear()
        self.device_days |= result.device_days

    def clear(self) -> None:
        self.zones.clear()
        self.device_days.clear()
        self.device_hashes.clear()
        self.owners = Owners()


_CACHE_LIMIT = 100_000


def _zones(session: Session, site_ids: set[int], cache: AcctCache) -> dict[int, str]:
    missing = site_ids - cache.zones.keys()
    if missing:
        cache.zones.update(
            session.execute(select(Site.id, Site.timezone).where(Site.id.in_(missing))).all()
        )
    return cache.zones


def _close_router_sessions(session: Session, record: AcctRecord) -> int:
    result = session.execute(
        update(AcctSession)
        .where(
            OPEN_SESSION,
            AcctSession.router_id == record.router_id,
            AcctSession.updated_at <= record.event_time,
        )
        .values(status=SessionStatus.LOST, stopped_at=record.event_time, terminate_cause=NAS_REBOOT)
        .execution_options(synchronize_session=False)
    )
    return int(cast(Any, result).rowcount or 0)


def record_accounting(
    *,
    session: Session,
    records: Sequence[AcctRecord],
    box: SecretBox,
    now: datetime,
    cache: AcctCache | None = None,
) -> AcctResult:
    """Merge a batch of accounting records into sessions and usage (the caller commits, then
    tells `cache` with `cache.committed(result)`)."""
    result = AcctResult()
    for record in records:
        if record.event in (AcctEvent.ROUTER_ON, AcctEvent.ROUTER_OFF):
            result.sessions_closed_by_router += _close_router_sessions(session, record)
    records = [
        r
        for r in records
        if r.event not in (AcctEvent.ROUTER_ON, AcctEvent.ROUTER_OFF) and r.acct_session_id
    ]
    if not records:
        return result
    cache = cache if cache is not None else AcctCache()
    owners = resolve_accounts(session, records, cache.owners)
    zones = _zones(session, {r.site_id for r in records}, cache)
    rows = load_rows(session, records)
    usage: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    hashes = cache.device_hashes
    for record in records:
        key = (record.router_id, record.acct_session_id)
        account_id = owners.account_of(record)
        if account_id is None:
            result.unknown_accounts += 1
        if owners.class_refused(record):
            result.refused_classes.add((record.router_id, cast(int, record.account_id)))
        device_hash = None
        if record.mac:
            device_hash = hashes.get(record.mac)
            if device_hash is None:
                device_hash = hashes[record.mac] = box.device_hash(record.mac)
        generations = rows[key]
        row = generation_of(generations, record) if generations else None
        if row is None or starts_anew(generations, row, record):
            row = new_row(
                record,
                account_id,
                owners.intervals.get(account_id or -1),
                device_hash,
                generation=row.values["generation"] + 1 if row else 0,
            )
            generations.append(row)
        values = row.values
        if values["account_id"] is None and account_id is not None:
            values["account_id"], row.full = account_id, True
        deltas = (
            max(0, record.input_octets - values["input_octets"]),
            max(0, record.output_octets - values["output_octets"]),
            max(0, record.session_time - values["session_time"]),
        )
        if any(deltas) or record.event_time > values["updated_at"]:
            row.dirty = True
            values["input_octets"] += deltas[0]
            values["output_octets"] += deltas[1]
            values["session_time"] += deltas[2]
            values["updated_at"] = max(values["updated_at"], record.event_time)
        if record.event is AcctEvent.STOP and values["status"] is not SessionStatus.CLOSED:
            values.update(
                status=SessionStatus.CLOSED,
                stopped_at=record.event_time,
                terminate_cause=record.terminate_cause,
            )
            row.full = True
        elif (
            record.event is AcctEvent.INTERIM
            and values["status"] is SessionStatus.LOST
            and values["terminate_cause"] == REAPED
            and row is generations[-1]
        ):
            # We gave it up for lost, but the router still counts it: it is alive.
            values.update(status=SessionStatus.OPEN, stopped_at=None, terminate_cause=None)
            row.full = True
        day = local_day(record.event_time, zones.get(record.site_id, "UTC"))
        if account_id is not None and any(deltas):
            if account_id in owners.with_quota:
                result.accounts_with_usage.add(account_id)
            total = usage[(account_id, day)]
            for i in range(3):
                total[i] += deltas[i]
        if device_hash:
            result.device_days.add((record.site_id, day, device_hash))
    for row in (row for of_one_id in rows.values() for row in of_one_id):
        if row.dirty or row.full:
            values = row.values
            site_id = values["site_id"]
            for day in session_days(
                started_at=values["started_at"],
                session_time=values["session_time"],
                zone=zones.get(site_id, "UTC"),
            ):
                result.stats_days.add((site_id, day))
    _write(session, rows, usage, result, cache)
    return result


# An interim changes only these: updating just them touches no index (none holds them, see the
# sessions model), which made SQLite's UPDATE about three times cheaper per row and lets
# PostgreSQL update the row in place.
INTERIM_COLUMNS = ("updated_at", "session_time", "input_octets", "output_octets")
_ALL = ("account_id", "status", "stopped_at", "terminate_cause", *INTERIM_COLUMNS)


def _write(
    session: Session,
    generations: Generations,
    usage: dict[tuple[int, date], list[int]],
    result: AcctResult,
    cache: AcctCache,
) -> None:
    writes = Writes(session)
    rows = [row for of_one_id in generations.values() for row in of_one_id]
    new = [r.values for r in rows if r.id is None]
    sessions = live_table(session)
    writes.insert(sessions, new)
    result.sessions_started = len(new)
    for columns, full in ((INTERIM_COLUMNS, False), (_ALL, True)):
        changed = [
            {"id": r.id, **{c: r.values[c] for c in columns}}
            for r in rows
            if r.id is not None and r.full is full and (r.dirty or r.full)
        ]
        writes.update(sessions, changed)
        result.sessions_updated += len(changed)
    writes.insert(
        cast(Table, UsageDaily.__table__),
        [
            {
                "account_id": a,
                "day": d,
                "input_octets": u[0],
                "output_octets": u[1],
                "session_seconds": u[2],
            }
            for (a, d), u in sorted(usage.items())
        ],
        keys=("account_id", "day"),
        add=("input_octets", "output_octets", "session_seconds"),
    )
    result.usage_rows = len(usage)
    writes.insert(
        cast(Table, SiteDeviceDay.__table__),
        [
            {"site_id": s, "day": d, "device_hash": h}
            for s, d, h in sorted(result.device_days - cache.device_days)
        ],
        keys=("site_id", "day", "device_hash"),
    )
    writes.insert(DIRTY_DAYS, dirty_rows(result.stats_days))
    writes.flush()
