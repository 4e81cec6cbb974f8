"""Reading what the login rules need for a batch of names, in as few statements as possible.

A login server answers thousands of requests a second: the statements are built once (lists
as dbops.one_of: IN on SQLite, one array on PostgreSQL, so psycopg prepares each once), and
run on the session's Core connection (no ORM objects). A voucher batch costs two statements:
the accounts with their site, profile and quota limits, then their devices and open sessions
together. (PostgreSQL may keep generic plans for them: the tables read by key change slowly,
and sessions, read by account, is re-planned whenever autovacuum analyses it.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, literal, null, select, union_all
from sqlalchemy.orm import Session

from wifidesa.access.rules import AccountState, ProfileLimits, TokenState
from wifidesa.db.bulk import is_postgresql, one_of
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountKind,
    AcctSession,
    GuestDevice,
    LoginToken,
    Member,
    Profile,
    ProfileLimit,
    SessionStatus,
    Site,
    Voucher,
)
from wifidesa.usage.quota import Limit, load_quota_usage
from wifidesa.usernames import LoginName

_COLUMNS = (
    Account.id,
    Account.kind,
    Account.site_id,
    Site.name,
    Site.is_active,
    Account.status,
    Account.first_used_at,
    Account.expires_at,
    Profile.rate_limit,
    Profile.session_timeout,
    Profile.idle_timeout,
    Profile.interim_interval,
    Profile.devices_at_once,
    Profile.validity_seconds,
    Profile.remember_device_days,
    Profile.after_quota,
    Profile.throttle_rate_limit,
    Site.timezone,
    ProfileLimit.period,
    ProfileLimit.data_bytes,
    ProfileLimit.time_seconds,
)
_PROFILE = slice(8, 17)
_ZONE, _LIMIT = 17, slice(18, 21)
_EXTRA = 21  # the first column a lookup adds


def _lookup(*extra: Any) -> Any:
    """Accounts with site, profile and (one row per) quota limit, plus the lookup's columns."""
    return (
        select(*_COLUMNS, *extra)
        .join(Site, Site.id == Account.site_id)
        .join(Profile, Profile.id == Account.profile_id)
        .outerjoin(ProfileLimit, ProfileLimit.profile_id == Profile.id)
    )


def _statements(pg: bool) -> dict[str, Any]:
    """The lookups, with lists as `IN` (SQLite) or `= ANY(array)` (PostgreSQL: one prepared
    statement for every batch size, see dbops.one_of)."""

    def keys(column: Any) -> Any:
        return one_of(column, "keys", postgresql=pg)

    def ids(column: Any) -> Any:
        return one_of(column, "ids", postgresql=pg)

    return {
        "code": _lookup(Voucher.code, Voucher.password)
        .join(Voucher, Voucher.account_id == Account.id)
        .where(keys(Voucher.code)),
        "member": _lookup(Member.username)
        .join(Member, Member.account_id == Account.id)
        .where(keys(Member.username)),
        "guest": _lookup(GuestDevice.site_id, GuestDevice.mac)
        .join(GuestDevice, GuestDevice.account_id == Account.id)
        .where(keys(GuestDevice.mac)),
        "mac": _lookup(AccountDevice.mac)
        .join(AccountDevice, AccountDevice.account_id == Account.id)
        .where(keys(AccountDevice.mac), AccountDevice.remembered_until > bindparam("now")),
        "details": union_all(
            select(
                AccountDevice.account_id,
                AccountDevice.mac,
                AccountDevice.remembered_until,
                literal(True).label("bound"),
            ).where(ids(AccountDevice.account_id)),
            select(AcctSession.account_id, AcctSession.mac, null(), literal(False)).where(
                ids(AcctSession.account_id), AcctSession.status == SessionStatus.OPEN
            ),
        ),
        "tokens": select(
            LoginToken.account_id,
            LoginToken.id,
            LoginToken.token,
            LoginToken.expires_at,
            LoginToken.used_at,
            LoginToken.mac,
            LoginToken.remember_device,
        ).where(ids(LoginToken.account_id), LoginToken.used_at.is_(None)),
    }


