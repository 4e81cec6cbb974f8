"""The admin web UI (/admin/) and JSON API (/api/) for desa admins and Diskominfo."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from portal.admin import admins, audit, auth_routes, home, notifications, sessions
from portal.admin.api_auth import ReadOnlyToken
from portal.admin.fleet import api as fleet_api
from portal.admin.fleet import pages as fleet
from portal.admin.fleet import task_api as fleet_task_api
from portal.admin.fleet import tasks as fleet_tasks
from portal.admin.members import api as members_api
from portal.admin.members import pages as members
from portal.admin.places import api as sites_api
from portal.admin.places import pages as sites
from portal.admin.profiles import api as profiles_api
from portal.admin.profiles import pages as profiles
from portal.admin.stats import api as stats_api
from portal.admin.stats import exports as stats_exports
from portal.admin.stats import pages as stats
from portal.admin.vouchers import api as vouchers_api
from portal.admin.vouchers import pages as vouchers
from portal.admin.vouchers import printing as vouchers_print
from portal.admin.web import (
    CsrfRejected,
    SignInRequired,
    gettext_for,
    login_redirect,
    page,
)
from wifidesa.admin.scope import Forbidden
from wifidesa.errors import NotFound

# Areas add their routers here (pages and API alike).
ROUTERS = (
    auth_routes.router,
    home.router,
    sessions.router,
    sessions.api,
    sites.router,
    sites_api.api,
    audit.router,
    audit.api,
    members.router,
    members_api.api,
    profiles.router,
    profiles_api.api,
    vouchers.router,
    vouchers_print.router,
    vouchers_api.api,
    admins.router,
    admins.api,
    stats.router,
    stats_api.api,
    stats_exports.router,
    stats_exports.api,
    fleet.router,
    fleet_api.api,
    fleet_tasks.router,
    fleet_task_api.api,
    notifications.router,
)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, title: str, detail: str = "") -> Response:
    if _is_api(request):
        return JSONResponse({"detail": detail or title}, status_code=status)
    _ = gettext_for(request)
    admin = getattr(request.state, "admin", None)
    return page(request, "admin/error.html", admin, status, title=_(title), detail=detail)


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router, include_in_schema=router.prefix.startswith("/api"))

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _exc: SignInRequired) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": "sign in or send a bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse(login_redirect(request), status_code=303)

    @app.exception_handler(ReadOnlyToken)
    async def read_only(request: Request, _exc: ReadOnlyToken) -> Response:
        return _error(request, 403, "This API token may only read.")

    @app.exception_handler(CsrfRejected)
    async def csrf(request: Request, _exc: CsrfRejected) -> Response:
        return _error(request, 403, "The form expired or did not come from this site.")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _exc: NotFound) -> Response:
        # One answer for "does not exist" and "not yours": ids cannot be probed.
        return _error(request, 404, "Page not found")

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        return _error(request, 403, "Your role does not allow this.")
