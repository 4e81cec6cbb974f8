"""Who calls the JSON API: a bearer token (`Authorization: Bearer …`) or a signed-in browser.

A browser's cookie is sent by any page that posts to us, so cookie calls that change state
must also carry the session's CSRF token in the X-CSRF-Token header; bearer tokens need not
(no browser attaches them by itself).
"""

from __future__ import annotations

import hmac

from fastapi import Request

from portal.admin.web import (
    CSRF_HEADER,
    SESSION_COOKIE,
    Admin,
    CsrfRejected,
    SignInRequired,
    csrf_token,
    load_admin,
)
from portal.database import reads
from wifidesa.admin.signin import is_read_only
from wifidesa.db.models import TokenKind


class ReadOnlyToken(Exception):
    """A read-only API token asked for a change (answered 403)."""


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def api_caller(request: Request) -> Admin:
    """FastAPI dependency for /api/ endpoints."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        admin = load_admin(request, token.strip(), TokenKind.API)
        if admin is None:
            raise SignInRequired
        if request.method not in SAFE_METHODS:
            with reads(request)() as session:
                if is_read_only(session=session, token=token.strip()):
                    raise ReadOnlyToken
        return admin
    cookie = request.cookies.get(SESSION_COOKIE, "")
    admin = load_admin(request, cookie, TokenKind.WEB) if cookie else None
    if admin is None:
        raise SignInRequired
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, csrf_token(request, admin)):
            raise CsrfRejected
    return admin
