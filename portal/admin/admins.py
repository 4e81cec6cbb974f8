"""Admins as the province manages them (pages and JSON API): list, disable and enable, reset a
password, revoke every sign-in. The same operations as `wifidesa admins ...`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.web import Admin, CheckedForm, gettext_for, page, signed_in
from portal.database import transaction
from wifidesa.admin import management
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AdminRole
from wifidesa.errors import InvalidInput, translate_error

router = APIRouter(prefix="/admin")
api = APIRouter(prefix="/api", tags=["admins"])
SignedIn = Annotated[Admin, Depends(signed_in)]
Caller = Annotated[Admin, Depends(api_caller)]


class Action(StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"
    PASSWORD = "password"  # noqa: S105 - an action: a new generated password, shown once
    REVOKE = "revoke"  # every web session and API token ends


class AdminOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: AdminRole
    is_active: bool
    last_login_at: datetime | None
    api_tokens: int = Field(description="unexpired API tokens")


class ActionOut(BaseModel):
    username: str
    action: str
    password: str | None = Field(
        default=None, description="the new password (reset only): shown in this answer only"
    )
    ended: int | None = Field(default=None, description="sign-ins ended (revoke only)")


def _act(request: Request, admin: Admin, username: str, action: Action) -> ActionOut:
    """One management action on another admin, in one transaction (NotFound for others)."""
    with transaction(request) as session:
        scope = admin.scope
        if action in (Action.DISABLE, Action.ENABLE):
            management.set_active(
                session=session, scope=scope, username=username, active=action is Action.ENABLE
            )
            return ActionOut(username=username, action=action)
        if action is Action.PASSWORD:
            new = management.reset_password(session=session, scope=scope, username=username)
            return ActionOut(username=username, action=action, password=new)
        ended = management.revoke_sign_ins(session=session, scope=scope, username=username)
        return ActionOut(username=username, action=action, ended=ended)


@router.get("/admins")
def admins_page(request: Request, admin: SignedIn, done: str = "") -> Response:
    with transaction(request) as session:
        rows = management.list_admins(session=session, scope=admin.scope, now=utcnow())
    return page(request, "admin/admins.html", admin, admins=rows, done=done)


@router.post("/admins/{username}/{action}")
def admin_action(
    request: Request, admin: SignedIn, _form: CheckedForm, username: str, action: Action
) -> Response:
    try:
        done = _act(request, admin, username, action)
    except InvalidInput as exc:
        with transaction(request) as session:
            rows = management.list_admins(session=session, scope=admin.scope, now=utcnow())
        error = translate_error(exc, gettext_for(request))
        return page(request, "admin/admins.html", admin, 400, admins=rows, error=error)
    if done.password is not None:  # shown once, on this page: not in a URL
        with transaction(request) as session:
            rows = management.list_admins(session=session, scope=admin.scope, now=utcnow())
        return page(request, "admin/admins.html", admin, admins=rows, new_password=done)
    return RedirectResponse(f"/admin/admins?done={action.value}", status_code=303)


@api.get("/admins", response_model=list[AdminOut])
def list_admins(request: Request, caller: Caller) -> list[AdminOut]:
    """Every admin (province admins only)."""
    with transaction(request) as session:
        rows = management.list_admins(session=session, scope=caller.scope, now=utcnow())
    return [AdminOut(**row.__dict__) for row in rows]


@api.post(
    "/admins/{username}/{action}",
    response_model=ActionOut,
    responses={422: {"description": "not on one's own account"}},
)
def act_on_admin(request: Request, caller: Caller, username: str, action: Action) -> Response:
    """`disable`, `enable`, `password` (a new generated one, in this answer only) or `revoke`
    (every web session and API token ends); each on another admin, province admins only."""
    try:
        done = _act(request, caller, username, action)
    except InvalidInput as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    return JSONResponse(done.model_dump(mode="json"))
