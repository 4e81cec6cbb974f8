"""Fixtures: every database test runs on SQLite and on a real PostgreSQL server.

Each test gets a fresh database cloned from a migrated template (a file copy for SQLite,
CREATE DATABASE ... TEMPLATE for PostgreSQL), so tests never see each other's rows.
`--db sqlite` or `--db postgresql` narrows the run to one backend.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from wdtest import TEST_SECRET
from wdtest.postgres import PostgresCluster

from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, transaction
from wifidesa.places.regions import ensure_reference_regions
from wifidesa.settings import Settings, load_settings

BACKENDS = ("sqlite", "postgresql")

_counter = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=(*BACKENDS, "all"),
        default="all",
        help="database backend(s) for database tests",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        choice = metafunc.config.getoption("db")
        metafunc.parametrize("backend", BACKENDS if choice == "all" else (choice,), indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Marked here rather than by hand, so a new page test cannot forget it (make test-fast
    # leaves the browser out).
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    cluster.start()
    yield cluster
    cluster.stop()


def _prepare_template(url: str) -> None:
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            ensure_reference_regions(session=session)
    finally:
        engine.dispose()  # a PostgreSQL template must have no connections to be cloned


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _prepare_template(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PostgresCluster) -> str:
    pg_cluster.create_database("wifidesa_template")
    _prepare_template(pg_cluster.url_for("wifidesa_template"))
    return "wifidesa_template"


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database with Kaltim's reference regions."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "wifidesa.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"test_{next(_counter)}"
    url = cluster.create_database(name, template=request.getfixturevalue("pg_template"))
    yield url
    cluster.drop_database(name)


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    name = f"empty_{next(_counter)}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def writes(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions that write the way the web service does, for a test that writes while a running
    RADIUS service writes too: on SQLite they take the write lock at BEGIN and hold the
    service's writer lock (a plain deferred transaction that reads, then writes, fails with
    "database is locked" when a commit came in between)."""
    engine = make_engine(db_url, sqlite_immediate=True, writer_lock=WriterLock(db_url))
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one test; its database is thrown away afterwards."""
    with sessions() as session:
        yield session


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(TEST_SECRET)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        env_file=None,
        env="development",
        secret_key=TEST_SECRET,
        database_url=db_url,
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `wifidesa` command run in-process (`wifidesa.cli.main.main`) on this test's
    database, from a scratch directory, with the `box` fixture's secret key, quiet logs, and a
    one-second RouterOS API timeout (the simulated routers are on loopback)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WIFIDESA_DATABASE_URL", db_url)
    monkeypatch.setenv("WIFIDESA_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("WIFIDESA_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("WIFIDESA_API_TIMEOUT_SECONDS", "1")