_STATEMENTS = {pg: _statements(pg) for pg in (False, True)}


class Snapshot:
    """Account states for a batch, by login name and by id."""

    def __init__(self) -> None:
        self.by_id: dict[int, AccountState] = {}
        self.by_code: dict[str, int] = {}
        self.by_member: dict[str, int] = {}
        self.by_guest: dict[tuple[int, str], int] = {}
        self.by_mac: dict[str, list[int]] = {}

    def add(self, row: Any) -> int:
        account_id: int = row[0]
        state = self.by_id.get(account_id)
        if state is None:
            state = self.by_id[account_id] = AccountState(
                id=account_id,
                kind=row[1],
                site_id=row[2],
                site_name=row[3],
                site_active=bool(row[4]),
                status=row[5],
                first_used_at=row[6],
                expires_at=row[7],
                profile=ProfileLimits(*row[_PROFILE]),
                zone=row[_ZONE],
            )
        period, data_bytes, time_seconds = row[_LIMIT]
        if period is not None:
            limit = Limit(period, data_bytes, time_seconds)
            if limit not in state.limits:
                state.limits = (*state.limits, limit)
        return account_id


def load_snapshot(*, session: Session, names: Iterable[LoginName], now: datetime) -> Snapshot:
    """Read every account the names may refer to, with devices, sessions, tokens and usage."""
    snap = Snapshot()
    names = list(names)
    run = session.connection().execute
    q = _STATEMENTS[is_postgresql(session)]
    codes = {n.voucher_code for n in names if n.voucher_code}
    if codes:
        for row in run(q["code"], {"keys": list(codes)}):
            state = snap.by_id[snap.add(row)]
            state.voucher_code, state.voucher_password = row[_EXTRA], row[_EXTRA + 1]
            snap.by_code[row[_EXTRA]] = state.id
    # A name that is a voucher code is not looked up as a member too.
    members = {n.member_username for n in names if n.voucher_code not in snap.by_code}
    if members:
        for row in run(q["member"], {"keys": list(members)}):
            snap.by_member[row[_EXTRA]] = snap.add(row)
    guest_macs = {n.guest_mac for n in names if n.guest_mac}
    if guest_macs:
        for row in run(q["guest"], {"keys": list(guest_macs)}):
            snap.by_guest[(row[_EXTRA], row[_EXTRA + 1])] = snap.add(row)
    auth_macs = {n.mac for n in names if n.mac}
    if auth_macs:
        for row in run(q["mac"], {"keys": list(auth_macs), "now": now}):
            ids = snap.by_mac.setdefault(row[_EXTRA], [])
            account_id = snap.add(row)
            if account_id not in ids:
                ids.append(account_id)
    if snap.by_id:
        _load_details(session, snap, now)
    return snap


def _load_details(session: Session, snap: Snapshot, now: datetime) -> None:
    run = session.connection().execute
    q = _STATEMENTS[is_postgresql(session)]
    ids = list(snap.by_id)
    for account_id, mac, remembered, bound in run(q["details"], {"ids": ids}):
        state = snap.by_id[account_id]
        if not bound:
            state.open_session_macs.append(mac or "")
            continue
        state.bound_macs.add(mac)
        if remembered is not None and remembered > now:
            state.remembered_macs.add(mac)
    # Vouchers log in with their code; tokens are for members and guest devices.
    token_ids = [i for i, s in snap.by_id.items() if s.kind is not AccountKind.VOUCHER]
    if token_ids:
        for row in run(q["tokens"], {"ids": token_ids}):
            snap.by_id[row[0]].tokens.append(TokenState(*row[1:]))
    limited = {i: s for i, s in snap.by_id.items() if s.limits}
    if limited:
        usage = load_quota_usage(
            session=session, now=now, accounts={i: (s.limits, s.zone) for i, s in limited.items()}
        )
        for account_id, state in limited.items():
            state.usage = usage[account_id]
