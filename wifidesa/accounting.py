"""Accounting: sessions and usage from Start / Interim-Update / Stop, idempotently, in batches.

Routers report cumulative counters, so a record is merged by taking the larger of the stored
and the reported totals, and usage grows by the difference only: a replay, a retransmission or
an interim that arrives after a later one adds nothing. Usage accrues to the local day (the
site's zone) of the record's event time, so a session past midnight counts on both days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, exists, select, update
from sqlalchemy.orm import Session

from wifidesa.crypto import SecretBox
from wifidesa.dbops import insert_ignore, is_postgresql, upsert_add
from wifidesa.models import (
    Account,
    AcctSession,
    GuestDevice,
    Member,
    Profile,
    ProfileLimit,
    SessionStatus,
    Site,
    SiteDeviceDay,
    UsageDaily,
    Voucher,
)
from wifidesa.usernames import parse_login_name

DEFAULT_INTERIM = 300
SILENT_INTERIMS = 3  # a session silent for 3 interim intervals is lost (power cut, no Stop)
REAPED = "Lost-Service"  # terminate cause we set when the reaper closes a session
NAS_REBOOT = "NAS-Reboot"


class AcctEvent(StrEnum):
    START = "start"
    INTERIM = "interim"
    STOP = "stop"
    ROUTER_ON = "router-on"  # Accounting-On: the router (re)started
    ROUTER_OFF = "router-off"  # Accounting-Off: the router is going down


@dataclass(frozen=True)
class AcctRecord:
    event: AcctEvent
    router_id: int
    site_id: int
    event_time: datetime  # when it happened: arrival minus Acct-Delay-Time
    acct_session_id: str = ""
    username: str = ""
    account_id: int | None = None  # from the Class we gave at login, if echoed
    mac: str | None = None
    framed_ip: str | None = None
    session_time: int = 0
    input_octets: int = 0  # from the client (upload), gigawords included
    output_octets: int = 0
    terminate_cause: str | None = None


@dataclass
class _Row:
    """A session row being merged; `id` is None until inserted."""

    values: dict[str, Any]
    id: int | None = None
    dirty: bool = False


@dataclass
class AcctResult:
    sessions_started: int = 0
    sessions_updated: int = 0
    sessions_closed_by_router: int = 0
    usage_rows: int = 0
    unknown_accounts: int = 0
    # Accounts with a quota whose usage grew: their live sessions may need a CoA.
    accounts_with_usage: set[int] = field(default_factory=set)
    device_days: set[tuple[int, date, str]] = field(default_factory=set)


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def _resolve_accounts(session: Session, records: Sequence[AcctRecord]) -> dict[str, int]:
    """Account ids by user name, for records whose router did not echo our Class."""
    names = {r.username for r in records if r.account_id is None and r.username}
    if not names:
        return {}
    parsed = {n: parse_login_name(n) for n in names}
    found: dict[str, int] = {}
    codes = {p.voucher_code: n for n, p in parsed.items()}
    for code, account_id in session.execute(
        select(Voucher.code, Voucher.account_id).where(Voucher.code.in_(codes))
    ):
        found[codes[code]] = account_id
    members = {p.member_username: n for n, p in parsed.items() if n not in found}
    if members:
        for username, account_id in session.execute(
            select(Member.username, Member.account_id).where(Member.username.in_(members))
        ):
            found[members[username]] = account_id
    guests = {p.guest_mac: n for n, p in parsed.items() if p.guest_mac and n not in found}
    if guests:
        for mac, account_id in session.execute(
            select(GuestDevice.mac, GuestDevice.account_id).where(GuestDevice.mac.in_(guests))
        ):
            found[guests[mac]] = account_id
    return found


def _close_router_sessions(session: Session, record: AcctRecord) -> int:
    result = session.execute(
        update(AcctSession)
        .where(
            AcctSession.router_id == record.router_id,
            AcctSession.status == SessionStatus.OPEN,
            AcctSession.updated_at <= record.event_time,
        )
        .values(status=SessionStatus.LOST, stopped_at=record.event_time, terminate_cause=NAS_REBOOT)
        .execution_options(synchronize_session=False)
    )
    return int(cast(Any, result).rowcount or 0)


_COLUMNS = (
    "id",
    "router_id",
    "acct_session_id",
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


_TABLE = cast(Table, AcctSession.__table__)
# One router at a time: `router_id = ? AND acct_session_id IN (...)` uses the unique index on
# both backends, where a row-value IN made SQLite scan the whole table and PostgreSQL depend on
# fresh statistics (which a new monthly partition would not have).
_ROWS_OF_ROUTER = (
    select(*(_TABLE.c[c] for c in _COLUMNS))
    .where(
        _TABLE.c.router_id == bindparam("router"),
        _TABLE.c.acct_session_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(_TABLE.c.id)
)


def _load_rows(session: Session, records: Sequence[AcctRecord]) -> dict[tuple[int, str], _Row]:
    by_router: dict[int, set[str]] = defaultdict(set)
    for record in records:
        by_router[record.router_id].add(record.acct_session_id)
    # PostgreSQL: never merge one session in two transactions at once.
    query = _ROWS_OF_ROUTER.with_for_update() if is_postgresql(session) else _ROWS_OF_ROUTER
    rows: dict[tuple[int, str], _Row] = {}
    for router_id in sorted(by_router):
        found_rows = session.connection().execute(
            query, {"router": router_id, "ids": sorted(by_router[router_id])}
        )
        for found in found_rows:
            values = dict(zip(_COLUMNS, found, strict=True))
            rows[(values["router_id"], values["acct_session_id"])] = _Row(
                values=values, id=values["id"]
            )
    return rows


def _new_row(
    record: AcctRecord, account_id: int | None, interval: int | None, device_hash: str | None
) -> _Row:
    started = record.event_time - timedelta(seconds=record.session_time)
    return _Row(
        dirty=True,
        values={
            "router_id": record.router_id,
            "site_id": record.site_id,
            "acct_session_id": record.acct_session_id,
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
        },
    )


def record_accounting(
    *, session: Session, records: Sequence[AcctRecord], box: SecretBox, now: datetime
) -> AcctResult:
    """Merge a batch of accounting records into sessions and usage (the caller commits)."""
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
    by_name = _resolve_accounts(session, records)
    account_ids = {r.account_id or by_name.get(r.username) for r in records} - {None}
    intervals: dict[int, int] = {}
    with_quota: set[int] = set()
    if account_ids:
        has_limits = exists().where(ProfileLimit.profile_id == Profile.id)
        for owner, interval, limited in session.execute(
            select(Account.id, Profile.interim_interval, has_limits)
            .join(Profile, Profile.id == Account.profile_id)
            .where(Account.id.in_(account_ids))
        ):
            intervals[owner] = interval
            if limited:
                with_quota.add(owner)
    zones = dict(
        session.execute(
            select(Site.id, Site.timezone).where(Site.id.in_({r.site_id for r in records}))
        ).all()
    )
    rows = _load_rows(session, records)
    usage: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for record in records:
        key = (record.router_id, record.acct_session_id)
        account_id = record.account_id or by_name.get(record.username)
        if account_id is None:
            result.unknown_accounts += 1
        device_hash = box.device_hash(record.mac) if record.mac else None
        row = rows.get(key)
        if row is None:
            row = rows[key] = _new_row(
                record, account_id, intervals.get(account_id or -1), device_hash
            )
        values = row.values
        if values["account_id"] is None and account_id is not None:
            values["account_id"], row.dirty = account_id, True
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
            row.dirty = True
        elif (
            record.event is AcctEvent.INTERIM
            and values["status"] is SessionStatus.LOST
            and values["terminate_cause"] == REAPED
        ):
            # We gave it up for lost, but the router still counts it: it is alive.
            values.update(status=SessionStatus.OPEN, stopped_at=None, terminate_cause=None)
            row.dirty = True
        day = local_day(record.event_time, zones.get(record.site_id, "UTC"))
        if account_id is not None and any(deltas):
            if account_id in with_quota:
                result.accounts_with_usage.add(account_id)
            total = usage[(account_id, day)]
            for i in range(3):
                total[i] += deltas[i]
        if device_hash:
            result.device_days.add((record.site_id, day, device_hash))
    _write(session, rows, usage, result)
    return result


def _write(
    session: Session,
    rows: dict[tuple[int, str], _Row],
    usage: dict[tuple[int, date], list[int]],
    result: AcctResult,
) -> None:
    table = cast(Table, AcctSession.__table__)
    new = [r.values for r in rows.values() if r.id is None]
    changed = [
        {
            "b_id": r.id,
            **{
                k: r.values[k]
                for k in (
                    "account_id",
                    "status",
                    "updated_at",
                    "stopped_at",
                    "session_time",
                    "input_octets",
                    "output_octets",
                    "terminate_cause",
                )
            },
        }
        for r in rows.values()
        if r.id is not None and r.dirty
    ]
    if new:
        session.execute(table.insert(), new)
    if changed:
        session.connection().execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(k) for k in changed[0] if k != "b_id"}),
            changed,
        )
    result.sessions_started, result.sessions_updated = len(new), len(changed)
    upsert_add(
        session,
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
    insert_ignore(
        session,
        cast(Table, SiteDeviceDay.__table__),
        [{"site_id": s, "day": d, "device_hash": h} for s, d, h in sorted(result.device_days)],
        keys=("site_id", "day", "device_hash"),
    )
