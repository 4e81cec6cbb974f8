"""Profiles' pages: the list in plain words, a new profile (province and kabupaten admins), and
one profile, as a form where the admin may edit it and read-only elsewhere."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.profiles.forms import QUOTA_PERIODS, form_from_spec, spec_from_form
from portal.admin.web import Admin, CheckedForm, gettext_for, page, signed_in
from portal.admin.wording import PERIODS, limits_in_words
from portal.database import transaction
from wifidesa.admin.scope import profile_editable, require_oversight
from wifidesa.db.models import Region
from wifidesa.errors import AlreadyExists, InvalidInput, translate_error
from wifidesa.profiles import operations as profile_ops

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]


def _form_page(request: Request, admin: Admin, status: int = 200, **context: Any) -> Response:
    return page(
        request,
        "admin/profiles_form.html",
        admin,
        status,
        periods=[(p.value, PERIODS[p]) for p in QUOTA_PERIODS],
        **context,
    )


@router.get("/profiles")
def profiles(request: Request, admin: SignedIn) -> Response:
    _ = gettext_for(request)
    with transaction(request) as session:
        rows = []
        for profile in profile_ops.list_usable_profiles(session=session, scope=admin.scope):
            region = session.get(Region, profile.region_id) if profile.region_id else None
            rows.append(
                {
                    "id": profile.id,
                    "name": profile.name,
                    "description": profile.description,
                    "region": region.name if region else None,
                    "words": limits_in_words(_, profile),
                    "editable": profile_editable(admin.scope, profile),
                }
            )
    return page(request, "admin/profiles_list.html", admin, rows=rows)


@router.get("/profiles/new")
def new_profile_form(request: Request, admin: SignedIn) -> Response:
    require_oversight(admin.scope)
    return _form_page(request, admin, form={}, editable=True, action="/admin/profiles/new")


@router.post("/profiles/new")
def create_profile(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    require_oversight(admin.scope)
    try:
        spec = spec_from_form(form)
        with transaction(request) as session:
            profile = profile_ops.create_profile(session=session, scope=admin.scope, spec=spec)
            profile_id = profile.id
    except (InvalidInput, AlreadyExists) as exc:
        return _form_page(
            request,
            admin,
            400,
            form=form,
            editable=True,
            action="/admin/profiles/new",
            error=translate_error(exc, _),
        )
    return RedirectResponse(f"/admin/profiles/{profile_id}?done=created", status_code=303)


def _profile_page(
    request: Request, admin: Admin, profile_id: int, status: int = 200, **context: Any
) -> Response:
    _ = gettext_for(request)
    with transaction(request) as session:
        profile = profile_ops.get_usable_profile(
            session=session, scope=admin.scope, profile_id=profile_id
        )
        editable = profile_editable(admin.scope, profile)
        current = form_from_spec(profile_ops.spec_of(profile))
        words = limits_in_words(_, profile)
        region = session.get(Region, profile.region_id) if profile.region_id else None
    context.setdefault("form", current)
    return _form_page(
        request,
        admin,
        status,
        editable=editable,
        action=f"/admin/profiles/{profile_id}",
        words=words,
        profile_name=current["name"],
        region=region.name if region else None,
        **context,
    )


@router.get("/profiles/{profile_id}")
def profile(request: Request, admin: SignedIn, profile_id: int, done: str = "") -> Response:
    return _profile_page(request, admin, profile_id, done=done)


@router.post("/profiles/{profile_id}")
def update_profile(
    request: Request, admin: SignedIn, profile_id: int, form: CheckedForm
) -> Response:
    _ = gettext_for(request)
    try:
        spec = spec_from_form(form)
        with transaction(request) as session:
            profile_ops.update_profile(
                session=session, scope=admin.scope, profile_id=profile_id, spec=spec
            )
    except (InvalidInput, AlreadyExists) as exc:
        return _profile_page(
            request, admin, profile_id, 400, form=form, error=translate_error(exc, _)
        )
    return RedirectResponse(f"/admin/profiles/{profile_id}?done=saved", status_code=303)
