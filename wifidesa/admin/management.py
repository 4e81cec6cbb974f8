"""Admins as the province manages them: list, deactivate and reactivate, reset a password,
revoke every sign-in. Province admins and the operator only (`require_province`).

Deactivating an admin or resetting their password ends every web session and API token of
theirs at once: a leaked token stops working, not only the password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from wifidesa.admin import audit
from wifidesa.admin.scope import Scope, require_province
from wifidesa.db.models import AdminRole, AdminToken, AdminUser, TokenKind
from wifidesa.errors import ErrorCode, InvalidInput, NotFound
from wifidesa.passwords import check_password_strength, hash_password


@dataclass(frozen=True)
class AdminRow:
    id: int
    username: str
    full_name: str
    role: AdminRole
    is_active: bool
    last_login_at: datetime | None
    api_tokens: int  # unexpired


def list_admins(*, session: Session, scope: Scope, now: datetime) -> list[AdminRow]:
    """Every admin, by username, with how many unexpired API tokens each holds."""
    require_province(scope)
    tokens = (
        select(AdminToken.admin_id, func.count().label("n"))
        .where(AdminToken.kind == TokenKind.API, AdminToken.expires_at > now)
        .group_by(AdminToken.admin_id)
        .subquery()
    )
    query = (
        select(AdminUser, func.coalesce(tokens.c.n, 0).label("api_tokens"))
        .outerjoin(tokens, tokens.c.admin_id == AdminUser.id)
        .order_by(AdminUser.username)
    )
    return [
        AdminRow(
            id=row.AdminUser.id,
            username=row.AdminUser.username,
            full_name=row.AdminUser.full_name,
            role=row.AdminUser.role,
            is_active=row.AdminUser.is_active,
            last_login_at=row.AdminUser.last_login_at,
            api_tokens=row.api_tokens,
        )
        for row in session.execute(query)
    ]


def _other_admin(session: Session, scope: Scope, username: str) -> AdminUser:
    require_province(scope)
    admin = session.scalar(select(AdminUser).where(AdminUser.username == username.lower()))
    if admin is None:
        raise NotFound(ErrorCode.ADMIN_NAMED_NOT_FOUND, username=username)
    if admin.id == scope.admin_id:
        raise InvalidInput(ErrorCode.NOT_ON_ONESELF)
    return admin


def revoke_sign_ins(*, session: Session, scope: Scope, username: str) -> int:
    """End every web session and API token of an admin; how many there were."""
    admin = _other_admin(session, scope, username)
    ended = _end_all(session, admin)
    audit.record(
        session=session,
        action="admins.revoke",
        actor=scope,
        object_type="admin_user",
        object_id=admin.username,
        ended=ended,
    )
    return ended


def set_active(*, session: Session, scope: Scope, username: str, active: bool) -> None:
    """Deactivate an admin (every sign-in ends) or let them sign in again."""
    admin = _other_admin(session, scope, username)
    admin.is_active = active
    ended = 0 if active else _end_all(session, admin)
    audit.record(
        session=session,
        action="admins.enable" if active else "admins.disable",
        actor=scope,
        object_type="admin_user",
        object_id=admin.username,
        ended=ended,
    )


def reset_password(*, session: Session, scope: Scope, username: str) -> str:
    """Give another admin a new generated password (returned to be handed over once); every
    sign-in of theirs ends."""
    new = secrets.token_urlsafe(12)
    check_password_strength(new)
    hashed = hash_password(new)  # slow on purpose: before the transaction reads anything
    admin = _other_admin(session, scope, username)
    admin.password_hash = hashed
    ended = _end_all(session, admin)
    audit.record(
        session=session,
        action="admins.password_reset",
        actor=scope,
        object_type="admin_user",
        object_id=admin.username,
        ended=ended,
    )
    return new


def _end_all(session: Session, admin: AdminUser) -> int:
    ended = session.execute(delete(AdminToken).where(AdminToken.admin_id == admin.id))
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]
