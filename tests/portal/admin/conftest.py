"""Admin UI tests run in the two-kabupaten world of wdtest.admin_world.

Building the world hashes eight passwords (argon2, deliberately slow), so it is built once per
backend into a template database, and each test gets a fresh copy of that template.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from wdtest import TEST_SECRET
from wdtest.admin_world import World, build_world
from wdtest.postgres import PostgresCluster

from portal.app import create_app
from wifidesa.crypto import SecretBox
from wifidesa.db import make_engine, make_session_factory
from wifidesa.settings import Settings

_copies = itertools.count()


class WorldTemplates:
    """One world per backend, built on first use."""

    def __init__(self, request: pytest.FixtureRequest, folder: Path) -> None:
        self._request = request
        self._folder = folder
        self._built: dict[str, tuple[str, World]] = {}

    def get(self, backend: str) -> tuple[str, World]:
        if backend not in self._built:
            self._built[backend] = self._build(backend)
        return self._built[backend]

    def _build(self, backend: str) -> tuple[str, World]:
        if backend == "sqlite":
            path = self._folder / "world.db"
            shutil.copyfile(self._request.getfixturevalue("sqlite_template"), path)
            url, template = f"sqlite:///{path}", str(path)
        else:
            cluster: PostgresCluster = self._request.getfixturevalue("pg_cluster")
            template = "wifidesa_world"
            url = cluster.create_database(template, self._request.getfixturevalue("pg_template"))
        engine = make_engine(url)
        try:
            with make_session_factory(engine).begin() as session:
                world = build_world(session, SecretBox(TEST_SECRET))
        finally:
            engine.dispose()  # a PostgreSQL template must have no connections to be cloned
        return template, world


@pytest.fixture(scope="session")
def world_templates(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> WorldTemplates:
    return WorldTemplates(request, tmp_path_factory.mktemp("world"))


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, world_templates: WorldTemplates
) -> Iterator[str]:
    """A fresh copy of the world's database."""
    template, _ = world_templates.get(backend)
    if backend == "sqlite":
        path = tmp_path / "wifidesa.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"world_{next(_copies)}"
    url = cluster.create_database(name, template=template)
    yield url
    cluster.drop_database(name)


@pytest.fixture
def world(backend: str, world_templates: WorldTemplates, db_url: str) -> World:
    return world_templates.get(backend)[1]


@pytest.fixture
def web(settings: Settings, world: World) -> Iterator[TestClient]:
    # follow_redirects=False: a redirect to the sign-in page is an answer to check.
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client
