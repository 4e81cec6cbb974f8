"""The audit log as admins read it: scoped, filtered, newest first, a page at a time.

Desa admins see the entries of their villages and their own actions; kabupaten admins those of
their kabupaten's villages and their own; province admins everything. Days are the admin's
local days (WITA): a filter "from 1 to 3 March" means 1 March 00:00 to 4 March 00:00 WITA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from wifidesa.admin.scope import Scope, require_site, site_filter
from wifidesa.db.models import AuditEntry, Site
from wifidesa.localtime import local_midnight
from wifidesa.settings import DEFAULT_TIMEZONE

PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class AuditFilter:
    site_id: int | None = None
    action: str = ""  # prefix: "vouchers." or "vouchers.revoke"
    actor: str = ""  # an admin's username, "cli" or "system"
    since: date | None = None  # first local day, inclusive
    until: date | None = None  # last local day, inclusive


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    site_id: int | None
    site_code: str | None
    site_name: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    per_page: int
    has_next: bool


def _visible(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    # Entries without a village (sign-ins, imports) are read only by their author.
    site_column = cast(ColumnElement[int], AuditEntry.site_id)
    return site_filter(scope, site_column) | (AuditEntry.admin_id == scope.admin_id)


def day_bounds(
    since: date | None, until: date | None, zone: str = DEFAULT_TIMEZONE
) -> tuple[datetime | None, datetime | None]:
    """UTC instants of the start of `since` and of the day after `until`, in local time."""
    start = local_midnight(since, zone).astimezone(UTC) if since else None
    end = local_midnight(until + timedelta(days=1), zone).astimezone(UTC) if until else None
    return start, end


def audit_entries(
    *,
    session: Session,
    scope: Scope,
    where: AuditFilter = AuditFilter(),  # frozen: a safe default
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """One page of the entries the scope may read, newest first."""
    page = max(1, page)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    query = (
        select(AuditEntry, Site.code, Site.name)
        .outerjoin(Site, Site.id == AuditEntry.site_id)
        .where(_visible(scope))
    )
    if where.site_id is not None:
        require_site(session=session, scope=scope, site_id=where.site_id)
        query = query.where(AuditEntry.site_id == where.site_id)
    if where.action.strip():
        query = query.where(AuditEntry.action.startswith(where.action.strip(), autoescape=True))
    if where.actor.strip():
        query = query.where(AuditEntry.actor == where.actor.strip().lower())
    start, end = day_bounds(where.since, where.until)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if end is not None:
        query = query.where(AuditEntry.at < end)
    query = (
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    found = session.execute(query).all()
    rows = [
        AuditRow(
            id=entry.id,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            site_id=entry.site_id,
            site_code=code,
            site_name=name,
            detail=dict(entry.detail or {}),
        )
        for entry, code, name in found[:per_page]
    ]
    return AuditPage(rows=rows, page=page, per_page=per_page, has_next=len(found) > per_page)
