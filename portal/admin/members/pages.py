"""Residents' pages: list and search, create, import from CSV, details, password, disable,
profile, remembered devices. Every call goes through wifidesa.members (residents, queries,
importing) with the admin's scope."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.web import Admin, CheckedForm, CheckedUpload, gettext_for, page, signed_in
from portal.database import transaction
from portal.forms import MAX_UPLOAD, Upload
from wifidesa.admin.scope import visible_sites
from wifidesa.db.engine import utcnow
from wifidesa.errors import AlreadyExists, ErrorCode, InvalidInput, RowsRejected, translate_error
from wifidesa.members import queries as member_queries
from wifidesa.members import residents
from wifidesa.members.importing import import_members
from wifidesa.profiles.operations import list_usable_profiles
from wifidesa.units import format_size

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]


def _number(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _choices(request: Request, admin: Admin) -> dict[str, Any]:
    """The villages and profiles this admin may pick from, for the forms."""
    with transaction(request) as session:
        sites = [(s.id, s.name, s.code) for s in visible_sites(session=session, scope=admin.scope)]
        profiles = [
            (p.id, p.name) for p in list_usable_profiles(session=session, scope=admin.scope)
        ]
    return {"sites": sites, "profiles": profiles}


@router.get("/members")
def members(request: Request, admin: SignedIn, q: str = "", site: str = "", p: int = 1) -> Response:
    with transaction(request) as session:
        found = member_queries.list_members(
            session=session, scope=admin.scope, now=utcnow(), search=q, site_code=site, page=p
        )
        sites = [(s.code, s.name) for s in visible_sites(session=session, scope=admin.scope)]
    query = {"q": q, "site": site}
    return page(
        request,
        "admin/members_list.html",
        admin,
        found=found,
        sites=sites,
        q=q,
        site=site,
        prev_link="?" + urlencode(query | {"p": found.page - 1}),
        next_link="?" + urlencode(query | {"p": found.page + 1}),
    )


@router.get("/members/new")
def new_member_form(request: Request, admin: SignedIn, site: int | None = None) -> Response:
    return page(
        request,
        "admin/members_new.html",
        admin,
        form={"site": str(site or "")},
        **_choices(request, admin),
    )


@router.post("/members/new")
def create_member(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    password = form.get("password", "") or residents.generate_password()
    try:
        with transaction(request) as session:
            member = residents.create_member(
                session=session,
                scope=admin.scope,
                site_id=_number(form.get("site")) or 0,
                profile_id=_number(form.get("profile")) or 0,
                username=form.get("username", ""),
                password=password,
                full_name=form.get("full_name", ""),
                phone=form.get("phone") or None,
            )
            account_id = member.account_id
    except (InvalidInput, AlreadyExists) as exc:
        return page(
            request,
            "admin/members_new.html",
            admin,
            400,
            error=translate_error(exc, _),
            form={k: v for k, v in form.items() if k != "password"},
            **_choices(request, admin),
        )
    shown = password if not form.get("password") else None
    return _detail(request, admin, account_id, new_password=shown, done="created")


def _detail(
    request: Request, admin: Admin, account_id: int, status: int = 200, **context: Any
) -> Response:
    with transaction(request) as session:
        detail = member_queries.get_member(
            session=session, scope=admin.scope, account_id=account_id, now=utcnow()
        )
        profiles = [
            (p.id, p.name) for p in list_usable_profiles(session=session, scope=admin.scope)
        ]
    return page(
        request,
        "admin/members_detail.html",
        admin,
        status,
        d=detail,
        m=detail.member,
        profiles=profiles,
        size=format_size,
        **context,
    )


@router.get("/members/import")
def import_form(request: Request, admin: SignedIn) -> Response:
    return page(request, "admin/members_import.html", admin, form={}, **_choices(request, admin))


def _uploaded_text(upload: Upload) -> str:
    """The CSV's text: the uploaded file's, or the text area's."""
    data = upload.data
    if data:
        if len(data) > MAX_UPLOAD:
            raise InvalidInput(ErrorCode.FILE_TOO_LARGE, size="512 KB")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(ErrorCode.FILE_NOT_UTF8) from None
    return upload.fields.get("csv", "")


