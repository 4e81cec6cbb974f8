"""The rollup job: rounds of marked site-days until none is left. Each round reads in short
transactions (one per query, see wifidesa.stats.rollup.CHUNK), computes outside any, and
stores in one short write transaction: accounting (SQLite's one writer) waits at most for the
write, never for the computing, and no long read holds back SQLite's checkpoints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Row
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

    def fetch(query: Executable) -> list[Row[Any]]:
        with transaction(read_sessions) as session:
            return list(session.execute(query).all())

    total = 0
    while True:
        round_ = read_round(fetch=fetch, limit=limit)
        if round_ is None:
            return total
        with lock.held(), transaction(write_sessions) as session:
            write_round(session=session, round_=round_)
        total += len(round_.site_days)
