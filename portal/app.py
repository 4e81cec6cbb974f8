"""The FastAPI application factory. Pages are server-rendered, with no outside host in them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from wifidesa import __version__
from wifidesa.db import make_engine, make_session_factory
from wifidesa.settings import Settings

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Error pages speak Bahasa Indonesia: villagers and desa admins read them.
ERROR_TITLES = {
    400: "Permintaan tidak valid",
    403: "Akses ditolak",
    404: "Halaman tidak ditemukan",
    405: "Metode tidak diizinkan",
    422: "Data tidak valid",
    500: "Terjadi kesalahan di server",
    503: "Layanan sedang tidak tersedia",
}


def create_app(settings: Settings) -> FastAPI:
    engine = make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="wifidesa", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    app.state.templates = templates

    def error_page(request: Request, status: int) -> Response:
        title = ERROR_TITLES.get(status, "Terjadi kesalahan")
        return templates.TemplateResponse(
            request, "portal/error.html", {"title": title, "status": status}, status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return error_page(request, exc.status_code)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return error_page(request, 500)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        return templates.TemplateResponse(request, "portal/home.html", {})

    @app.get("/healthz")
    def health() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    return app
