"""Admin users: create with a role and a scope, authenticate."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AdminRole, AdminUser, RegionLevel
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput
from wifidesa.passwords import check_password_strength, hash_password, verify_password
from wifidesa.places.regions import get_region
from wifidesa.places.sites import get_site
from wifidesa.usernames import check_username


def add_admin(
    *,
    session: Session,
    username: str,
    password: str,
    role: AdminRole,
    region_code: str | None = None,
    site_codes: Sequence[str] = (),
    full_name: str = "",
) -> AdminUser:
    """Create an admin. Kabupaten admins need their kabupaten; desa admins their site(s)."""
    username = check_username(username)
    check_password_strength(password)
    if session.scalar(select(AdminUser.id).where(AdminUser.username == username)) is not None:
        raise AlreadyExists(ErrorCode.ADMIN_EXISTS, username=username)
    admin = AdminUser(
        username=username, password_hash=hash_password(password), role=role, full_name=full_name
    )
    if role is AdminRole.KABUPATEN:
        if not region_code:
            raise InvalidInput(ErrorCode.KABUPATEN_NEEDS_REGION)
        admin.region_id = get_region(
            session=session, code=region_code, level=RegionLevel.KABUPATEN
        ).id
    elif region_code:
        raise InvalidInput(ErrorCode.REGION_ONLY_FOR_KABUPATEN)
    if role is AdminRole.DESA:
        if not site_codes:
            raise InvalidInput(ErrorCode.DESA_NEEDS_SITES)
        admin.sites = [get_site(session=session, code=code) for code in site_codes]
    elif site_codes:
        raise InvalidInput(ErrorCode.SITES_ONLY_FOR_DESA)
    session.add(admin)
    session.flush()
    audit.record(
        session=session,
        action="admins.add",
        object_type="admin_user",
        object_id=admin.username,
        role=role.value,
    )
    return admin


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(*, session: Session, username: str, password: str) -> AdminUser | None:
    """The active admin with these credentials, or None (same answer for every failure)."""
    admin = session.scalar(select(AdminUser).where(AdminUser.username == username.lower()))
    if admin is None or not admin.is_active:
        # Verify anyway, so an unknown user takes as long as a wrong password.
        verify_password(password, _dummy_hash())
        return None
    if not verify_password(password, admin.password_hash):
        return None
    admin.last_login_at = utcnow()
    return admin
