"""The admin world (wdtest.admin_world), built once per backend into a template database; each
test gets a fresh copy (building it hashes eight passwords with argon2).

A test module that runs in the world imports the fixtures by name:
    from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from wdtest import TEST_SECRET
from wdtest.admin_world import World, build_world
from wdtest.postgres import PostgresCluster
from wifidesa.admin.scope import Scope, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import make_engine, make_session_factory
from wifidesa.db.models import AdminUser

_copies = itertools.count()
_built: dict[tuple[str, str], tuple[str, World]] = {}


def _template(request: pytest.FixtureRequest, backend: str, name: str) -> tuple[str, World]:
    key = (backend, name)
    if key in _built:
        return _built[key]
    if backend == "sqlite":
        folder = request.getfixturevalue("tmp_path_factory").mktemp(name)
        path = folder / "world.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url, template = f"sqlite:///{path}", str(path)
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        template = name
        url = cluster.create_database(template, request.getfixturevalue("pg_template"))
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            world = build_world(session, SecretBox(TEST_SECRET))
    finally:
        engine.dispose()  # a PostgreSQL template must have no connections to be cloned
    _built[key] = (template, world)
    return _built[key]


def world_db(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, name: str
) -> Iterator[tuple[str, World]]:
    """(database URL, world) of a fresh copy of the world; `name` keeps templates apart."""
    template, world = _template(request, backend, name)
    if backend == "sqlite":
        path = tmp_path / "wifidesa.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}", world
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    copy = f"{name}_{next(_copies)}"
    url = cluster.create_database(copy, template=template)
    yield url, world
    cluster.drop_database(copy)


WORLD = "world"


@pytest.fixture
def world_copy(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[tuple[str, World]]:
    yield from world_db(request, backend, tmp_path, WORLD)


@pytest.fixture
def db_url(world_copy: tuple[str, World]) -> str:
    """Replaces the plain database of tests/conftest.py with a copy of the world."""
    return world_copy[0]


@pytest.fixture
def world(world_copy: tuple[str, World]) -> World:
    return world_copy[1]


def actor_scope(session: Session, world: World, actor: str) -> Scope:
    """The scope of one of the world's admins, as a signed-in request would have it."""
    admin = session.get(AdminUser, world.ids[f"admin_{actor}"])
    assert admin is not None
    return scope_of(admin)
