"""Villages and their routers, for province and kabupaten admins (pages).

A router's RADIUS secret is shown on the page that answers its creation (or its renewal) and
never again: the answer is not a redirect, so the secret is in no URL, and pages are no-store.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.web import Admin, CheckedForm, gettext_for, page, signed_in
from portal.database import transaction
from portal.downloads import attachment
from wifidesa.admin.scope import Forbidden, require_oversight
from wifidesa.crypto import SecretBox
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput, translate_error
from wifidesa.places import listing, routers, sites
from wifidesa.places.routers import RouterChanges, RouterSpec
from wifidesa.places.sites import SiteOptions, SiteSpec
from wifidesa.settings import DEFAULT_TIMEZONE

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]


def box_of(request: Request) -> SecretBox:
    return SecretBox.from_settings(request.app.state.settings)


def portal_url(request: Request) -> str:
    return str(request.app.state.settings.public_url)


@router.get("/sites")
def sites_page(request: Request, admin: SignedIn) -> Response:
    with transaction(request) as session:
        rows = listing.list_sites(session=session, scope=admin.scope)
    return page(request, "admin/sites.html", admin, sites=rows)


def _new_form(
    request: Request, admin: Admin, status: int = 200, error: str = "", **values: str
) -> Response:
    require_oversight(admin.scope)
    prefix = f"{admin.scope.region_code}." if admin.scope.region_code else "64."
    example = f"{admin.scope.region_code or '64.03'}.01.2001"
    return page(
        request,
        "admin/sites_new.html",
        admin,
        status,
        error=error,
        prefix=prefix,
        example=example,
        values=values,
    )


@router.get("/sites/new")
def new_site_form(request: Request, admin: SignedIn) -> Response:
    return _new_form(request, admin)


@router.post("/sites/new")
def new_site(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    fields = ("desa_code", "desa_name", "kecamatan_name", "site_code", "site_name")
    values = {key: form.get(key, "").strip() for key in fields}
    spec = SiteSpec(**values, timezone=DEFAULT_TIMEZONE)
    try:
        with transaction(request) as session:
            site = sites.create_site(session=session, scope=admin.scope, spec=spec)
            site_id = site.id
    except Forbidden:
        if not admin.scope.oversees:
            raise
        # A kabupaten admin with another kabupaten's desa code: say which codes are theirs.
        message = _("You may add villages only under your kabupaten's code {code}.")
        return _new_form(
            request, admin, 403, message.format(code=admin.scope.region_code), **values
        )
    except (InvalidInput, AlreadyExists) as exc:
        return _new_form(request, admin, 400, translate_error(exc, _), **values)
    return RedirectResponse(f"/admin/sites/{site_id}", status_code=303)


def _site_page(
    request: Request, admin: Admin, site_id: int, status: int = 200, **extra: Any
) -> Response:
    with transaction(request) as session:
        site = listing.get_site(session=session, scope=admin.scope, site_id=site_id)
        profiles = sites.usable_profiles(session=session, scope=admin.scope, site_id=site_id)
    return page(request, "admin/site.html", admin, status, site=site, profiles=profiles, **extra)


@router.get("/sites/{site_id}")
def site_page(request: Request, admin: SignedIn, site_id: int, saved: str = "") -> Response:
    return _site_page(request, admin, site_id, saved=saved == "1")


def _flag(form: dict[str, str], key: str) -> bool:
    return form.get(key, "") in ("1", "on", "true", "yes")


def _optional_int(text: str, problem: ErrorCode) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(problem)
    return int(text)


@router.post("/sites/{site_id}/options")
def site_options(request: Request, admin: SignedIn, site_id: int, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    try:
        options = SiteOptions(
            allow_voucher=_flag(form, "allow_voucher"),
            allow_member=_flag(form, "allow_member"),
            allow_free=_flag(form, "allow_free"),
            free_profile_id=_optional_int(
                form.get("free_profile_id", ""), ErrorCode.CHOOSE_PROFILE
            ),
        )
        with transaction(request) as session:
            sites.set_options(session=session, scope=admin.scope, site_id=site_id, options=options)
    except InvalidInput as exc:
        return _site_page(request, admin, site_id, 400, options_error=translate_error(exc, _))
    return RedirectResponse(f"/admin/sites/{site_id}?saved=1", status_code=303)


@router.post("/sites/{site_id}/routers")
def add_router(request: Request, admin: SignedIn, site_id: int, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    try:
        spec = RouterSpec(
            name=form.get("name", ""),
            ip_address=form.get("ip_address", ""),
            hotspot_address=form.get("hotspot_address", ""),
            hotspot_https=_flag(form, "hotspot_https"),
            hotspot_port=_optional_int(form.get("hotspot_port", ""), ErrorCode.PORT_NOT_A_NUMBER),
            nas_identifier=form.get("nas_identifier", ""),
            coa_port=_optional_int(form.get("coa_port", ""), ErrorCode.COA_PORT_NOT_A_NUMBER)
            or 3799,
            require_message_authenticator=_flag(form, "require_message_authenticator"),
        )
        with transaction(request) as session:
            created, secret = routers.create_router(
                session=session, scope=admin.scope, box=box_of(request), site_id=site_id, spec=spec
            )
            name = created.name
    except (InvalidInput, AlreadyExists) as exc:
        return _site_page(
            request, admin, site_id, 400, router_error=translate_error(exc, _), router_form=form
        )
    return _site_page(request, admin, site_id, new_secret=secret, secret_router=name)


@router.get("/routers/{router_id}/hotspot.zip")
def hotspot_zip(request: Request, admin: SignedIn, router_id: int) -> Response:
    with transaction(request) as session:
        name, data = routers.hotspot_zip(
            session=session, scope=admin.scope, router_id=router_id, portal_url=portal_url(request)
        )
    return Response(
        data,
        media_type="application/zip",
        headers=attachment(name),
    )


@router.post("/routers/{router_id}/secret")
def renew_secret(request: Request, admin: SignedIn, router_id: int, _form: CheckedForm) -> Response:
    with transaction(request) as session:
        secret = routers.new_secret(
            session=session, scope=admin.scope, box=box_of(request), router_id=router_id
        )
        row = listing.get_router(session=session, scope=admin.scope, router_id=router_id)
    return _site_page(
        request, admin, row.site_id, new_secret=secret, secret_router=row.name, renewed=True
    )


def _router_page(
    request: Request, admin: Admin, router_id: int, status: int = 200, **extra: Any
) -> Response:
    with transaction(request) as session:
        row = listing.get_router(session=session, scope=admin.scope, router_id=router_id)
    return page(request, "admin/router.html", admin, status, router=row, **extra)


@router.get("/routers/{router_id}")
def router_page(request: Request, admin: SignedIn, router_id: int, saved: str = "") -> Response:
    return _router_page(request, admin, router_id, saved=saved == "1")


@router.post("/routers/{router_id}")
def edit_router(request: Request, admin: SignedIn, router_id: int, form: CheckedForm) -> Response:
    """Change a router's addresses, identity, CoA port and Message-Authenticator rule."""
    try:
        changes = RouterChanges(
            ip_address=form.get("ip_address", ""),
            nas_identifier=form.get("nas_identifier", ""),
            hotspot_address=form.get("hotspot_address", ""),
            hotspot_https=_flag(form, "hotspot_https"),
            hotspot_port=_optional_int(form.get("hotspot_port", ""), ErrorCode.PORT_NOT_A_NUMBER)
            or 0,
            coa_port=_optional_int(form.get("coa_port", ""), ErrorCode.COA_PORT_NOT_A_NUMBER)
            or 3799,
            require_message_authenticator=_flag(form, "require_message_authenticator"),
        )
        with transaction(request) as session:
            routers.edit_router(
                session=session, scope=admin.scope, router_id=router_id, changes=changes
            )
    except (InvalidInput, AlreadyExists) as exc:
        _ = gettext_for(request)
        return _router_page(
            request, admin, router_id, 400, error=translate_error(exc, _), form=form
        )
    return RedirectResponse(f"/admin/routers/{router_id}?saved=1", status_code=303)
