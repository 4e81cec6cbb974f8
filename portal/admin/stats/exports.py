"""Statistics exports on the pages and in the API: ask for one (it is queued in the database,
wifidesa.stats.exports), follow its progress, download it. Only the admin who asked sees it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.web import Admin, CheckedForm, gettext_for, page, signed_in
from portal.database import transaction
from portal.downloads import attachment
from portal.i18n import request_language
from wifidesa.admin.scope import Scope
from wifidesa.db.engine import utcnow
from wifidesa.db.models import ExportFormat, ExportState
from wifidesa.errors import ErrorCode, InvalidInput, translate_error
from wifidesa.localtime import local_day
from wifidesa.settings import DEFAULT_TIMEZONE
from wifidesa.stats.exports import ExportView, export_file, export_status, request_export
from wifidesa.stats.periods import parse_period

router = APIRouter(prefix="/admin")
api = APIRouter(prefix="/api", tags=["statistics"])
SignedIn = Annotated[Admin, Depends(signed_in)]
Caller = Annotated[Admin, Depends(api_caller)]


def _ask(request: Request, scope: Scope, fields: dict[str, Any], language: str) -> ExportView:
    """Queue the export `fields` describe (as the statistics page's address does)."""
    now = utcnow()
    try:
        fmt = ExportFormat(str(fields.get("format") or ""))
    except ValueError:
        raise InvalidInput(
            ErrorCode.NOT_AN_EXPORT_FORMAT, text=str(fields.get("format"))[:20]
        ) from None
    period = parse_period(
        kind=str(fields.get("period") or ""),
        today=local_day(now, DEFAULT_TIMEZONE),
        on=str(fields.get("on") or ""),
        first=str(fields.get("first") or ""),
        last=str(fields.get("last") or ""),
    )
    with transaction(request) as session:
        return request_export(
            session=session,
            scope=scope,
            format=fmt,
            key=str(fields.get("area") or "")[:80],
            period=period,
            language=language,
            table=str(fields.get("table") or "") or None,
            now=now,
        )


@router.post("/stats/exports")
def ask(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    try:
        asked = _ask(request, admin.scope, form, request_language(request))
    except InvalidInput as exc:
        _ = gettext_for(request)
        detail = translate_error(exc, _)
        return page(request, "admin/error.html", admin, 400, title=_("Export"), detail=detail)
    return RedirectResponse(f"/admin/stats/exports/{asked.id}", status_code=303)


@router.get("/stats/exports/{export_id}")
def status(request: Request, admin: SignedIn, export_id: str) -> Response:
    with transaction(request) as session:
        seen = export_status(session=session, scope=admin.scope, export_id=export_id)
    waiting = seen.state in (ExportState.QUEUED, ExportState.RUNNING)
    error = None
    if seen.error:
        error = translate_error(_error(seen.error), gettext_for(request))
    response = page(request, "stats/export.html", admin, export=seen, waiting=waiting, error=error)
    if waiting:
        response.headers["Refresh"] = "2"  # as the page's own meta refresh: no JavaScript
    return response


def _error(code: str) -> InvalidInput:
    try:
        return InvalidInput(ErrorCode(code))
    except ValueError:
        return InvalidInput(ErrorCode.JOB_FAILED)


def _download(request: Request, admin: Admin, export_id: str) -> Response:
    with transaction(request) as session:
        name, media, data = export_file(session=session, scope=admin.scope, export_id=export_id)
    headers = attachment(name) | {"Cache-Control": "no-store"}
    return Response(data, media_type=media, headers=headers)


@router.get("/stats/exports/{export_id}/file")
def download(request: Request, admin: SignedIn, export_id: str) -> Response:
    return _download(request, admin, export_id)


class ExportAsk(BaseModel):
    format: ExportFormat
    area: str = Field("", description="as in GET /api/stats; '' is the top of your scope")
    period: str = Field("month", description="day, week, month, year or custom")
    on: str = Field("", description="a date in the period, YYYY-MM-DD (default: today, WITA)")
    first: str = ""
    last: str = ""
    table: str | None = Field(
        None, description="CSV: days, areas, villages, hours, logins or silent"
    )
    language: str = Field("id", description="id (Bahasa Indonesia) or en")


class ExportOut(BaseModel):
    id: str
    format: ExportFormat
    state: ExportState
    done: int
    total: int
    filename: str
    size: int | None
    error: str | None
    file: str | None = Field(description="where to download it once done")


def _out(seen: ExportView) -> ExportOut:
    done = seen.state is ExportState.DONE
    return ExportOut(
        **{
            k: getattr(seen, k)
            for k in ("id", "format", "state", "done", "total", "filename", "size", "error")
        },
        file=f"/api/stats/exports/{seen.id}/file" if done else None,
    )


@api.post("/stats/exports", status_code=202, response_model=ExportOut)
def api_ask(request: Request, caller: Caller, body: ExportAsk) -> Any:
    """Queue an export; poll GET /api/stats/exports/{id} until its state is done."""
    language = body.language if body.language in ("id", "en") else "id"
    try:
        asked = _ask(request, caller.scope, body.model_dump(mode="json"), language)
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, 422)
    return _out(asked)


@api.get("/stats/exports/{export_id}", response_model=ExportOut)
def api_status(request: Request, caller: Caller, export_id: str) -> ExportOut:
    with transaction(request) as session:
        return _out(export_status(session=session, scope=caller.scope, export_id=export_id))


@api.get("/stats/exports/{export_id}/file", response_class=Response)
def api_download(request: Request, caller: Caller, export_id: str) -> Response:
    return _download(request, caller, export_id)
