"""Sign-in, sign-out, password change and API tokens for admins."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.web import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Admin,
    CheckedForm,
    gettext_for,
    page,
    safe_next,
    secure_cookies,
    signed_in,
)
from portal.captive.signing import new_csrf_token
from portal.database import reads, transaction, writes
from portal.forms import PlainForm
from wifidesa.access import attempts
from wifidesa.admin import signin as admin_auth
from wifidesa.admin.users import authenticate
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AdminToken, AdminUser
from wifidesa.errors import InvalidInput, translate_error
from wifidesa.i18n import PORTAL_ZONE, format_moment

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]


def _login_page(request: Request, error: str = "", status: int = 200) -> Response:
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or new_csrf_token()
    response = page(
        request,
        "admin/login.html",
        None,
        status,
        login_csrf=csrf,
        error=error,
        next=safe_next(request.query_params.get("next")),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/admin",
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(request: Request, form: PlainForm) -> Response:
    _ = gettext_for(request)
    sent, cookie = str(form.get("csrf") or ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(sent, cookie):
        return _login_page(request, _("The form expired. Please try again."), 403)
    username = str(form.get("username") or "").strip().lower()[:64]
    password = str(form.get("password") or "")
    address = request.client.host if request.client else "?"
    counters = attempts.admin_counters(username=username, address=address)
    now = utcnow()
    blocked = attempts.guarded(
        reads(request), attempts.blocked_until, counters=counters, now=now, fallback=None
    )
    if blocked is not None:
        message = _("Too many failed sign-ins. Try again after {time}.")
        return _login_page(
            request,
            message.format(time=format_moment(moment=blocked, zone=PORTAL_ZONE, gettext=_)),
            429,
        )
    with reads(request)() as session:  # a read: the password check holds no write lock
        found = authenticate(session=session, username=username, password=password)
        admin_id = found.id if found is not None else None
    with transaction(request) as session:
        admin = session.get(AdminUser, admin_id) if admin_id is not None else None
        if admin is None:
            admin_auth.record_failed_sign_in(session=session, username=username, address=address)
        token = (
            admin_auth.start_web_session(session=session, admin=admin, now=now) if admin else None
        )
    if token is None:
        attempts.guarded(
            writes(request), attempts.record_failure, counters=counters, now=now, fallback=None
        )
        return _login_page(request, _("Wrong username or password."), 401)
    attempts.guarded(writes(request), attempts.record_success, counters=counters, fallback=None)
    response = RedirectResponse(safe_next(str(form.get("next") or "")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=int(admin_auth.WEB_MAX.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


@router.post("/logout")
def logout(request: Request, admin: SignedIn, _form: CheckedForm) -> Response:
    with transaction(request) as session:
        admin_auth.end_web_session(session=session, token=admin.token)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/password")
def password_form(request: Request, admin: SignedIn) -> Response:
    return page(request, "admin/password.html", admin)


@router.post("/password")
def change_password(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    if form.get("new", "") != form.get("repeat", ""):
        return page(
            request, "admin/password.html", admin, 400, error=_("The new passwords differ.")
        )
    try:
        with transaction(request) as session:
            account = admin_auth.get_admin(session=session, admin_id=admin.id)
            admin_auth.change_password(
                session=session,
                admin=account,
                current=form.get("current", ""),
                new=form.get("new", ""),
                keep_token=admin.token,
            )
    except InvalidInput as exc:
        return page(request, "admin/password.html", admin, 400, error=translate_error(exc, _))
    return page(request, "admin/password.html", admin, done=True)


def _token_item(token: AdminToken) -> tuple[object, ...]:
    return (token.id, token.name, token.created_at, token.expires_at, token.last_used_at,
            token.read_only)  # fmt: skip


@router.get("/tokens")
def tokens(request: Request, admin: SignedIn) -> Response:
    with transaction(request) as session:
        rows = admin_auth.list_api_tokens(session=session, admin_id=admin.id)
        items = [_token_item(t) for t in rows]
    return page(request, "admin/tokens.html", admin, tokens=items)


@router.post("/tokens")
def create_token(request: Request, admin: SignedIn, form: CheckedForm) -> Response:
    _ = gettext_for(request)
    try:
        with transaction(request) as session:
            account = admin_auth.get_admin(session=session, admin_id=admin.id)
            token = admin_auth.create_api_token(
                session=session,
                admin=account,
                name=form.get("name", ""),
                now=utcnow(),
                read_only=form.get("read_only") == "1",
            )
            rows = admin_auth.list_api_tokens(session=session, admin_id=account.id)
            items = [_token_item(t) for t in rows]
    except InvalidInput as exc:
        return page(
            request, "admin/tokens.html", admin, 400, tokens=[], error=translate_error(exc, _)
        )
    # Shown once: only its hash is stored.
    return page(request, "admin/tokens.html", admin, tokens=items, new_token=token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, admin: SignedIn, token_id: int, _form: CheckedForm) -> Response:
    with transaction(request) as session:
        account = admin_auth.get_admin(session=session, admin_id=admin.id)
        admin_auth.revoke_api_token(session=session, admin=account, token_id=token_id)
    return RedirectResponse("/admin/tokens", status_code=303)
