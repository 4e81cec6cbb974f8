"""Signed-in admins: web sessions and API tokens (stored as SHA-256 only), password changes."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from wifidesa.admin import audit
from wifidesa.db.models import AdminToken, AdminUser, TokenKind
from wifidesa.errors import ErrorCode, InvalidInput, NotFound
from wifidesa.passwords import check_password_strength, hash_password, verify_password

WEB_IDLE = timedelta(hours=12)  # a village office signs in in the morning, out at night
WEB_MAX = timedelta(days=7)
API_LIFETIME = timedelta(days=90)  # a token in a script that leaked stops by itself
_TOUCH_EVERY = timedelta(minutes=5)  # do not write on every request


log = logging.getLogger(__name__)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(
    session: Session,
    admin: AdminUser,
    kind: TokenKind,
    name: str,
    lifetime: timedelta,
    now: datetime,
    read_only: bool = False,
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        AdminToken(
            admin_id=admin.id,
            kind=kind,
            token_hash=_digest(token),
            name=name,
            created_at=now,
            expires_at=now + lifetime,
            last_used_at=now,
            read_only=read_only,
        )
    )
    session.flush()
    return token


def start_web_session(*, session: Session, admin: AdminUser, now: datetime) -> str:
    """A new browser session for a signed-in admin; the token goes into a cookie."""
    admin.last_login_at = now
    audit.record(session=session, action="admins.sign_in", actor=admin)
    return _issue(session, admin, TokenKind.WEB, "", WEB_IDLE, now)


def record_failed_sign_in(*, session: Session, username: str, address: str) -> bool:
    """Log and audit a failed sign-in; whether `username` names an existing admin.

    Only an existing admin's name is logged: people type their password into the name field
    too, and a password is never logged.
    """
    admin = session.scalar(select(AdminUser).where(AdminUser.username == username.lower()))
    if admin is None:
        log.info("failed sign-in with an unknown name from %s", address)
        return False
    log.warning("failed sign-in of admin %s from %s", admin.username, address)
    audit.record(
        session=session,
        action="admins.sign_in_failed",
        actor=admin,
        object_type="admin_user",
        object_id=admin.id,
        address=address,
    )
    return True


def create_api_token(
    *, session: Session, admin: AdminUser, name: str, now: datetime, read_only: bool = False
) -> str:
    """A bearer token for the JSON API, shown once to its owner; a read-only one may only read
    (a dashboard or a report needs no more)."""
    name = name.strip()
    if not 1 <= len(name) <= 64:
        raise InvalidInput(ErrorCode.TOKEN_NAME_LENGTH)
    token = _issue(session, admin, TokenKind.API, name, API_LIFETIME, now, read_only=read_only)
    audit.record(
        session=session,
        action="admins.api_token",
        actor=admin,
        object_type="api_token",
        object_id=name,
        read_only=read_only,
    )
    return token


def is_read_only(*, session: Session, token: str) -> bool:
    """Whether an API token may only read."""
    found = session.scalar(
        select(AdminToken.read_only).where(AdminToken.token_hash == _digest(token))
    )
    return bool(found)


def list_api_tokens(*, session: Session, admin_id: int) -> list[AdminToken]:
    query = (
        select(AdminToken)
        .where(AdminToken.admin_id == admin_id, AdminToken.kind == TokenKind.API)
        .order_by(AdminToken.created_at.desc())
    )
    return list(session.scalars(query))


def revoke_api_token(*, session: Session, admin: AdminUser, token_id: int) -> None:
    found = session.scalar(
        select(AdminToken).where(
            AdminToken.id == token_id,
            AdminToken.admin_id == admin.id,
            AdminToken.kind == TokenKind.API,
        )
    )
    if found is None:
        raise NotFound(ErrorCode.TOKEN_NOT_FOUND, token_id=token_id)
    session.delete(found)
    audit.record(
        session=session,
        action="admins.api_token_revoke",
        actor=admin,
        object_type="api_token",
        object_id=found.name,
    )


def admin_for_token(
    *, session: Session, token: str, kind: TokenKind, now: datetime
) -> AdminUser | None:
    """The active admin holding this unexpired token; web sessions slide while in use."""
    if not token or len(token) > 128:
        return None
    found = session.scalar(
        select(AdminToken)
        .options(
            selectinload(AdminToken.admin).selectinload(AdminUser.sites),
            selectinload(AdminToken.admin).selectinload(AdminUser.region),
        )
        .where(AdminToken.token_hash == _digest(token), AdminToken.kind == kind)
    )
    if found is None or found.expires_at <= now or not found.admin.is_active:
        return None
    if kind is TokenKind.WEB and found.created_at + WEB_MAX <= now:
        return None
    if found.last_used_at is None or now - found.last_used_at >= _TOUCH_EVERY:
        found.last_used_at = now
        if kind is TokenKind.WEB:
            found.expires_at = min(now + WEB_IDLE, found.created_at + WEB_MAX)
    return found.admin


def end_web_session(*, session: Session, token: str) -> None:
    session.execute(
        delete(AdminToken).where(
            AdminToken.token_hash == _digest(token), AdminToken.kind == TokenKind.WEB
        )
    )


def change_password(
    *, session: Session, admin: AdminUser, current: str, new: str, keep_token: str | None
) -> None:
    """Change an admin's own password; every other web session and every API token of theirs
    ends (a password changed after a leak must shut out whoever had it)."""
    if not verify_password(current, admin.password_hash):
        raise InvalidInput(ErrorCode.WRONG_CURRENT_PASSWORD)
    check_password_strength(new)
    if new == current:
        raise InvalidInput(ErrorCode.SAME_PASSWORD)
    admin.password_hash = hash_password(new)
    others = delete(AdminToken).where(AdminToken.admin_id == admin.id)
    if keep_token:
        others = others.where(AdminToken.token_hash != _digest(keep_token))
    session.execute(others)
    audit.record(
        session=session,
        action="admins.password",
        actor=admin,
        object_type="admin_user",
        object_id=admin.username,
    )


def get_admin(*, session: Session, admin_id: int) -> AdminUser:
    admin = session.get(AdminUser, admin_id)
    if admin is None:
        raise NotFound(ErrorCode.ADMIN_NOT_FOUND, admin_id=admin_id)
    return admin
