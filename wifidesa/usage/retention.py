"""Retention of personal data (UU PDP No. 27/2022): statistics never need a MAC, an IP address
or a user name, so raw sessions older than the kept age lose them, and device rows that nothing
needs any more go. The rollups stay, and nothing in the statistics changes.

What a cleared session keeps: everything the statistics read (wifidesa.stats.rollup: site,
start, last heard, seconds, octets) and `device_hash`. That hash is an HMAC of the MAC keyed
with the server's device-hash key (wifidesa.crypto): it is pseudonymous, not anonymous data.
Whoever holds the key can hash a known MAC and find that device's sessions; without the key it
names nobody. It is kept because distinct-device figures (a day, a month, a year) are counted
from it and a site-day recomputed after retention must equal the row computed before; the key
stays on the server and never goes into a report. The user name becomes CLEARED_USERNAME (the
empty name: the column is NOT NULL), the MAC and the IP address become NULL.

Device rows: a guest device (free access, known by its MAC) goes when its account was neither
made nor used within the age (no usage, no session, no login token since, none open); its
account stays, MAC-less, so the usage and sessions counted against it stay whole, and if the
device comes back it is a new guest. An account device goes when it is not remembered for MAC
login, not seen within the age, no session of its account with that MAC is open or recent, and
it no longer binds a voucher: a voucher that can still log in keeps its bound devices, or a
second phone could take it over.

Every run works in batches (BATCH rows): reads in short transactions of their own, each write
in a short transaction under the writer lock (SQLite has one writer: the accounting worker
waits at most for one batch). A write repeats the read's conditions, so a session revived or a
device used in between is left alone. A second run changes nothing.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Row,
    and_,
    delete,
    exists,
    not_,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountKind,
    AccountStatus,
    AcctSession,
    GuestDevice,
    LoginToken,
    SessionStatus,
    UsageDaily,
)
from wifidesa.db.models.sessions import CLEARED_USERNAME, RETENTION_DUE

# Rows per read and per write transaction: a write of this many takes a few milliseconds on
# SQLite, and the ids stay well under its limit of bound parameters.
BATCH = 500
DEFAULT_MONTHS = 12

# Written as the partial index's WHERE (ix_sessions_retention_due), so both SQLite and
# PostgreSQL see that the query may use it.
_DUE = text(f"({RETENTION_DUE})")


@dataclass(frozen=True)
class RetentionCounts:
    """What one run cleared or removed (or would, in a dry run)."""

    sessions: int = 0
    guest_devices: int = 0
    account_devices: int = 0


def retention_cutoff(*, now: datetime, months: int) -> datetime:
    """`now` minus whole calendar months (the day clamped to the month's last: 31 May minus 3
    months is 28 or 29 February); `ValueError` unless months ≥ 1."""
    if months < 1:
        raise ValueError("retention keeps at least 1 month")
    now = now.astimezone(UTC)
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def apply_retention(
    *,
    read_sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    lock: WriterLock,
    now: datetime,
    months: int = DEFAULT_MONTHS,
    dry_run: bool = False,
    batch: int = BATCH,
) -> RetentionCounts:
    """Clear the sessions that ended (were last heard) more than `months` before `now` and
    remove the device rows nothing needs (see the module's docstring); open sessions are never
    touched. `dry_run`: count only, write nothing. Returns the counts."""
    cutoff = retention_cutoff(now=now, months=months)

    def fetch(query: Executable) -> list[Row[Any]]:
        with transaction(read_sessions) as session:
            return list(session.execute(query).all())

    def write(statement: Executable) -> int:
        if dry_run:
            return 0
        with lock.held(), transaction(write_sessions) as session:
            return int(getattr(session.execute(statement), "rowcount", 0) or 0)

    return RetentionCounts(
        sessions=_clear_sessions(fetch, write, cutoff, batch, dry_run),
        guest_devices=_remove_stale(
            fetch,
            write,
            GuestDevice,
            GuestDevice.account_id,
            _guest_stale(cutoff, now),
            batch,
            dry_run,
        ),
        account_devices=_remove_stale(
            fetch,
            write,
            AccountDevice,
            AccountDevice.id,
            _account_device_stale(cutoff, now),
            batch,
            dry_run,
        ),
    )


_Fetch = Callable[[Executable], list[Row[Any]]]
_Write = Callable[[Executable], int]


def _ended_before(cutoff: datetime) -> ColumnElement[bool]:
    """Closed or lost, and last heard before `cutoff` (an Accounting-On can stop a session
    after its last update: both times count)."""
    return and_(
        AcctSession.status != SessionStatus.OPEN,
        AcctSession.updated_at < cutoff,
        or_(AcctSession.stopped_at.is_(None), AcctSession.stopped_at < cutoff),
    )


def _clear_sessions(fetch: _Fetch, write: _Write, cutoff: datetime, batch: int, dry: bool) -> int:
    # A session lasts at most days: one that started before the cutoff and is not over yet
    # (or ended after it) is passed over and found again by the next run.
    done = 0
    after: tuple[datetime, int] | None = None
    while True:
        query = select(
            AcctSession.id, AcctSession.started_at, _ended_before(cutoff).label("ended")
        ).where(_DUE, AcctSession.started_at < cutoff)
        if after is not None:
            query = query.where(tuple_(AcctSession.started_at, AcctSession.id) > tuple_(*after))
        rows = fetch(query.order_by(AcctSession.started_at, AcctSession.id).limit(batch))
        ids = [row.id for row in rows if row.ended]
        if ids and dry:
            done += len(ids)
        elif ids:
            done += write(
                update(AcctSession)
                .where(AcctSession.id.in_(ids), _DUE, _ended_before(cutoff))
                .values(mac=None, framed_ip=None, username=CLEARED_USERNAME)
                .execution_options(synchronize_session=False)
            )
        if len(rows) < batch:
            return done
        after = (rows[-1].started_at, rows[-1].id)


def _heard_since(cutoff: datetime) -> ColumnElement[bool]:
    return or_(
        AcctSession.status == SessionStatus.OPEN,
        AcctSession.updated_at >= cutoff,
        AcctSession.stopped_at >= cutoff,
    )


def _guest_stale(cutoff: datetime, now: datetime) -> ColumnElement[bool]:
    """A guest device whose account nothing made or used within the age. The cheap tests come
    first: the sessions are read only for a device about to go."""
    account = GuestDevice.account_id
    in_use = or_(
        exists().where(
            Account.id == account,
            or_(Account.created_at >= cutoff, Account.first_used_at >= cutoff),
        ),
        # Local days: the day before the cutoff's UTC date is early enough for every zone.
        exists().where(
            UsageDaily.account_id == account,
            UsageDaily.day >= (cutoff - timedelta(days=1)).date(),
        ),
        exists().where(
            LoginToken.account_id == account,
            or_(LoginToken.created_at >= cutoff, LoginToken.expires_at > now),
        ),
        exists().where(AcctSession.account_id == account, _heard_since(cutoff)),
    )
    return not_(in_use)


def _account_device_stale(cutoff: datetime, now: datetime) -> ColumnElement[bool]:
    """An account device that is not remembered, not seen within the age, binds no voucher
    that can still log in, and has no open or recent session of its account."""
    binds_voucher = exists().where(
        Account.id == AccountDevice.account_id,
        Account.kind == AccountKind.VOUCHER,
        Account.status != AccountStatus.REVOKED,
        or_(Account.expires_at.is_(None), Account.expires_at > now),
    )
    used = exists().where(
        AcctSession.account_id == AccountDevice.account_id,
        AcctSession.mac == AccountDevice.mac,
        _heard_since(cutoff),
    )
    return and_(
        or_(AccountDevice.remembered_until.is_(None), AccountDevice.remembered_until <= now),
        AccountDevice.last_seen_at < cutoff,
        AccountDevice.first_seen_at < cutoff,
        not_(binds_voucher),
        not_(used),
    )


def _remove_stale(
    fetch: _Fetch,
    write: _Write,
    entity: type[GuestDevice] | type[AccountDevice],
    key: Any,
    stale: ColumnElement[bool],
    batch: int,
    dry: bool,
) -> int:
    """Delete the stale rows of a device table, one range of `batch` keys at a time."""
    done, after = 0, 0
    while True:
        scanned = fetch(select(key).where(key > after).order_by(key).limit(batch))
        if not scanned:
            return done
        span = and_(key >= scanned[0][0], key <= scanned[-1][0])
        if dry:
            done += len(fetch(select(key).where(span, stale)))
        else:
            done += write(delete(entity).where(span, stale))
        after = scanned[-1][0]
