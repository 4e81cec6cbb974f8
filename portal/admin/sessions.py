"""Who is online now in my villages, and the "disconnect" button (pages and JSON API).

A disconnect is queued in the database; the RADIUS service sends the Disconnect-Request to the
router within seconds and records its answer on the session, which the page then shows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from portal.admin.api_auth import api_caller
from portal.admin.web import Admin, CheckedForm, page, signed_in
from portal.database import transaction
from wifidesa.admin.scope import require_site_code, visible_sites
from wifidesa.db.engine import utcnow
from wifidesa.db.models import CoAResult
from wifidesa.units import format_duration, format_size
from wifidesa.usage.live_sessions import LiveSession, disconnect, live_sessions

router = APIRouter(prefix="/admin")
api = APIRouter(prefix="/api", tags=["sessions"])
SignedIn = Annotated[Admin, Depends(signed_in)]
Caller = Annotated[Admin, Depends(api_caller)]

# The last CoA/Disconnect outcome in words (msgids; translated in the template).
OUTCOME_WORDS = {
    CoAResult.QUEUED: "queued, the RADIUS service sends it within seconds",
    CoAResult.PENDING: "sent, waiting for the router",
    CoAResult.ACK: "the router confirmed",
    CoAResult.NAK: "the router refused",
    CoAResult.TIMEOUT: "the router did not answer",
}
ACTION_WORDS = {"disconnect": "Disconnect", "throttle": "Slow down", "restore": "Normal speed"}


@router.get("/sessions")
def sessions_page(request: Request, admin: SignedIn, site: str = "", notice: str = "") -> Response:
    with transaction(request) as session:
        site_id = (
            require_site_code(session=session, scope=admin.scope, code=site).id if site else None
        )
        rows = live_sessions(session=session, scope=admin.scope, now=utcnow(), site_id=site_id)
        sites = [(s.code, s.name) for s in visible_sites(session=session, scope=admin.scope)]
    return page(
        request,
        "admin/sessions.html",
        admin,
        rows=rows,
        sites=sites,
        site=site,
        notice=notice if notice in ("queued", "busy") else "",
        outcome_words=OUTCOME_WORDS,
        action_words=ACTION_WORDS,
        size=format_size,
        duration=format_duration,
    )


@router.post("/sessions/{session_id}/disconnect")
def disconnect_page(
    request: Request, admin: SignedIn, session_id: int, form: CheckedForm
) -> Response:
    with transaction(request) as session:
        queued = disconnect(session=session, scope=admin.scope, session_id=session_id, now=utcnow())
    site = form.get("site", "")
    back = "/admin/sessions?notice=" + ("queued" if queued else "busy")
    if site.replace("-", "").replace(".", "").isalnum():
        back += f"&site={site}"
    return RedirectResponse(back, status_code=303)


class SessionOut(BaseModel):
    id: int
    site_id: int
    site_code: str
    village: str
    router: str
    account_kind: str | None
    account: str
    mac: str | None
    started_at: datetime
    updated_at: datetime
    used_octets: int
    has_quota: bool
    bytes_left: int | None
    seconds_left: int | None
    over_quota: bool
    throttled: bool
    coa_action: str | None
    coa_result: str | None
    coa_at: datetime | None
    coa_detail: str | None


def _out(row: LiveSession) -> SessionOut:
    quota = row.quota
    return SessionOut(
        id=row.id,
        site_id=row.site_id,
        site_code=row.site_code,
        village=row.village,
        router=row.router,
        account_kind=row.account_kind.value if row.account_kind else None,
        account=row.account,
        mac=row.mac,
        started_at=row.started_at,
        updated_at=row.updated_at,
        used_octets=row.used_octets,
        has_quota=quota is not None,
        bytes_left=quota.bytes_left if quota else None,
        seconds_left=quota.seconds_left if quota else None,
        over_quota=bool(quota and quota.over),
        throttled=row.throttled,
        coa_action=row.coa_action.value if row.coa_action else None,
        coa_result=row.coa_result.value if row.coa_result else None,
        coa_at=row.coa_at,
        coa_detail=row.coa_detail,
    )


@api.get("/sessions", response_model=list[SessionOut])
def list_api(request: Request, caller: Caller, site_id: int | None = None) -> list[SessionOut]:
    """Open sessions of the caller's villages (or of one), with quota left and CoA outcome."""
    with transaction(request) as session:
        rows = live_sessions(session=session, scope=caller.scope, now=utcnow(), site_id=site_id)
    return [_out(row) for row in rows]


class DisconnectOut(BaseModel):
    session_id: int
    queued: bool


@api.post(
    "/sessions/{session_id}/disconnect",
    response_model=DisconnectOut,
    status_code=202,
    responses={409: {"description": "closed already, or a request is on its way"}},
)
def disconnect_api(request: Request, caller: Caller, session_id: int) -> Response:
    """Queue a Disconnect-Request; poll GET /api/sessions for coa_result (ack, nak, timeout)."""
    with transaction(request) as session:
        queued = disconnect(
            session=session, scope=caller.scope, session_id=session_id, now=utcnow()
        )
    if not queued:
        return JSONResponse(
            {"detail": "the session is closed, or a request for it is on its way"},
            status_code=409,
        )
    return JSONResponse(DisconnectOut(session_id=session_id, queued=True).model_dump(), 202)
