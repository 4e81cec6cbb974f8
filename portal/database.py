"""The web service's database sessions, as `portal.app` builds them: one factory for reads, one
for transactions that write (on SQLite these take the write lock when they begin)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker


def reads(request: Request) -> sessionmaker[Session]:
    """Sessions for reads."""
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def writes(request: Request) -> sessionmaker[Session]:
    """Sessions for transactions that write."""
    factory: sessionmaker[Session] = request.app.state.writes
    return factory


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    """A transaction that may write: committed when the block succeeds."""
    with writes(request).begin() as session:
        yield session
