"""The FastAPI application factory. Pages are server-rendered, with no outside host in them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal import access_log, admin, api_docs
from portal.admin.stats.renderers import EXPORT_RENDERERS
from portal.admin.stats.worker import ExportWorker
from portal.admin.web import local_time
from portal.body_limits import BodyLimit
from portal.captive import routes as captive
from portal.captive import status as captive_status
from portal.captive.login_counts import PortalLoginCounts
from portal.captive.signing import Signer, unpack_client
from portal.forms import PlainForm
from portal.hosts import HostSplit
from portal.i18n import LANGUAGES, request_language, translations
from portal.nul_bytes import no_nul_in_url
from portal.security_headers import SecurityHeaders
from wifidesa import __version__, redact
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory
from wifidesa.db.models import Router
from wifidesa.places.hotspot_files import FILES, render_hotspot_files
from wifidesa.settings import Settings

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Error pages are in the villager's language (Bahasa Indonesia unless they chose English).
ERROR_TITLES = {
    400: "Invalid request",
    403: "Access denied",
    404: "Page not found",
    405: "Method not allowed",
    422: "Invalid data",
    500: "Server error",
    503: "Service unavailable",
}


BUSY = "The service is busy. Please try again in a moment."


def _locked(exc: Exception) -> bool:
    """SQLite's "database is locked" (or busy): the write lock was not free in time."""
    message = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in message or "database is busy" in message


def create_app(settings: Settings) -> FastAPI:
    busy_ms = settings.sqlite_busy_timeout_ms
    engine = make_engine(settings.resolved_database_url, busy_timeout_ms=busy_ms)
    # Handlers run in threads, so transactions of this process overlap. On SQLite one that
    # read and then writes fails at once ("database is locked") if another wrote in between;
    # transactions that write take the write lock when they begin instead, and wait for it.
    # (Slow work - argon2 - happens before they begin.) PostgreSQL: the same engine.
    # And they queue for the lock that the RADIUS service's writers take: SQLite's busy
    # handler polls with sleeps, and a RADIUS worker writing accounting back to back may leave
    # it no gap within its timeout ("database is locked").
    writer = make_engine(
        settings.resolved_database_url,
        sqlite_immediate=True,
        busy_timeout_ms=busy_ms,
        writer_lock=WriterLock(settings.resolved_database_url),
    )

    # Statistics read here: a replica when WIFIDESA_STATS_DATABASE_URL is set, else the main
    # database; read-only either way, so a statement that writes fails instead of writing.
    # Never migrated: the replica follows the main database's schema.
    stats = make_engine(
        settings.resolved_stats_database_url, busy_timeout_ms=busy_ms, read_only=True
    )
    exports = ExportWorker(
        read_sessions=make_session_factory(engine),
        write_sessions=make_session_factory(writer),
        report_sessions=make_session_factory(stats),
        renderers=EXPORT_RENDERERS,
    )

    login_counts = PortalLoginCounts(
        write_sessions=make_session_factory(writer),
        every_seconds=settings.stats_login_flush_seconds,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.export_worker:
            exports.start()
        login_counts.start()
        yield
        login_counts.stop()
        if settings.export_worker:
            exports.stop()
        engine.dispose()
        writer.dispose()
        stats.dispose()

    # /docs is our own server-rendered page (portal.api_docs): Swagger UI would load a CDN.
    app = FastAPI(
        title="wifidesa",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(no_nul_in_url)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)  # reads
    app.state.writes = make_session_factory(writer)  # transactions that write
    app.state.stats = make_session_factory(stats)  # statistics' reads (portal.database)
    app.state.login_counts = login_counts  # the portal's refusals, for statistics
    access_log.install()
    app.add_middleware(BodyLimit)
    if settings.admin_host:
        app.add_middleware(HostSplit, admin_host=settings.admin_host)
    # Outermost of ours: the headers go on every answer, the body limit's 413 too. (The 500
    # page is sent by Starlette's outermost error middleware: its handler adds them itself.)
    security = SecurityHeaders.for_settings(settings, TEMPLATES_DIR)
    app.add_middleware(SecurityHeaders, headers=security)
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters["local"] = local_time
    app.state.templates = templates

    def error_page(request: Request, status: int, message: str = "") -> Response:
        language = request_language(request)
        _ = translations(language).gettext
        title = _(ERROR_TITLES.get(status, "Something went wrong"))
        context = {
            "title": title,
            "status": status,
            "message": _(message) if message else "",
            "_": _,
            "lang": language,
        }
        return templates.TemplateResponse(request, "portal/error.html", context, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return error_page(request, exc.status_code)

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: Exception) -> Response:
        if not _locked(exc):
            return await server_error(request, exc)
        # Another writer held the database past the busy timeout (a backup, a long job):
        # not a fault of ours or of the request, so no 500 and no traceback.
        target = redact.request_target(request.url.path)
        log.warning("database busy on %s %s: answered 503", request.method, target)
        retry = {"Retry-After": "5"}
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": BUSY}, status_code=503, headers=retry)
        response = error_page(request, 503, BUSY)
        response.headers.update(retry)
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # The traceback, for whoever mends it; the path with card links and names blanked.
        target = redact.request_target(request.url.path)
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, target, exc_info=exc)
        response = error_page(request, 500)
        response.headers.update({name.decode(): value.decode() for name, value in security})
        return response

    # Pages are not part of the API description; only /api/ is (see portal.api_docs).
    app.include_router(captive.router, include_in_schema=False)
    app.include_router(captive_status.router, include_in_schema=False)
    admin.install(app)
    app.include_router(api_docs.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> Response:
        language = request_language(request)
        return templates.TemplateResponse(
            request, "portal/home.html", {"_": translations(language).gettext, "lang": language}
        )

    @app.post("/portal/again", response_class=HTMLResponse, include_in_schema=False)
    def again(request: Request, form: PlainForm) -> Response:
        """The landing page once more, e.g. in the other language."""
        language = str(form.get("lang") or "")
        client = unpack_client(Signer(settings.secret_key, "portal-client"), str(form.get("ctx")))
        if client is None or language not in LANGUAGES:
            return error_page(request, 400)
        request.state.lang = language
        return captive.render_landing(request, client)

    @app.get(
        "/mikrotik/{router_name}/{file_name}", response_class=HTMLResponse, include_in_schema=False
    )
    def hotspot_file(router_name: str, file_name: str) -> Response:
        """The router's hotspot pages, for `/tool fetch` on the router."""
        if file_name not in FILES:
            return error_page_plain(404)
        with app.state.sessions() as session:
            if session.scalar(select(Router.id).where(Router.name == router_name)) is None:
                return error_page_plain(404)
        files = render_hotspot_files(router_name=router_name, portal_url=settings.public_url)
        return HTMLResponse(files[file_name])

    def error_page_plain(status: int) -> Response:
        return HTMLResponse("not found", status_code=status)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        # Phones ask for it on every page; an empty answer saves satellite bytes.
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=604800"})

    @app.get("/healthz")
    def health() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    return app
