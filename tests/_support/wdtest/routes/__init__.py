"""The one list of admin routes and API endpoints that the permission and CSRF tests run over.

Each area of the admin UI keeps its entries in its own module here; `ALL_ROUTES` joins them.
The permission test also fails when the app has an /admin/ or /api/ route missing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import ADMIN_PASSWORD, REACH_A, SIGNED_IN
from wdtest.routes.checks import Call, Check, all_of, audited, form, holds, shows, shows_own
from wifidesa.db.models import AdminToken, TokenKind


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # a template filled from World.ids; aims at village A's objects
    allowed: frozenset[str] = REACH_A
    form: dict[str, str] = field(default_factory=dict)  # fields besides csrf (also templated)
    json: dict[str, object] | None = None  # API bodies; a value "{name}" becomes ids[name]
    # After the allowed actors ran, nothing stops the route from changing the world; a route
    # that ends something for good (revoke, delete) says so, and is tried last by each actor.
    destructive: bool = False
    # What an allowed call must have done (wdtest.routes.checks); every route declares one.
    check: Check | None = None

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def changes_state(self) -> bool:
        return self.method not in ("GET", "HEAD")

    def fill(self, ids: dict[str, object]) -> tuple[str, dict[str, str]]:
        path = self.path.format(**ids)
        form = {key: value.format(**ids) for key, value in self.form.items()}
        return path, form

    def body(self, ids: dict[str, object]) -> dict[str, object] | None:
        """The JSON body with the world's ids put in (keeping their type)."""
        if self.json is None:
            return None
        return {key: _fill_value(value, ids) for key, value in self.json.items()}

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _fill_value(value: object, ids: dict[str, object]) -> object:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


# Routes anyone may open (the sign-in form itself).
PUBLIC = {("GET", "/admin/login"), ("POST", "/admin/login")}


def _own_api_token(call: Call) -> None:
    shows(f"{call.actor}-api")(call)


def _signed_out(session: Session, call: Call) -> bool:
    admin_id = call.id(f"admin_{call.actor}")
    web = select(AdminToken.id).where(
        AdminToken.admin_id == admin_id, AdminToken.kind == TokenKind.WEB
    )
    return session.scalars(web).first() is None


def _token_revoked(session: Session, call: Call) -> bool:
    return session.get(AdminToken, call.id("token_desa_a")) is None


AUTH_ROUTES = [
    Route("GET", "/admin/", SIGNED_IN, check=shows_own("site_name")),
    Route("GET", "/admin/password", SIGNED_IN, check=form("current", "new", "repeat")),
    Route(
        "POST",
        "/admin/password",
        SIGNED_IN,
        form={"current": ADMIN_PASSWORD, "new": "another-pass-9", "repeat": "another-pass-9"},
        check=audited("admins.password"),
    ),
    Route("GET", "/admin/tokens", SIGNED_IN, check=_own_api_token),
    Route(
        "POST",
        "/admin/tokens",
        SIGNED_IN,
        form={"name": "matrix"},
        check=audited("admins.api_token"),
    ),
    Route(
        "POST",
        "/admin/tokens/{token_desa_a}/revoke",
        frozenset({"desa_a"}),
        destructive=True,
        check=all_of(
            audited("admins.api_token_revoke"),
            holds("the token is gone", _token_revoked, status=(303,)),
        ),
    ),
    Route(
        "POST",
        "/admin/logout",
        SIGNED_IN,
        destructive=True,
        check=holds("the web session is ended", _signed_out, status=(303,)),
    ),
]


def all_routes() -> list[Route]:
    # Imported here so that an area module may import Route from this package.
    from wdtest.routes import areas

    return AUTH_ROUTES + areas.AREA_ROUTES
