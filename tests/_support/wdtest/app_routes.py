"""Every route an app answers, as (method, path template).

FastAPI 0.165 lists an included router in `app.routes` as one entry without a path: a test that
looked only at the top level saw none of the admin's routes and could not fail. This walks in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any


def app_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route of `app`, HEAD left out, sorted."""

    def walk(routes: Sequence[Any]) -> Iterator[tuple[str, str]]:
        for route in routes:
            if hasattr(route, "effective_candidates"):
                yield from walk(route.effective_candidates())
                continue
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    yield method, route.path

    return sorted(set(walk(app.routes)))
