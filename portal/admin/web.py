"""What every admin page shares: who is signed in, their scope, CSRF, rendering, errors.

Admin pages live under /admin/ and sign in with a session cookie; the JSON API under /api/
takes the same cookie or a bearer token (see portal.admin.api_auth). Every handler gets an
`Admin` (detached: a Scope, never an ORM object) and opens its own transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import Response

from portal.database import transaction
from portal.forms import PlainForm, Upload, UploadForm
from portal.i18n import COOKIE, chosen_language, request_language, translations
from wifidesa.admin.scope import Scope, scope_of
from wifidesa.admin.signin import admin_for_token
from wifidesa.db.engine import utcnow
from wifidesa.db.models import TokenKind
from wifidesa.settings import DEFAULT_TIMEZONE

SESSION_COOKIE = "wd_admin"
LOGIN_CSRF_COOKIE = "wd_admin_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(Exception):
    """No valid admin session: pages redirect to the sign-in form, the API answers 401."""


class CsrfRejected(Exception):
    """A state-changing request without the session's CSRF token."""


@dataclass(frozen=True)
class Admin:
    scope: Scope
    full_name: str
    token: str  # the session cookie or API token; never logged
    via_cookie: bool

    @property
    def username(self) -> str:
        return self.scope.username

    @property
    def id(self) -> int:
        """The signed-in admin's id (a web caller always has one; only the CLI has none)."""
        assert self.scope.admin_id is not None
        return self.scope.admin_id


def csrf_for(secret_key: str, session_token: str) -> str:
    """The CSRF token of a web session: derived, so nothing extra is stored."""
    key = hmac.new(secret_key.encode(), b"admin-csrf", hashlib.sha256).digest()
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()[:32]


def load_admin(request: Request, token: str, kind: TokenKind) -> Admin | None:
    with transaction(request) as session:
        admin = admin_for_token(session=session, token=token, kind=kind, now=utcnow())
        if admin is None:
            return None
        return Admin(
            scope=scope_of(admin),
            full_name=admin.full_name,
            token=token,
            via_cookie=kind is TokenKind.WEB,
        )


def signed_in(request: Request) -> Admin:
    """FastAPI dependency for admin pages."""
    token = request.cookies.get(SESSION_COOKIE, "")
    admin = load_admin(request, token, TokenKind.WEB) if token else None
    if admin is None:
        raise SignInRequired
    request.state.admin = admin
    return admin


def csrf_token(request: Request, admin: Admin) -> str:
    return csrf_for(request.app.state.settings.secret_key, admin.token)


def check_csrf(request: Request, admin: Admin, fields: dict[str, str]) -> None:
    """Raise CsrfRejected unless the form carries the admin's CSRF token."""
    if not hmac.compare_digest(fields.get(CSRF_FIELD, ""), csrf_token(request, admin)):
        raise CsrfRejected


async def checked_form(
    request: Request, admin: Annotated[Admin, Depends(signed_in)], fields: PlainForm
) -> dict[str, str]:
    """FastAPI dependency: the posted form's text fields, after its CSRF token was checked."""
    check_csrf(request, admin, fields)
    return fields


async def checked_upload(
    request: Request, admin: Annotated[Admin, Depends(signed_in)], upload: UploadForm
) -> Upload:
    """FastAPI dependency: a form with a file, after its CSRF token was checked."""
    check_csrf(request, admin, upload.fields)
    return upload


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]
CheckedUpload = Annotated[Upload, Depends(checked_upload)]


def gettext_for(request: Request) -> Any:
    return translations(request_language(request)).gettext


def secure_cookies(request: Request) -> bool:
    """Secure cookies whenever the admin reaches us over HTTPS (directly or via the proxy)."""
    public = str(request.app.state.settings.public_url)
    return request.url.scheme == "https" or public.startswith("https://")


def page(
    request: Request, template: str, admin: Admin | None, status: int = 200, **context: Any
) -> Response:
    language = request_language(request)
    base = {
        "_": gettext_for(request),
        "lang": language,
        "admin": admin,
        "csrf": csrf_token(request, admin) if admin is not None else "",
        "path": request.url.path,
    }
    response: Response = request.app.state.templates.TemplateResponse(
        request, template, base | context, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if chosen_language(request) == language:
        response.set_cookie(COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def login_redirect(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return "/admin/login?next=" + quote(target, safe="")


def safe_next(target: str | None) -> str:
    """Only a path on this site (no //host or scheme): no open redirect after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/admin/"
    return target


def local_time(moment: datetime | None, zone: str = DEFAULT_TIMEZONE) -> str:
    """A stored UTC instant as Kaltim reads it: '22-11-2026 17.05 WITA' (— for none)."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    label = "WITA" if zone == DEFAULT_TIMEZONE else local.tzname() or zone
    return f"{local:%d-%m-%Y %H.%M} {label}"
