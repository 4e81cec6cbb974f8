"""Residents as admins read them: a page of the list, one resident with devices and usage.

Every query filters the member's site with `site_filter`: another village's resident is
"not found", whatever id is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, require_site, require_site_code, site_filter
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountStatus,
    AcctSession,
    Member,
    Profile,
    QuotaPeriod,
    Site,
)
from wifidesa.db.models.sessions import OPEN_SESSION
from wifidesa.errors import ErrorCode, NotFound
from wifidesa.localtime import local_day
from wifidesa.usage.quota import Usage, load_usage, usage_in

PAGE_SIZE = 50


@dataclass(frozen=True)
class MemberRow:
    account_id: int
    username: str
    full_name: str
    phone: str | None
    site_id: int
    site_code: str
    site_name: str
    profile_id: int
    profile: str
    status: AccountStatus
    devices: int  # remembered devices (MAC login) right now
    created_at: datetime


@dataclass(frozen=True)
class MemberPage:
    rows: list[MemberRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class DeviceRow:
    id: int
    mac: str
    first_seen_at: datetime
    last_seen_at: datetime
    remembered_until: datetime


@dataclass(frozen=True)
class MemberDetail:
    member: MemberRow
    devices: list[DeviceRow]
    online: int  # open sessions
    used_today: Usage
    used_this_month: Usage
    zone: str


def _rows_query(scope: Scope, now: datetime) -> Select[Any]:
    devices = (
        select(AccountDevice.account_id, func.count().label("n"))
        .where(AccountDevice.remembered_until > now)
        .group_by(AccountDevice.account_id)
        .subquery()
    )
    query = (
        select(
            Member.account_id,
            Member.username,
            Member.full_name,
            Member.phone,
            Site.id.label("site_id"),
            Site.code.label("site_code"),
            Site.name.label("site_name"),
            Profile.id.label("profile_id"),
            Profile.name.label("profile"),
            Account.status,
            func.coalesce(devices.c.n, 0).label("devices"),
            Account.created_at,
        )
        .join(Account, Account.id == Member.account_id)
        .join(Site, Site.id == Account.site_id)
        .join(Profile, Profile.id == Account.profile_id)
        .outerjoin(devices, devices.c.account_id == Member.account_id)
        .where(site_filter(scope, Account.site_id))
    )
    return cast(Select[Any], query)


def list_members(
    *,
    session: Session,
    scope: Scope,
    now: datetime,
    search: str = "",
    site_code: str = "",
    site_id: int | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> MemberPage:
    """Residents of the admin's villages, by username; `search` matches username, name, phone.

    A village asked for by code or id must be in the scope (NotFound otherwise)."""
    query = _rows_query(scope, now)
    if site_code:
        site_id = require_site_code(session=session, scope=scope, code=site_code).id
    if site_id is not None:
        require_site(session=session, scope=scope, site_id=site_id)
        query = query.where(Account.site_id == site_id)
    words = search.strip()
    if words:
        query = query.where(
            or_(
                Member.username.contains(words.lower(), autoescape=True),
                func.lower(Member.full_name).contains(words.lower(), autoescape=True),
                Member.phone.contains(words, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        query.order_by(Member.username).limit(per_page).offset((page - 1) * per_page)
    )
    return MemberPage([MemberRow(**row._mapping) for row in rows], total, page, per_page)


def _row(session: Session, scope: Scope, account_id: int, now: datetime) -> MemberRow:
    found = session.execute(_rows_query(scope, now).where(Member.account_id == account_id)).first()
    if found is None:
        raise NotFound(ErrorCode.RESIDENT_NOT_FOUND, account_id=account_id)
    return MemberRow(**found._mapping)


def remembered_devices(*, session: Session, account_id: int, now: datetime) -> list[DeviceRow]:
    query = (
        select(
            AccountDevice.id,
            AccountDevice.mac,
            AccountDevice.first_seen_at,
            AccountDevice.last_seen_at,
            AccountDevice.remembered_until,
        )
        .where(AccountDevice.account_id == account_id, AccountDevice.remembered_until > now)
        .order_by(AccountDevice.last_seen_at.desc())
    )
    return [DeviceRow(**row._mapping) for row in session.execute(query) if row.remembered_until]


def get_member(*, session: Session, scope: Scope, account_id: int, now: datetime) -> MemberDetail:
    """One resident with devices, sessions online and usage today and this month (local)."""
    row = _row(session, scope, account_id, now)
    zone = session.scalars(select(Site.timezone).where(Site.id == row.site_id)).one()
    today = local_day(now, zone)
    days = load_usage(session=session, account_ids=[account_id], since=today.replace(day=1))
    online = session.scalar(
        select(func.count()).where(AcctSession.account_id == account_id, OPEN_SESSION)
    )
    used: dict[date, Usage] = days[account_id]
    return MemberDetail(
        member=row,
        devices=remembered_devices(session=session, account_id=account_id, now=now),
        online=online or 0,
        used_today=usage_in(used, QuotaPeriod.DAY, today),
        used_this_month=usage_in(used, QuotaPeriod.MONTH, today),
        zone=zone,
    )
