"""The audit log: one call records who did what to which object."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wifidesa.models import AdminUser, AuditEntry

CLI_ACTOR = "cli"
SYSTEM_ACTOR = "system"


def record(
    *,
    session: Session,
    action: str,
    actor: AdminUser | str = CLI_ACTOR,
    object_type: str = "",
    object_id: object = None,
    site_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry to the session's transaction. `detail` must hold no secret."""
    entry = AuditEntry(
        admin_id=actor.id if isinstance(actor, AdminUser) else None,
        actor=actor.username if isinstance(actor, AdminUser) else actor,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        site_id=site_id,
        detail=detail,
    )
    session.add(entry)
    return entry
