"""Admin users: create with a role and a scope, authenticate."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_province
from wifidesa.db.models import AdminRole, AdminUser, Region, RegionLevel, Site
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput
from wifidesa.passwords import (
    check_password_strength,
    hash_password,
    verify_nothing,
    verify_password,
)
from wifidesa.usernames import check_username


def add_admin(
    *,
    session: Session,
    scope: Scope,
    username: str,
    password: str,
    role: AdminRole,
    region: Region | None = None,
    sites: Sequence[Site] = (),
    full_name: str = "",
) -> AdminUser:
    """Create an admin (province admins and the operator only). Kabupaten admins need their
    kabupaten; desa admins their site(s)."""
    require_province(scope)
    username = check_username(username)
    check_password_strength(password)
    if session.scalar(select(AdminUser.id).where(AdminUser.username == username)) is not None:
        raise AlreadyExists(ErrorCode.ADMIN_EXISTS, username=username)
    admin = AdminUser(
        username=username, password_hash=hash_password(password), role=role, full_name=full_name
    )
    if role is AdminRole.KABUPATEN:
        if region is None:
            raise InvalidInput(ErrorCode.KABUPATEN_NEEDS_REGION)
        if region.level is not RegionLevel.KABUPATEN:
            raise InvalidInput(ErrorCode.NOT_A_KABUPATEN, code=region.code)
        admin.region_id = region.id
    elif region is not None:
        raise InvalidInput(ErrorCode.REGION_ONLY_FOR_KABUPATEN)
    if role is AdminRole.DESA:
        if not sites:
            raise InvalidInput(ErrorCode.DESA_NEEDS_SITES)
        admin.sites = list(sites)
    elif sites:
        raise InvalidInput(ErrorCode.SITES_ONLY_FOR_DESA)
    session.add(admin)
    session.flush()
    audit.record(
        session=session,
        action="admins.add",
        actor=scope,
        object_type="admin_user",
        object_id=admin.username,
        role=role.value,
    )
    return admin


def authenticate(*, session: Session, username: str, password: str) -> AdminUser | None:
    """The active admin with these credentials, or None (same answer for every failure).

    It only reads: run it before a transaction that writes, so the password check (argon2,
    ~0.2 s) holds no lock; `signin.start_web_session` then records the sign-in."""
    admin = session.scalar(select(AdminUser).where(AdminUser.username == username.lower()))
    if admin is None or not admin.is_active:
        # Verify anyway, so an unknown user takes as long as a wrong password.
        verify_nothing(password)
        return None
    if not verify_password(password, admin.password_hash):
        return None
    return admin
