"""The permission matrix: every admin route and API endpoint, tried by every kind of actor.

Generated from the one list in wdtest.routes. Routes aim at village A's objects: anonymous
callers are sent to sign in (pages) or get 401 (API); actors who may not reach village A get
403 or 404 and change nothing; the others get their answer, and the route's own check (declared
next to it in wdtest.routes) verifies the effect: a read shows its thing, a change left its row
or its audit entry.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import ACTORS, ANONYMOUS, World, sign_in
from wdtest.app_routes import app_routes
from wdtest.routes import PUBLIC, Route, all_routes
from wdtest.routes.checks import Call, newest_audit_id

from portal.admin.web import CSRF_HEADER
from wifidesa.db.models import AuditEntry

ROUTES = all_routes()


def _cases() -> list[Any]:
    cases = []
    for route in ROUTES:
        denied = [a for a in ACTORS if a not in route.allowed]
        cases.append(pytest.param(route, tuple(denied), False, id=f"{route} denied"))
        allowed = sorted(route.allowed)
        groups = [(a,) for a in allowed] if route.destructive else [tuple(allowed)]
        for group in groups:
            name = "+".join(group) if route.destructive else "allowed"
            cases.append(pytest.param(route, group, True, id=f"{route} {name}"))
    return cases


def call(client: TestClient, route: Route, world: World, actor: str, *, csrf: str | None) -> Any:
    """One request as `actor`: pages with the session cookie, the API with a bearer token."""
    path, form = route.fill(world.ids)
    if route.api:
        client.cookies.clear()
        headers = {}
        if actor != ANONYMOUS:
            headers["Authorization"] = f"Bearer {world.api_tokens[actor]}"
        body = route.body(world.ids) if route.changes_state else None
        return client.request(route.method, path, json=body, headers=headers)
    if route.changes_state:
        data = form | ({"csrf": csrf} if csrf is not None else {})
        return client.request(route.method, path, data=data)
    return client.request(route.method, path)


def _audit_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        query = select(func.count()).where(AuditEntry.action != "admins.sign_in")
        return session.scalar(query) or 0


@pytest.mark.parametrize(("route", "actors", "allowed"), _cases())
def test_route_permissions(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    route: Route,
    actors: tuple[str, ...],
    allowed: bool,
) -> None:
    before = _audit_count(sessions)
    for actor in actors:
        csrf = sign_in(web, sessions, actor)
        audit_before = newest_audit_id(sessions)
        answer = call(web, route, world, actor, csrf=csrf)
        where = f"{route} as {actor}: {answer.status_code}"
        if actor == ANONYMOUS:
            if route.api:
                assert answer.status_code == 401, where
            else:
                assert answer.status_code == 303, where
                assert answer.headers["location"].startswith("/admin/login?next="), where
        elif allowed:
            assert answer.status_code not in (401, 403, 404, 405, 500), where
            location = answer.headers.get("location", "")
            assert not location.startswith("/admin/login?next="), where
            assert route.check is not None, f"{route}: declares no check of its effect"
            route.check(Call(where, actor, answer, world, sessions, audit_before))
        else:
            assert answer.status_code in (403, 404), where
    if not allowed:
        # A denied attempt leaves no trace of having done anything.
        assert _audit_count(sessions) == before, f"{route}: a denied call changed the audit log"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.changes_state and not r.api], ids=str)
def test_every_form_rejects_a_missing_or_wrong_csrf_token(
    web: TestClient, world: World, sessions: sessionmaker[Session], route: Route
) -> None:
    actor = sorted(route.allowed)[0]
    before = _audit_count(sessions)
    for csrf in (None, "", "forged-token-0123456789abcdef"):
        sign_in(web, sessions, actor)
        answer = call(web, route, world, actor, csrf=csrf)
        assert answer.status_code == 403, f"{route} with csrf={csrf!r}: {answer.status_code}"
    assert _audit_count(sessions) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r.changes_state and r.api], ids=str)
def test_api_calls_with_a_session_cookie_need_the_csrf_header(
    web: TestClient, world: World, sessions: sessionmaker[Session], route: Route
) -> None:
    actor = sorted(route.allowed)[0]
    path, _ = route.fill(world.ids)
    before = _audit_count(sessions)
    sign_in(web, sessions, actor)
    answer = web.request(
        route.method, path, json=route.body(world.ids), headers={CSRF_HEADER: "forged"}
    )
    assert answer.status_code == 403
    assert _audit_count(sessions) == before
    csrf = sign_in(web, sessions, actor)
    answer = web.request(
        route.method, path, json=route.body(world.ids), headers={CSRF_HEADER: csrf}
    )
    assert answer.status_code not in (401, 403, 404, 405, 500), answer.text


def test_every_route_declares_the_effect_of_an_allowed_call() -> None:
    missing = [str(route) for route in ROUTES if route.check is None]
    assert not missing, f"routes in wdtest.routes without a check: {missing}"


def test_every_admin_and_api_route_is_in_the_matrix(web: TestClient) -> None:
    """Every /admin and /api route of the app is tried by the matrix, and every route of the
    matrix is one the app has (or the walk over the app missed some)."""
    admin = [(m, p) for m, p in app_routes(web.app) if p.startswith(("/admin", "/api/"))]
    tried = {(r.method, r.path.split("?")[0]) for r in ROUTES} | PUBLIC

    def serves(app_route: tuple[str, str], call: tuple[str, str]) -> bool:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", app_route[1])
        return app_route[0] == call[0] and re.fullmatch(pattern, call[1]) is not None

    missing = [f"{m} {p}" for m, p in admin if not any(serves((m, p), c) for c in tried)]
    assert not missing, f"routes missing from wdtest.routes: {missing}"
    unknown = [f"{m} {p}" for m, p in tried if not any(serves(a, (m, p)) for a in admin)]
    assert not unknown, f"wdtest.routes lists routes the app does not have: {unknown}"
