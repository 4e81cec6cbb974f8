"""Admin UI tests run in a fresh copy of the two-kabupaten world of wdtest.admin_world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from wdtest.admin_world import World
from wdtest.world_db import db_url, world, world_copy  # noqa: F401 - fixtures

from portal.app import create_app
from wifidesa.settings import Settings


@pytest.fixture
def web(settings: Settings, world: World) -> Iterator[TestClient]:
    # follow_redirects=False: a redirect to the sign-in page is an answer to check. No export
    # worker: its writes would race the tests' own (tests/portal/admin/stats run one).
    quiet = settings.model_copy(update={"export_worker": False})
    with TestClient(create_app(quiet), follow_redirects=False) as client:
        yield client
