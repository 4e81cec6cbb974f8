"""Villages and routers in the JSON API (province and kabupaten admins).

A router's RADIUS secret is in the answer that creates or renews it, and in no other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.places.pages import box_of, portal_url
from portal.admin.web import Admin
from portal.database import transaction
from portal.downloads import attachment
from wifidesa.errors import AlreadyExists, InvalidInput
from wifidesa.places import listing, routers, sites
from wifidesa.places.listing import RouterRow, SiteRow
from wifidesa.places.routers import RouterChanges, RouterSpec
from wifidesa.places.sites import SiteOptions, SiteSpec
from wifidesa.settings import DEFAULT_TIMEZONE

api = APIRouter(prefix="/api", tags=["sites"])
Caller = Annotated[Admin, Depends(api_caller)]
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "a site or router with this code, name or address exists"},
    422: {"description": "invalid input"},
}


class RouterOut(BaseModel):
    id: int
    site_id: int
    site_code: str
    name: str
    ip_address: str
    nas_identifier: str
    hotspot_address: str | None = Field(
        description="the router's hotspot IP or DNS name (where browsers reach its login page)"
    )
    hotspot_https: bool
    hotspot_port: int | None = Field(description="None: the scheme's own port")
    hotspot_login: str | None = Field(description="where the portal hands clients back to")
    coa_port: int
    require_message_authenticator: bool
    last_seen_at: datetime | None = Field(description="the last accounting heard from it")
    is_active: bool


class SiteOut(BaseModel):
    id: int
    code: str
    name: str
    region_code: str
    timezone: str
    allow_voucher: bool
    allow_member: bool
    allow_free: bool
    free_profile_id: int | None
    free_profile: str | None
    is_active: bool
    routers: list[RouterOut]


class SiteIn(BaseModel):
    desa_code: str = Field(examples=["64.03.01.2001"])
    desa_name: str
    kecamatan_name: str
    site_code: str = ""
    site_name: str = ""
    timezone: str = DEFAULT_TIMEZONE


class OptionsIn(BaseModel):
    allow_voucher: bool
    allow_member: bool
    allow_free: bool
    free_profile_id: int | None = None


class RouterIn(BaseModel):
    name: str
    ip_address: str = Field(description="the source address of its RADIUS packets")
    hotspot_address: str = Field(
        description="its hotspot IP or DNS name, where villagers' browsers reach its login page",
        examples=["10.5.50.1"],
    )
    hotspot_https: bool = False
    hotspot_port: int | None = None
    nas_identifier: str = ""
    coa_port: int = 3799
    require_message_authenticator: bool = True


class RouterPatch(BaseModel):
    """The values to change; the others stay as they are."""

    ip_address: str | None = None
    nas_identifier: str | None = None
    hotspot_address: str | None = None
    hotspot_https: bool | None = None
    hotspot_port: int | None = Field(default=None, description="0: the scheme's own port")
    coa_port: int | None = None
    require_message_authenticator: bool | None = None


class RouterCreated(BaseModel):
    router: RouterOut
    secret: str = Field(description="the RADIUS secret: shown in this answer only")


class SecretOut(BaseModel):
    router_id: int
    secret: str = Field(description="the new RADIUS secret: shown in this answer only")


def _router(row: RouterRow) -> RouterOut:
    return RouterOut(**row.__dict__)


def _site(row: SiteRow) -> SiteOut:
    fields = {k: v for k, v in row.__dict__.items() if k != "routers"}
    return SiteOut(**fields, routers=[_router(r) for r in row.routers])


def _refused(exc: InvalidInput | AlreadyExists) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, 409 if isinstance(exc, AlreadyExists) else 422)


@api.get("/sites", response_model=list[SiteOut])
def list_sites(request: Request, caller: Caller) -> list[SiteOut]:
    """The villages the caller oversees, with their routers."""
    with transaction(request) as session:
        return [_site(r) for r in listing.list_sites(session=session, scope=caller.scope)]


@api.post("/sites", response_model=SiteOut, status_code=201, responses=REFUSED)
def add_site(request: Request, caller: Caller, body: SiteIn) -> Response:
    """Add a village (a kabupaten admin only under their kabupaten's code)."""
    try:
        with transaction(request) as session:
            site = sites.create_site(
                session=session, scope=caller.scope, spec=SiteSpec(**body.model_dump())
            )
            row = listing.get_site(session=session, scope=caller.scope, site_id=site.id)
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    return JSONResponse(_site(row).model_dump(mode="json"), status_code=201)


@api.get("/sites/{site_id}", response_model=SiteOut)
def get_site(request: Request, caller: Caller, site_id: int) -> SiteOut:
    with transaction(request) as session:
        return _site(listing.get_site(session=session, scope=caller.scope, site_id=site_id))


@api.patch("/sites/{site_id}", response_model=SiteOut, responses=REFUSED)
def set_options(request: Request, caller: Caller, site_id: int, body: OptionsIn) -> Response:
    """Which logins the village's portal offers, and the free-access profile."""
    try:
        with transaction(request) as session:
            sites.set_options(
                session=session,
                scope=caller.scope,
                site_id=site_id,
                options=SiteOptions(**body.model_dump()),
            )
            row = listing.get_site(session=session, scope=caller.scope, site_id=site_id)
    except InvalidInput as exc:
        return _refused(exc)
    return JSONResponse(_site(row).model_dump(mode="json"))


@api.post(
    "/sites/{site_id}/routers", response_model=RouterCreated, status_code=201, responses=REFUSED
)
def add_router(request: Request, caller: Caller, site_id: int, body: RouterIn) -> Response:
    """Register a router; its RADIUS secret is generated and returned in this answer only."""
    try:
        with transaction(request) as session:
            router, secret = routers.create_router(
                session=session,
                scope=caller.scope,
                box=box_of(request),
                site_id=site_id,
                spec=RouterSpec(**body.model_dump()),
            )
            row = listing.get_router(session=session, scope=caller.scope, router_id=router.id)
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    created = RouterCreated(router=_router(row), secret=secret)
    return JSONResponse(created.model_dump(mode="json"), status_code=201)


@api.get("/routers/{router_id}", response_model=RouterOut)
def get_router(request: Request, caller: Caller, router_id: int) -> RouterOut:
    with transaction(request) as session:
        return _router(listing.get_router(session=session, scope=caller.scope, router_id=router_id))


@api.patch("/routers/{router_id}", response_model=RouterOut, responses=REFUSED)
def edit_router(request: Request, caller: Caller, router_id: int, body: RouterPatch) -> Response:
    """Change a router's addresses, identity, CoA port or Message-Authenticator rule."""
    try:
        with transaction(request) as session:
            routers.edit_router(
                session=session,
                scope=caller.scope,
                router_id=router_id,
                changes=RouterChanges(**body.model_dump()),
            )
            row = listing.get_router(session=session, scope=caller.scope, router_id=router_id)
    except (InvalidInput, AlreadyExists) as exc:
        return _refused(exc)
    return JSONResponse(_router(row).model_dump(mode="json"))


@api.post("/routers/{router_id}/secret", response_model=SecretOut)
def renew_secret(request: Request, caller: Caller, router_id: int) -> SecretOut:
    """Replace the router's RADIUS secret with a generated one, returned in this answer only."""
    with transaction(request) as session:
        secret = routers.new_secret(
            session=session, scope=caller.scope, box=box_of(request), router_id=router_id
        )
    return SecretOut(router_id=router_id, secret=secret)


@api.get(
    "/routers/{router_id}/hotspot.zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def hotspot_zip(request: Request, caller: Caller, router_id: int) -> Response:
    """The router's hotspot html files (login.html, ...) as a zip."""
    with transaction(request) as session:
        name, data = routers.hotspot_zip(
            session=session, scope=caller.scope, router_id=router_id, portal_url=portal_url(request)
        )
    return Response(
        data,
        media_type="application/zip",
        headers=attachment(name),
    )
