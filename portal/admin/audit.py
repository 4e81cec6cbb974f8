"""The audit log view: who did what, filterable by village, action, actor and local days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from portal.admin.api_auth import api_caller
from portal.admin.web import Admin, gettext_for, page, signed_in
from portal.database import transaction
from wifidesa.admin.audit_view import PER_PAGE, AuditFilter, AuditPage, audit_entries
from wifidesa.admin.scope import require_site_code, visible_sites

router = APIRouter(prefix="/admin")
api = APIRouter(prefix="/api", tags=["audit"])
SignedIn = Annotated[Admin, Depends(signed_in)]
Caller = Annotated[Admin, Depends(api_caller)]


def _day(text: str) -> date | None:
    text = text.strip()
    return date.fromisoformat(text) if text else None


@router.get("/audit")
def audit_page(
    request: Request,
    admin: SignedIn,
    site: str = "",
    action: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    _ = gettext_for(request)
    values = {"site": site, "action": action, "actor": actor, "since": since, "until": until}
    error, status = "", 200
    try:
        first, last = _day(since), _day(until)
    except ValueError:
        first = last = None
        error, status = _("Dates are written as YYYY-MM-DD."), 400
    with transaction(request) as session:
        site_id = (
            require_site_code(session=session, scope=admin.scope, code=site).id if site else None
        )
        where = AuditFilter(
            site_id=site_id, action=action[:64], actor=actor[:64], since=first, until=last
        )
        found = audit_entries(session=session, scope=admin.scope, where=where, page=page_number)
        sites = [(s.code, s.name) for s in visible_sites(session=session, scope=admin.scope)]
    query = urlencode({k: v for k, v in values.items() if v})
    return page(
        request,
        "admin/audit.html",
        admin,
        status,
        found=found,
        sites=sites,
        values=values,
        error=error,
        query=query,
    )


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    site_id: int | None
    site_code: str | None
    detail: dict[str, Any]


class AuditPageOut(BaseModel):
    entries: list[AuditOut]
    page: int
    per_page: int
    has_next: bool


def _out(found: AuditPage) -> AuditPageOut:
    return AuditPageOut(
        entries=[
            AuditOut(
                id=r.id,
                at=r.at,
                actor=r.actor,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                site_id=r.site_id,
                site_code=r.site_code,
                detail=r.detail,
            )
            for r in found.rows
        ],
        page=found.page,
        per_page=found.per_page,
        has_next=found.has_next,
    )


@api.get("/audit", response_model=AuditPageOut)
def audit_api(
    request: Request,
    caller: Caller,
    site_id: int | None = None,
    action: Annotated[str, Query(max_length=64, description="prefix, e.g. vouchers.")] = "",
    actor: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[date | None, Query(description="first day (WITA), inclusive")] = None,
    until: Annotated[date | None, Query(description="last day (WITA), inclusive")] = None,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = PER_PAGE,
) -> AuditPageOut:
    """Audit entries the caller may read, newest first."""
    where = AuditFilter(site_id=site_id, action=action, actor=actor, since=since, until=until)
    with transaction(request) as session:
        found = audit_entries(
            session=session, scope=caller.scope, where=where, page=page_number, per_page=per_page
        )
    return _out(found)
