"""NUL bytes are refused at the edge, with a 400.

PostgreSQL's text cannot hold a NUL: a `%00` in a router name, a site code or a form field
that reached a query made psycopg raise, and the portal answered 500 (SQLite just found
nothing). No name, code or field of ours holds one, so a request that carries one is refused
before anything looks it up.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException, Request


def refuse_nul(values: Mapping[str, str]) -> None:
    """400 if a name or value holds a NUL."""
    if any("\x00" in key or "\x00" in value for key, value in values.items()):
        raise HTTPException(status_code=400, detail="NUL byte in the request")


def no_nul_in_url(request: Request) -> None:
    """An app-wide dependency: the path and the query without NUL bytes."""
    if "\x00" in request.url.path:
        raise HTTPException(status_code=400, detail="NUL byte in the request")
    refuse_nul(request.query_params)
