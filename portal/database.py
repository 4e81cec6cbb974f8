"""The web service's database sessions, as `portal.app` builds them: one factory for reads, one
for transactions that write (on SQLite these take the write lock when they begin), and one for
the statistics' reads (WIFIDESA_STATS_DATABASE_URL: a replica, or the main database), always
read-only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


class StatsUnavailable(Exception):
    """The statistics database cannot be reached (a replica that is down): the statistics
    pages and API answer 503; the rest of the admin goes on."""


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


@contextmanager
def stats_reads(request: Request) -> Iterator[Session]:
    """A session that reads statistics: the one place their reads come from. Figures only:
    exports are queued, followed and downloaded in the main database (`transaction`)."""
    factory: sessionmaker[Session] = request.app.state.stats
    try:
        with factory() as session:
            yield session
    except OperationalError as exc:  # refused, timed out, or cut off (server shut down)
        raise StatsUnavailable from exc
