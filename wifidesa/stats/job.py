"""The rollup job: one round over the marked site-days. It reads in short
transactions (one per query, see wifidesa.stats.rollup.CHUNK), computes outside any, and
stores in one short write transaction: accounting (SQLite's one writer) waits at most for the
write, never for the computing, and no long read holds back SQLite's checkpoints."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.db.engine import WriterLock, transaction
from wifidesa.stats.dirty import PAGE, read_round, write_round
from wifidesa.stats.logins import merge_site_days, site_days_to_merge

# Site-days of login counts merged per write transaction: 50 site-days of 15 minutes' flushes
# of two workers (90 rows each) took ~30 ms under SQLite's writer lock.
MERGE_CHUNK = 50
# Days back that the merge looks at (wifidesa.stats.logins.site_days_to_merge).
MERGE_DAYS = 8


def roll_up(
    *,
    read_sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    lock: WriterLock,
    page: int = PAGE,
) -> int:
    """Recompute every site-day marked when it starts, once each; returns how many. Marks
    added meanwhile wait for the next run: run back to back, rounds would recompute a busy
    site-day over and over and keep a core busy (seen in the soak: 400,000 sessions in one
    site-day, marked ~300 times a second)."""

    def fetch(query: Executable) -> list[Row[Any]]:
        with transaction(read_sessions) as session:
            return list(session.execute(query).all())

    round_ = read_round(fetch=fetch, page=page)
    if round_ is None:
        return 0
    with lock.held(), transaction(write_sessions) as session:
        write_round(session=session, round_=round_)
    return len(round_.site_days)


def merge_login_counts(
    *,
    read_sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    lock: WriterLock,
    now: datetime,
    chunk: int = MERGE_CHUNK,
) -> int:
    """Merge the login counts that RADIUS workers appended (wifidesa.stats.logins) into one
    row per site, day and outcome, for the last MERGE_DAYS days, in short write transactions
    of `chunk` site-days; returns how many rows fewer there are."""
    since = now.date() - timedelta(days=MERGE_DAYS)  # a day before, in any zone
    with transaction(read_sessions) as session:
        site_days = site_days_to_merge(session=session, since=since)
    merged = 0
    for start in range(0, len(site_days), chunk):
        with lock.held(), transaction(write_sessions) as session:
            merged += merge_site_days(session=session, site_days=site_days[start : start + chunk])
    return merged
