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
from dataclasses import fields
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, literal, null, select, union_all
from sqlalchemy.orm import Session

from wifidesa.access.rules import AccountState, ProfileLimits, TokenState
from wifidesa.access.ways import way_offered
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
    Site,
    Voucher,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.usage.quota import Limit, load_quota_usage
from wifidesa.usernames import LoginName

# Labelled, so rows are read by name: the profile's labels are ProfileLimits' fields.
_COLUMNS = (
    Account.id.label("account_id"),
    Account.kind.label("kind"),
    Account.site_id.label("site_id"),
    Site.name.label("site_name"),
    Site.is_active.label("site_active"),
    Site.allow_voucher.label("allow_voucher"),
    Site.allow_member.label("allow_member"),
    Site.allow_free.label("allow_free"),
    Account.status.label("status"),
    Account.first_used_at.label("first_used_at"),
    Account.expires_at.label("expires_at"),
    Profile.rate_limit.label("rate_limit"),
    Profile.session_timeout.label("session_timeout"),
    Profile.idle_timeout.label("idle_timeout"),
    Profile.interim_interval.label("interim_interval"),
    Profile.devices_at_once.label("devices_at_once"),
    Profile.validity_seconds.label("validity_seconds"),
    Profile.remember_device_days.label("remember_device_days"),
    Profile.after_quota.label("after_quota"),
    Profile.throttle_rate_limit.label("throttle_rate_limit"),
    Site.timezone.label("zone"),
    ProfileLimit.period.label("limit_period"),
    ProfileLimit.data_bytes.label("limit_data_bytes"),
    ProfileLimit.time_seconds.label("limit_time_seconds"),
)


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
        "code": _lookup(Voucher.code.label("code"), Voucher.password.label("voucher_password"))
        .join(Voucher, Voucher.account_id == Account.id)
        .where(keys(Voucher.code)),
        "member": _lookup(Member.username.label("username"))
        .join(Member, Member.account_id == Account.id)
        .where(keys(Member.username)),
        "guest": _lookup(GuestDevice.site_id.label("guest_site_id"), GuestDevice.mac.label("mac"))
        .join(GuestDevice, GuestDevice.account_id == Account.id)
        .where(keys(GuestDevice.mac)),
        "mac": _lookup(AccountDevice.mac.label("mac"))
        .join(AccountDevice, AccountDevice.account_id == Account.id)
        .where(keys(AccountDevice.mac), AccountDevice.remembered_until > bindparam("now")),
        "details": union_all(
            select(
                AccountDevice.account_id,
                AccountDevice.mac,
                AccountDevice.remembered_until,
                literal(True).label("bound"),
            ).where(ids(AccountDevice.account_id)),
            # A union's rows take the first select's names.
            select(AcctSession.account_id, AcctSession.mac, null(), literal(False)).where(
                ids(AcctSession.account_id), OPEN_SESSION
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
            LoginToken.router_id,
        ).where(
            # Only tokens that can still log in: a pile of spent or expired ones is never read.
            ids(LoginToken.account_id),
            LoginToken.used_at.is_(None),
            LoginToken.expires_at > bindparam("now"),
        ),
    }


_STATEMENTS = {pg: _statements(pg) for pg in (False, True)}


def _places(statement: Any) -> dict[str, int]:
    """Where each labelled column sits in the statement's rows, looked up once. Rows are read
    by name through it: a Row's attribute costs some 20 times an index, and a login batch
    reads ~25 columns of every account it finds."""
    return {name: place for place, name in enumerate(statement.selected_columns.keys())}


_AT = _places(select(*_COLUMNS))
_PLACES = {lookup: _places(statement) for lookup, statement in _STATEMENTS[False].items()}
_PROFILE = itemgetter(*(_AT[field.name] for field in fields(ProfileLimits)))
_LIMIT = itemgetter(_AT["limit_period"], _AT["limit_data_bytes"], _AT["limit_time_seconds"])
_TOKEN = itemgetter(*(_PLACES["tokens"][field.name] for field in fields(TokenState)))


class Snapshot:
    """Account states for a batch, by login name and by id."""

    def __init__(self) -> None:
        self.by_id: dict[int, AccountState] = {}
        self.by_code: dict[str, int] = {}
        self.by_member: dict[str, int] = {}
        self.by_guest: dict[tuple[int, str], int] = {}
        self.by_mac: dict[str, list[int]] = {}

    def add(self, row: Any) -> int:
        at = _AT
        account_id: int = row[at["account_id"]]
        state = self.by_id.get(account_id)
        if state is None:
            kind = row[at["kind"]]
            state = self.by_id[account_id] = AccountState(
                id=account_id,
                kind=kind,
                site_id=row[at["site_id"]],
                site_name=row[at["site_name"]],
                site_active=bool(row[at["site_active"]]),
                way_offered=way_offered(
                    kind=kind,
                    allow_voucher=bool(row[at["allow_voucher"]]),
                    allow_member=bool(row[at["allow_member"]]),
                    allow_free=bool(row[at["allow_free"]]),
                ),
                status=row[at["status"]],
                first_used_at=row[at["first_used_at"]],
                expires_at=row[at["expires_at"]],
                profile=ProfileLimits(*_PROFILE(row)),
                zone=row[at["zone"]],
            )
        period, data_bytes, time_seconds = _LIMIT(row)
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
        at = _PLACES["code"]
        for row in run(q["code"], {"keys": list(codes)}):
            state = snap.by_id[snap.add(row)]
            code = state.voucher_code = row[at["code"]]
            state.voucher_password = row[at["voucher_password"]]
            snap.by_code[code] = state.id
    # A name that is a voucher code is not looked up as a member too.
    members = {n.member_username for n in names if n.voucher_code not in snap.by_code}
    if members:
        for row in run(q["member"], {"keys": list(members)}):
            snap.by_member[row[_PLACES["member"]["username"]]] = snap.add(row)
    guest_macs = {n.guest_mac for n in names if n.guest_mac}
    if guest_macs:
        for row in run(q["guest"], {"keys": list(guest_macs)}):
            at = _PLACES["guest"]
            snap.by_guest[(row[at["guest_site_id"]], row[at["mac"]])] = snap.add(row)
    auth_macs = {n.mac for n in names if n.mac}
    if auth_macs:
        for row in run(q["mac"], {"keys": list(auth_macs), "now": now}):
            ids = snap.by_mac.setdefault(row[_PLACES["mac"]["mac"]], [])
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
    at = _PLACES["details"]
    for row in run(q["details"], {"ids": ids}):
        state = snap.by_id[row[at["account_id"]]]
        mac = row[at["mac"]]
        if not row[at["bound"]]:
            state.open_session_macs.append(mac or "")
            continue
        state.bound_macs.add(mac)
        remembered = row[at["remembered_until"]]
        if remembered is not None and remembered > now:
            state.remembered_macs.add(mac)
    # Vouchers log in with their code; tokens are for members and guest devices.
    token_ids = [i for i, s in snap.by_id.items() if s.kind is not AccountKind.VOUCHER]
    if token_ids:
        for row in run(q["tokens"], {"ids": token_ids, "now": now}):
            account_id = row[_PLACES["tokens"]["account_id"]]
            snap.by_id[account_id].tokens.append(TokenState(*_TOKEN(row)))
    limited = {i: s for i, s in snap.by_id.items() if s.limits}
    if limited:
        usage = load_quota_usage(
            session=session, now=now, accounts={i: (s.limits, s.zone) for i, s in limited.items()}
        )
        for account_id, state in limited.items():
            state.usage = usage[account_id]
