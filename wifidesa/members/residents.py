"""Residents (members): create one, reset the password, disable and enable, change the
profile, forget remembered devices — one function per operation, within the caller's scope
(the admin's, or OPERATOR for the CLI and the tests' fixtures).

Every lookup joins the member's account and filters its site with `site_filter`, so a resident
of another village is "not found", whatever id is guessed. Passwords never reach the audit log.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_site, site_filter
from wifidesa.db.models import (
    Account,
    AccountDevice,
    AccountKind,
    AccountStatus,
    Member,
)
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput, NotFound
from wifidesa.passwords import check_password_strength, hash_password
from wifidesa.profiles.operations import get_usable_profile
from wifidesa.usage.coa_requests import disconnect_account
from wifidesa.usernames import GUEST_PREFIX, check_username, normalize_mac

MAX_FULL_NAME = 120
MAX_PHONE = 32
# No 0/O, 1/l/I: generated passwords are read aloud or copied from a phone screen.
_READABLE = "abcdefghjkmnpqrstuvwxyz23456789"
GENERATED_LENGTH = 10


def member_username(text: str) -> str:
    """A resident's login name, normalised; refused if it could be read as a MAC or a guest."""
    username = check_username(text)
    # A resident's name must not be read as MAC authentication or a guest device.
    if normalize_mac(username) or username.startswith(GUEST_PREFIX):
        raise InvalidInput(ErrorCode.BAD_MEMBER_USERNAME)
    return username


def generate_password() -> str:
    """A new resident password, shown once to the admin and never stored in clear."""
    return "".join(secrets.choice(_READABLE) for _ in range(GENERATED_LENGTH))


def check_contact(full_name: str, phone: str | None) -> tuple[str, str | None]:
    """A resident's name and phone number, tidied; refused if too long or not a number."""
    name = " ".join(full_name.split())
    if len(name) > MAX_FULL_NAME:
        raise InvalidInput(ErrorCode.FULL_NAME_TOO_LONG)
    number = " ".join((phone or "").split()) or None
    if number is not None and (
        len(number) > MAX_PHONE
        or not number.replace(" ", "").replace("-", "").lstrip("+").isdigit()
    ):
        raise InvalidInput(ErrorCode.BAD_PHONE)
    return name, number


def _member(session: Session, scope: Scope, account_id: int) -> Member:
    """The resident if the scope reaches their village; NotFound otherwise."""
    member = session.scalar(
        select(Member)
        .join(Account, Account.id == Member.account_id)
        .where(Member.account_id == account_id, site_filter(scope, Account.site_id))
    )
    if member is None:
        raise NotFound(ErrorCode.RESIDENT_NOT_FOUND, account_id=account_id)
    return member


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
    username = member_username(username)
    check_password_strength(password)
    hashed = hash_password(password)  # slow on purpose: before the transaction reads anything
    site = require_site(session=session, scope=scope, site_id=site_id)
    profile = get_usable_profile(session=session, scope=scope, profile_id=profile_id)
    name, number = check_contact(full_name, phone)
    if session.scalar(select(Member.account_id).where(Member.username == username)) is not None:
        raise AlreadyExists(ErrorCode.MEMBER_EXISTS, username=username)
    account = Account(
        kind=AccountKind.MEMBER,
        site_id=site.id,
        profile_id=profile.id,
        created_by_id=audit.who(scope)[0],
    )
    member = Member(
        account=account,
        username=username,
        password_hash=hashed,
        full_name=name,
        phone=number,
    )
    session.add(member)
    session.flush()
    audit.record(
        session=session,
        action="members.add",
        actor=scope,
        object_type="member",
        object_id=username,
        site_id=site.id,
    )
    return member


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
        raise InvalidInput(ErrorCode.ONLY_ACTIVE_DISABLED)
    account.status = AccountStatus.DISABLED
    session.flush()
    queued = disconnect_account(
        session=session,
        account_id=account_id,
        now=now,
        asked_by=scope.username,
        admin_id=scope.admin_id,
    )
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
        raise InvalidInput(ErrorCode.ONLY_DISABLED_ENABLED)
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
    profile = get_usable_profile(session=session, scope=scope, profile_id=profile_id)
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
        raise NotFound(ErrorCode.DEVICE_NOT_FOUND, device_id=device_id)
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
