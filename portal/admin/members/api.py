"""Residents in the JSON API: the same core calls and scope as the pages.

A generated password is in the answer that creates or resets it, and in no other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.web import Admin
from portal.database import transaction
from wifidesa.db.engine import utcnow
from wifidesa.errors import AlreadyExists, InvalidInput, RowsRejected
from wifidesa.members import queries as member_queries
from wifidesa.members import residents
from wifidesa.members.importing import import_members

api = APIRouter(prefix="/api", tags=["residents"])
Caller = Annotated[Admin, Depends(api_caller)]
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "a resident with this username exists"},
    422: {"description": "invalid input; an import lists every bad row in `problems`"},
}


class MemberOut(BaseModel):
    account_id: int
    username: str
    full_name: str
    phone: str | None
    site_id: int
    site_code: str
    site_name: str
    profile_id: int
    profile: str
    status: str = Field(description="active, disabled or revoked")
    devices: int = Field(description="remembered devices (MAC login)")
    created_at: datetime


class MemberPageOut(BaseModel):
    members: list[MemberOut]
    total: int
    page: int
    pages: int


class DeviceOut(BaseModel):
    id: int
    mac: str
    first_seen_at: datetime
    last_seen_at: datetime
    remembered_until: datetime


class MemberDetailOut(MemberOut):
    remembered_devices: list[DeviceOut]
    online: int = Field(description="sessions open now")
    bytes_today: int
    bytes_this_month: int
    seconds_today: int
    seconds_this_month: int


class MemberIn(BaseModel):
    site_id: int
    profile_id: int
    username: str
    password: str | None = Field(None, description="empty: one is generated and returned")
    full_name: str = ""
    phone: str | None = None


class MemberCreated(BaseModel):
    member: MemberOut
    password: str | None = Field(description="the generated password (shown only now)")


class PasswordIn(BaseModel):
    password: str | None = Field(None, description="empty: one is generated and returned")


class PasswordOut(BaseModel):
    password: str | None = Field(description="the generated password (shown only now)")


class StatusOut(BaseModel):
    status: str
    disconnects_queued: int = 0


class ProfileChoice(BaseModel):
    profile_id: int


class ImportIn(BaseModel):
    site_id: int
    profile_id: int | None = Field(None, description="for rows without a profile column")
    csv: str = Field(description="username,password[,full_name,phone,profile]; ',' or ';'")


class ImportOut(BaseModel):
    imported: int
    usernames: list[str]


def _member(row: member_queries.MemberRow) -> MemberOut:
    return MemberOut(**{**row.__dict__, "status": row.status.value})


def _refused(exc: InvalidInput | AlreadyExists) -> JSONResponse:
    body: dict[str, Any] = {"detail": str(exc)}
    if isinstance(exc, RowsRejected):
        body["problems"] = exc.problems
    return JSONResponse(body, 409 if isinstance(exc, AlreadyExists) else 422)


@api.get("/members", response_model=MemberPageOut)
def list_members(
    request: Request,
    caller: Caller,
    q: str = "",
    site: str = "",
    site_id: int | None = None,
    page: int = 1,
) -> MemberPageOut:
    """Residents of the caller's villages; `q` searches username, name and phone; `site` is
    a village code, `site_id` its id (villages outside the caller's reach give no rows)."""
    with transaction(request) as session:
        found = member_queries.list_members(
            session=session,
            scope=caller.scope,
            now=utcnow(),
            search=q,
            site_code=site,
            site_id=site_id,
            page=page,
        )
    return MemberPageOut(
        members=[_member(r) for r in found.rows],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


def _detail(request: Request, caller: Admin, account_id: int) -> MemberDetailOut:
    with transaction(request) as session:
        d = member_queries.get_member(
            session=session, scope=caller.scope, account_id=account_id, now=utcnow()
        )
    return MemberDetailOut(
        **_member(d.member).model_dump(),
        remembered_devices=[DeviceOut(**dev.__dict__) for dev in d.devices],
        online=d.online,
        bytes_today=d.used_today.octets,
        bytes_this_month=d.used_this_month.octets,
        seconds_today=d.used_today.seconds,
        seconds_this_month=d.used_this_month.seconds,
    )


@api.post("/members", response_model=MemberCreated, status_code=201, responses=REFUSED)
def create_member(request: Request, caller: Caller, body: MemberIn) -> Response:
    password = body.password or residents.generate_password()
    try:
        with transaction(request) as session:
            member = residents.create_member(
                session=session,
                scope=caller.scope,
                site_id=body.site_id,
                profile_id=body.profile_id,
                username=body.username,
                password=password,
                full_name=body.full_name,
                phone=body.phone,
            )
            account_id = member.account_id
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    created = MemberCreated(
        member=_detail(request, caller, account_id),
        password=None if body.password else password,
    )
    return JSONResponse(created.model_dump(mode="json"), status_code=201)


@api.post("/members/import", response_model=ImportOut, status_code=201, responses=REFUSED)
def import_csv(request: Request, caller: Caller, body: ImportIn) -> Response:
    try:
        with transaction(request) as session:
            created = import_members(
                session=session,
                scope=caller.scope,
                site_id=body.site_id,
                profile_id=body.profile_id,
                text=body.csv,
                source="API",
            )
            names = [m.username for m in created]
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    return JSONResponse({"imported": len(names), "usernames": names}, status_code=201)


@api.get("/members/{account_id}", response_model=MemberDetailOut)
def get_member(request: Request, caller: Caller, account_id: int) -> MemberDetailOut:
    return _detail(request, caller, account_id)


@api.post("/members/{account_id}/password", response_model=PasswordOut, responses=REFUSED)
def reset_password(
    request: Request, caller: Caller, account_id: int, body: PasswordIn | None = None
) -> Response:
    typed = body.password if body else None
    try:
        with transaction(request) as session:
            new = residents.reset_password(
                session=session, scope=caller.scope, account_id=account_id, password=typed
            )
    except InvalidInput as exc:
        return _refused(exc)
    return JSONResponse({"password": None if typed else new})


@api.post("/members/{account_id}/disable", response_model=StatusOut, responses=REFUSED)
def disable(request: Request, caller: Caller, account_id: int) -> Response:
    try:
        with transaction(request) as session:
            queued = residents.disable_member(
                session=session, scope=caller.scope, account_id=account_id, now=utcnow()
            )
    except InvalidInput as exc:
        return _refused(exc)
    return JSONResponse({"status": "disabled", "disconnects_queued": queued})


@api.post("/members/{account_id}/enable", response_model=StatusOut, responses=REFUSED)
def enable(request: Request, caller: Caller, account_id: int) -> Response:
    try:
        with transaction(request) as session:
            residents.enable_member(session=session, scope=caller.scope, account_id=account_id)
    except InvalidInput as exc:
        return _refused(exc)
    return JSONResponse({"status": "active", "disconnects_queued": 0})


@api.post("/members/{account_id}/profile", response_model=MemberDetailOut)
def change_profile(
    request: Request, caller: Caller, account_id: int, body: ProfileChoice
) -> MemberDetailOut:
    with transaction(request) as session:
        residents.change_profile(
            session=session, scope=caller.scope, account_id=account_id, profile_id=body.profile_id
        )
    return _detail(request, caller, account_id)


def _forget(request: Request, caller: Admin, account_id: int, device_id: int) -> Response:
    with transaction(request) as session:
        residents.forget_device(
            session=session,
            scope=caller.scope,
            account_id=account_id,
            device_id=device_id,
            now=utcnow(),
        )
    return Response(status_code=204)


@api.delete("/members/{account_id}/devices/{device_id}", status_code=204)
def forget_device(request: Request, caller: Caller, account_id: int, device_id: int) -> Response:
    """Forget a remembered device: it can no longer log in by its MAC."""
    return _forget(request, caller, account_id, device_id)


@api.post("/members/{account_id}/devices/{device_id}/remove", status_code=204)
def remove_device(request: Request, caller: Caller, account_id: int, device_id: int) -> Response:
    """The same as DELETE, for clients that only POST."""
    return _forget(request, caller, account_id, device_id)
