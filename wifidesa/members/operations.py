"""Residents (members) as admins manage them: list, create, reset password, disable, change
profile, forget remembered devices — always within the admin's scope.

Every query joins the member's account and filters its site with `site_filter`, so a resident
of another village is "not found", whatever id is guessed. Passwords never reach the audit log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, profile_filter, require_site, require_site_code, site_filter
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountStatus,
    AcctSession,
    Member,
    Profile,
    QuotaPeriod,
    SessionStatus,
    Site,
)
from wifidesa.errors import InvalidInput, NotFound
from wifidesa.members.accounts import add_member
from wifidesa.passwords import check_password_strength, hash_password
from wifidesa.usage.enforcement import disconnect_account
from wifidesa.usage.quota import Usage, load_usage, usage_in

PAGE_SIZE = 50
MAX_FULL_NAME = 120
MAX_PHONE = 32
# No 0/O, 1/l/I: generated passwords are read aloud or copied from a phone screen.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"
GENERATED_LENGTH = 10


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


def generate_password() -> str:
    """A new resident password, shown once to the admin and never stored in clear."""
    return "".join(secrets.choice(_READABLE) for _ in range(GENERATED_LENGTH))


def check_contact(full_name: str, phone: str | None) -> tuple[str, str | None]:
    """A resident's name and phone number, tidied; refused if too long or not a number."""
    name = " ".join(full_name.split())
    if len(name) > MAX_FULL_NAME:
        raise InvalidInput("the full name must be at most 120 characters")
    number = " ".join((phone or "").split()) or None
    if number is not None and (
        len(number) > MAX_PHONE
        or not number.replace(" ", "").replace("-", "").lstrip("+").isdigit()
    ):
        raise InvalidInput("the phone number may hold only digits, spaces, '-' and a leading '+'")
    return name, number


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
            Site.id,
            Site.code,
            Site.name,
            Profile.id,
            Profile.name,
            Account.status,
            func.coalesce(devices.c.n, 0),
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
    return MemberPage([MemberRow(*row) for row in rows], total, page, per_page)


def _row(session: Session, scope: Scope, account_id: int, now: datetime) -> MemberRow:
    found = session.execute(_rows_query(scope, now).where(Member.account_id == account_id)).first()
    if found is None:
        raise NotFound(f"resident {account_id} not found")
    return MemberRow(*found)


def _member(session: Session, scope: Scope, account_id: int) -> Member:
    """The resident if the scope reaches their village; NotFound otherwise."""
    member = session.scalar(
        select(Member)
        .join(Account, Account.id == Member.account_id)
        .where(Member.account_id == account_id, site_filter(scope, Account.site_id))
    )
    if member is None:
        raise NotFound(f"resident {account_id} not found")
    return member


def usable_profile(*, session: Session, scope: Scope, profile_id: int) -> Profile:
    """A profile the admin may give out (province-wide or their kabupaten's); NotFound else."""
    profile = session.scalar(select(Profile).where(Profile.id == profile_id, profile_filter(scope)))
    if profile is None:
        raise NotFound(f"profile {profile_id} not found")
    return profile


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
    return [
        DeviceRow(i, mac, first, last, until)
        for i, mac, first, last, until in session.execute(query)
        if until
    ]


def get_member(*, session: Session, scope: Scope, account_id: int, now: datetime) -> MemberDetail:
    """One resident with devices, sessions online and usage today and this month (local)."""
    row = _row(session, scope, account_id, now)
    zone = session.scalars(select(Site.timezone).where(Site.id == row.site_id)).one()
    today = now.astimezone(ZoneInfo(zone)).date()
    days = load_usage(session=session, account_ids=[account_id], since=today.replace(day=1))
    online = session.scalar(
        select(func.count()).where(
            AcctSession.account_id == account_id, AcctSession.status == SessionStatus.OPEN
        )
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


def create_member(
    *,
    session: Session,
    scope: Scope,
    site_id: int,
    profile_id: int,
    username: str,
    password: str,
    full_name: str = "",
    phone: str | None = None,
) -> Member:
    """A new resident of a village in scope, with a profile the admin may give out."""
    site = require_site(session=session, scope=scope, site_id=site_id)
    profile = usable_profile(session=session, scope=scope, profile_id=profile_id)
    name, number = check_contact(full_name, phone)
    return add_member(
        session=session,
        site_code=site.code,
        profile_name=profile.name,
        username=username,
        password=password,
        full_name=name,
        phone=number,
        actor=scope,
    )


def reset_password(
    *, session: Session, scope: Scope, account_id: int, password: str | None = None
) -> str:
    """Set a resident's password (a generated one if None); returns it, to be shown once."""
    new = password if password else generate_password()
    check_password_strength(new)
    hashed = hash_password(new)  # slow on purpose: before the transaction reads anything
    member = _member(session, scope, account_id)
    member.password_hash = hashed
    audit.record(
        session=session,
        action="members.password",
        actor=scope,
        object_type="member",
        object_id=member.username,
        site_id=member.account.site_id,
        generated=not password,
    )
    return new


def disable_member(*, session: Session, scope: Scope, account_id: int, now: datetime) -> int:
    """Refuse the resident's logins from now on and queue a Disconnect for their live
    sessions; returns how many disconnects were queued."""
    member = _member(session, scope, account_id)
    account = member.account
    if account.status is not AccountStatus.ACTIVE:
        raise InvalidInput("only an active resident can be disabled")
    account.status = AccountStatus.DISABLED
    session.flush()
    queued = disconnect_account(session=session, account_id=account_id, now=now)
    audit.record(
        session=session,
        action="members.disable",
        actor=scope,
        object_type="member",
        object_id=member.username,
        site_id=account.site_id,
        disconnects=queued,
    )
    return queued


def enable_member(*, session: Session, scope: Scope, account_id: int) -> None:
    member = _member(session, scope, account_id)
    account = member.account
    if account.status is not AccountStatus.DISABLED:
        raise InvalidInput("only a disabled resident can be enabled")
    account.status = AccountStatus.ACTIVE
    audit.record(
        session=session,
        action="members.enable",
        actor=scope,
        object_type="member",
        object_id=member.username,
        site_id=account.site_id,
    )


def change_profile(*, session: Session, scope: Scope, account_id: int, profile_id: int) -> None:
    """Give the resident another profile; their next login gets its limits."""
    member = _member(session, scope, account_id)
    profile = usable_profile(session=session, scope=scope, profile_id=profile_id)
    account = member.account
    old = account.profile.name
    account.profile_id = profile.id
    audit.record(
        session=session,
        action="members.profile",
        actor=scope,
        object_type="member",
        object_id=member.username,
        site_id=account.site_id,
        old=old,
        new=profile.name,
    )


def forget_device(
    *, session: Session, scope: Scope, account_id: int, device_id: int, now: datetime
) -> None:
    """Stop a remembered device from logging in by its MAC (RADIUS MAC authentication only
    accepts devices whose remembered_until lies ahead); the resident can still log in by
    password on it."""
    member = _member(session, scope, account_id)
    device = session.scalar(
        select(AccountDevice).where(
            AccountDevice.id == device_id,
            AccountDevice.account_id == account_id,
            AccountDevice.remembered_until > now,
        )
    )
    if device is None:
        raise NotFound(f"device {device_id} not found")
    device.remembered_until = None
    audit.record(
        session=session,
        action="members.forget_device",
        actor=scope,
        object_type="member",
        object_id=member.username,
        site_id=member.account.site_id,
        mac=device.mac,
    )
