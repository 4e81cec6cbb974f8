"""The audit log: one call records who did what to which object."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope
from wifidesa.db.models import AdminUser, AuditEntry

SYSTEM_ACTOR = "system"
# Who did it: an admin (by account or scope, OPERATOR for the command line), or "system".
Actor = AdminUser | Scope | str


def who(actor: Actor) -> tuple[int | None, str]:
    """(admin id or None, name) of an actor, as records and `created_by` columns keep them."""
    if isinstance(actor, AdminUser):
        return actor.id, actor.username
    if isinstance(actor, Scope):
        return actor.admin_id, actor.username
    return None, actor


def record(
    *,
    session: Session,
    action: str,
    actor: Actor,
    object_type: str = "",
    object_id: object = None,
    site_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry to the session's transaction. `detail` must hold no secret."""
    admin_id, name = who(actor)
    entry = AuditEntry(
        admin_id=admin_id,
        actor=name,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        site_id=site_id,
        detail=detail,
    )
    session.add(entry)
    return entry
