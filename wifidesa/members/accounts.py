"""Members: residents who log in with a username and a password (stored as a hash only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope
from wifidesa.db.models import Account, AccountKind, AdminUser, GuestDevice, Member
from wifidesa.errors import AlreadyExists, InvalidInput
from wifidesa.passwords import check_password_strength, hash_password
from wifidesa.places.sites import get_site
from wifidesa.profiles.definitions import get_profile
from wifidesa.usernames import GUEST_PREFIX, check_username, normalize_mac


def member_username(text: str) -> str:
    """A resident's login name, normalised; refused if it could be read as a MAC or a guest."""
    username = check_username(text)
    # A resident's name must not be read as MAC authentication or a guest device.
    if normalize_mac(username) or username.startswith(GUEST_PREFIX):
        raise InvalidInput("username: 1 to 64 letters, digits, '.', '_' or '-' (not a MAC)")
    return username


def add_member(
    *,
    session: Session,
    site_code: str,
    profile_name: str,
    username: str,
    password: str,
    full_name: str = "",
    phone: str | None = None,
    actor: AdminUser | Scope | str = audit.CLI_ACTOR,
) -> Member:
    username = member_username(username)
    check_password_strength(password)
    if session.scalar(select(Member.account_id).where(Member.username == username)) is not None:
        raise AlreadyExists(f"member {username!r} exists already")
    site = get_site(session=session, code=site_code)
    profile = get_profile(session=session, name=profile_name)
    account = Account(
        kind=AccountKind.MEMBER,
        site_id=site.id,
        profile_id=profile.id,
        created_by_id=audit.who(actor)[0],
    )
    member = Member(
        account=account,
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        phone=phone,
    )
    session.add(member)
    session.flush()
    audit.record(
        session=session,
        action="members.add",
        actor=actor,
        object_type="member",
        object_id=username,
        site_id=site.id,
    )
    return member


def guest_account(*, session: Session, site_id: int, profile_id: int, mac: str) -> Account:
    """The free-access account of a device at a site, created on its first visit."""
    found = session.scalar(
        select(GuestDevice).where(GuestDevice.site_id == site_id, GuestDevice.mac == mac)
    )
    if found is not None:
        return found.account
    account = Account(kind=AccountKind.GUEST, site_id=site_id, profile_id=profile_id)
    session.add(GuestDevice(account=account, site_id=site_id, mac=mac))
    session.flush()
    return account
