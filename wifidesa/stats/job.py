"""The rollup job: rounds of marked site-days until none is left, each computed while reading
only and stored in a short write transaction, so accounting (SQLite's one writer) waits at
most for the write, never for the computing."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import WriterLock, transaction
from wifidesa.stats.dirty import ROUND, read_round, write_round


def roll_up(
    *,
    read_sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    lock: WriterLock,
    limit: int = ROUND,
) -> int:
    """Recompute every marked site-day; returns how many were recomputed."""
    total = 0
    while True:
        with transaction(read_sessions) as session:
            round_ = read_round(session=session, limit=limit)
        if round_ is None:
            return total
        with lock.held(), transaction(write_sessions) as session:
            write_round(session=session, round_=round_)
        total += len(round_.site_days)
