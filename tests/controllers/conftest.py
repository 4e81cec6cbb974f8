"""A simulated router (the RouterOS double) per test, served from a thread of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wdtest.routeros import PASSWORD

from controllers.double import DoubleRouter, DoubleRunner, RouterState


@pytest.fixture
def router() -> DoubleRouter:
    return DoubleRouter(
        host="127.0.0.1", password=PASSWORD, state=RouterState(identity="desa-sebulu")
    )


@pytest.fixture
def double(router: DoubleRouter) -> Iterator[DoubleRunner]:
    with DoubleRunner([router]) as runner:
        yield runner