@router.post("/members/import")
def import_csv(request: Request, admin: SignedIn, upload: CheckedUpload) -> Response:
    form = upload.fields
    _ = gettext_for(request)
    problems: list[str] = []
    try:
        text = _uploaded_text(upload)
        with transaction(request) as session:
            created = import_members(
                session=session,
                scope=admin.scope,
                site_id=_number(form.get("site")) or 0,
                profile_id=_number(form.get("profile")),
                text=text,
            )
            names = [m.username for m in created]
    except RowsRejected as exc:
        problems = [row.render(_) for row in exc.rows]
        error = _("{n} problem(s), nothing imported").format(n=len(problems))
    except InvalidInput as exc:
        error = translate_error(exc, _)
    else:
        return page(
            request,
            "admin/members_import.html",
            admin,
            imported=names,
            form={},
            **_choices(request, admin),
        )
    return page(
        request,
        "admin/members_import.html",
        admin,
        400,
        error=error,
        problems=problems,
        form=form,
        **_choices(request, admin),
    )


@router.get("/members/{account_id}")
def member(request: Request, admin: SignedIn, account_id: int, done: str = "") -> Response:
    return _detail(request, admin, account_id, done=done)


def _back(account_id: int, done: str) -> Response:
    return RedirectResponse(f"/admin/members/{account_id}?done={done}", status_code=303)


@router.post("/members/{account_id}/password")
def reset_password(
    request: Request, admin: SignedIn, account_id: int, form: CheckedForm
) -> Response:
    _ = gettext_for(request)
    typed = form.get("password", "")
    try:
        with transaction(request) as session:
            new = residents.reset_password(
                session=session, scope=admin.scope, account_id=account_id, password=typed or None
            )
    except InvalidInput as exc:
        return _detail(request, admin, account_id, 400, error=translate_error(exc, _))
    return _detail(request, admin, account_id, new_password=None if typed else new, done="password")


@router.post("/members/{account_id}/disable")
def disable(request: Request, admin: SignedIn, account_id: int, _form: CheckedForm) -> Response:
    _ = gettext_for(request)
    try:
        with transaction(request) as session:
            queued = residents.disable_member(
                session=session, scope=admin.scope, account_id=account_id, now=utcnow()
            )
    except InvalidInput as exc:
        return _detail(request, admin, account_id, 400, error=translate_error(exc, _))
    return _back(account_id, "disabled-kicked" if queued else "disabled")


@router.post("/members/{account_id}/enable")
def enable(request: Request, admin: SignedIn, account_id: int, _form: CheckedForm) -> Response:
    _ = gettext_for(request)
    try:
        with transaction(request) as session:
            residents.enable_member(session=session, scope=admin.scope, account_id=account_id)
    except InvalidInput as exc:
        return _detail(request, admin, account_id, 400, error=translate_error(exc, _))
    return _back(account_id, "enabled")


@router.post("/members/{account_id}/profile")
def change_profile(
    request: Request, admin: SignedIn, account_id: int, form: CheckedForm
) -> Response:
    with transaction(request) as session:
        residents.change_profile(
            session=session,
            scope=admin.scope,
            account_id=account_id,
            profile_id=_number(form.get("profile")) or 0,
        )
    return _back(account_id, "profile")


@router.post("/members/{account_id}/devices/{device_id}/remove")
def forget_device(
    request: Request, admin: SignedIn, account_id: int, device_id: int, _form: CheckedForm
) -> Response:
    with transaction(request) as session:
        residents.forget_device(
            session=session,
            scope=admin.scope,
            account_id=account_id,
            device_id=device_id,
            now=utcnow(),
        )
    return _back(account_id, "device")
