"""The rollup job reads in short transactions, one query each, and still gives the figures of
one long read: chunks that split sessions started in the same second lose none and count none
twice. Merging login counts runs in short transactions too and keeps every sum."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site

from wifidesa.crypto import SecretBox
from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import LoginCount, SiteDay
from wifidesa.stats import rollup
from wifidesa.stats.job import merge_login_counts, roll_up
from wifidesa.stats.logins import append_counts, login_counts
from wifidesa.stats.spans import local_days
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.records import AcctEvent, AcctRecord

WITA = "Asia/Makassar"
START = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # 29 November 23:00 WITA


def _sessions_in_the_same_seconds(sessions: sessionmaker[Session], box: SecretBox) -> int:
    """Eleven sessions, started in threes in the same second, some across local midnight."""
    with transaction(sessions) as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        session.flush()
        records = [
            AcctRecord(
                event=AcctEvent.STOP,
                router_id=router.id,
                site_id=site.id,
                event_time=START + timedelta(minutes=20 * (n // 3)) + timedelta(seconds=40 * n),
                acct_session_id=f"81b0000{n:02d}",
                username="guest",
                mac=f"02:00:00:00:00:{n:02x}",
                session_time=40 * n,
                input_octets=1_000 * n,
                output_octets=7_000 * n,
            )
            for n in range(11)
        ]
        record_accounting(session=session, records=records, box=box, now=START + timedelta(days=1))
        return site.id


def _table(sessions: sessionmaker[Session], site_id: int) -> list[dict[str, Any]]:
    with sessions() as session:
        rows = session.scalars(
            select(SiteDay).where(SiteDay.site_id == site_id).order_by(SiteDay.day)
        )
        columns = SiteDay.__table__.columns.keys()
        return [{c: getattr(r, c) for c in columns} for r in rows]


def test_each_read_transaction_runs_one_query_and_chunks_lose_nothing(
    engine: Engine,
    sessions: sessionmaker[Session],
    db_url: str,
    box: SecretBox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site_id = _sessions_in_the_same_seconds(sessions, box)
    with transaction(sessions) as session:  # the figures of one long read
        days = local_days(started_at=START, seconds=2 * 86_400, zone=WITA)
        rollup.recompute_site_days(session=session, site_days=[(site_id, d) for d in days])
    expected = _table(sessions, site_id)
    assert sum(row["sessions"] for row in expected) == 11
    assert len(expected) == 2  # both sides of local midnight

    with transaction(sessions) as session:
        session.query(SiteDay).delete()
    monkeypatch.setattr(rollup, "CHUNK", 3)  # every chunk boundary splits one second's starts
    statements: list[int] = []

    @event.listens_for(engine, "begin")
    def begun(connection: Any) -> None:
        statements.append(0)

    @event.listens_for(engine, "before_cursor_execute")
    def executed(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            statements[-1] += 1

    read = sessionmaker(engine)
    done = roll_up(read_sessions=read, write_sessions=sessions, lock=WriterLock(db_url))
    event.remove(engine, "begin", begun)
    event.remove(engine, "before_cursor_execute", executed)

    assert done == 2
    assert _table(sessions, site_id) == expected
    reads = statements[:-2]  # the last: the write and the next round's empty read of marks
    # The marks, the zones, eleven sessions in chunks of three, the devices' stored first
    # days, the site's region, each day's other sites (for the area sketches and sums), the
    # other days of the site's month (for its month's sums: both days lie in one month), the
    # month's other day sketches of the kabupaten and of the province (for their month sketches).
    assert len(reads) == 1 + 1 + 4 + 1 + 1 + 2 + 1 + 2
    assert set(reads) == {1}


def test_login_counts_are_merged_in_chunks_of_site_days_keeping_every_sum(
    engine: Engine, sessions: sessionmaker[Session], db_url: str
) -> None:
    with transaction(sessions) as session:
        site_ids = [make_site(session).id for _ in range(3)]
    day = date(2026, 11, 30)
    counts = {
        (site_id, day + timedelta(days=n), "refused:expired"): 1
        for site_id in site_ids
        for n in range(2)
    }
    for _ in range(3):  # three flushes of the same counts
        with transaction(sessions) as session:
            append_counts(session=session, counts=counts)
    writes: list[int] = []

    @event.listens_for(engine, "begin")
    def begun(connection: Any) -> None:
        writes.append(0)

    merged = merge_login_counts(
        read_sessions=sessions,
        write_sessions=sessions,
        lock=WriterLock(db_url),
        now=datetime(2026, 12, 1, 12, tzinfo=UTC),
        chunk=4,
    )
    event.remove(engine, "begin", begun)
    assert merged == 18 - 6
    assert len(writes) == 1 + 2  # the read, then six site-days in chunks of four
    with sessions() as session:
        totals = login_counts(
            session=session, site_ids=site_ids, first=day, last=day + timedelta(days=1)
        )
        assert session.scalar(select(func.count()).select_from(LoginCount)) == 6
    assert {(t.site_id, t.day): t.count for t in totals} == {k[:2]: 3 for k in counts}
