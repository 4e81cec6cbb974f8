"""Archiving: sessions that ended long ago leave the live rows for their month (on PostgreSQL a
partition of their own); statistics stay the same and accounting works in the live rows only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_router, make_site

from tests.wifidesa.usage.test_retention import _session_record, _site_days
from wifidesa.crypto import SecretBox
from wifidesa.db import schema
from wifidesa.db.engine import WriterLock, make_engine, make_session_factory, transaction
from wifidesa.db.models import AcctSession, SessionStatus
from wifidesa.db.models.sessions import LIVE
from wifidesa.settings import Settings
from wifidesa.usage.accounting import record_accounting
from wifidesa.usage.archive import archive_cutoff, archive_sessions, month_of
from wifidesa.usage.records import AcctEvent

NOW = datetime(2027, 3, 15, 4, 0, tzinfo=UTC)
JANUARY = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def run(db_url: str, sessions: sessionmaker[Session]) -> Iterator[Any]:
    """archive_sessions as the CLI and the service call it, in batches of 2."""
    write_engine = make_engine(db_url, sqlite_immediate=True)
    writes = make_session_factory(write_engine)

    def call(*, dry_run: bool = False, days: int = 14, now: datetime = NOW) -> int:
        return archive_sessions(
            read_sessions=sessions,
            write_sessions=writes,
            lock=WriterLock(db_url),
            now=now,
            days=days,
            dry_run=dry_run,
            batch=2,
        )

    yield call
    write_engine.dispose()


def _world(sessions: sessionmaker[Session], box: SecretBox) -> tuple[int, int]:
    """A site with sessions closed in January (some across midnight), one started on the last
    evening of January (UTC) and closed in February, one open since January, one closed 10
    days ago, one closed 20 days ago."""
    with transaction(sessions) as session:
        site = make_site(session)
        router = make_router(session, box, site=site)
        session.flush()
        rid, sid = router.id, site.id
        records = [
            _session_record(rid, sid, f"jan{n}", ended=JANUARY + timedelta(hours=7 * n), mac=mac)
            for n, mac in enumerate(["02:AA:00:00:00:01", "02:AA:00:00:00:02"] * 2)
        ]
        records += [
            _session_record(
                rid, sid, "month-end", ended=datetime(2027, 2, 1, 1, 0, tzinfo=UTC), seconds=7200
            ),
            _session_record(rid, sid, "open", ended=JANUARY, event=AcctEvent.INTERIM),
            _session_record(rid, sid, "ten-days", ended=NOW - timedelta(days=10)),
            _session_record(rid, sid, "twenty-days", ended=NOW - timedelta(days=20)),
        ]
        record_accounting(session=session, records=records, box=box, now=JANUARY)
        return sid, rid


def _months(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(select(AcctSession.acct_session_id, AcctSession.archived_month))
        return {str(name): int(month) for name, month in rows}


def _partitions(engine: Engine) -> list[str]:
    """PostgreSQL: the partitions of `sessions`, by name."""
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'sessions'::regclass ORDER BY c.relname"
            )
        )
        return [str(name) for (name,) in found]


def _homes(engine: Engine) -> dict[str, str]:
    """PostgreSQL: the partition each session is stored in."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT acct_session_id, tableoid::regclass FROM sessions"))
        return {name: str(table) for name, table in rows}


def test_sessions_that_ended_long_ago_go_to_the_month_of_their_start(
    sessions: sessionmaker[Session], box: SecretBox, run: Any, engine: Engine, backend: str
) -> None:
    _world(sessions, box)
    assert set(_months(sessions).values()) == {LIVE}
    assert run() == 6
    months = _months(sessions)
    assert months == {
        "jan0": 202701,
        "jan1": 202701,
        "jan2": 202701,
        "jan3": 202701,
        "month-end": 202701,  # started 31 January 23:00 UTC, ended in February
        "twenty-days": 202702,
        "open": LIVE,  # never archived while open
        "ten-days": LIVE,  # accounting may still come late
    }
    if backend == "postgresql":
        homes = _homes(engine)
        assert {homes[name] for name, month in months.items() if month == 202701} == {
            "sessions_p202701"
        }
        assert homes["twenty-days"] == "sessions_p202702"
        assert homes["open"] == homes["ten-days"] == "sessions_live"
        assert _partitions(engine) == ["sessions_live", "sessions_p202701", "sessions_p202702"]
        assert schema.differences(engine) == []  # partitions are not tables of their own


def test_statistics_recomputed_after_archiving_are_the_same(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    site_id, _ = _world(sessions, box)
    before = _site_days(sessions, site_id)
    assert sum(row["sessions"] for row in before) == 8
    run()
    assert _site_days(sessions, site_id) == before


def test_a_second_run_changes_nothing_and_a_dry_run_counts_only(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    _world(sessions, box)
    assert run(dry_run=True) == 6
    assert set(_months(sessions).values()) == {LIVE}
    assert run() == 6
    archived = _months(sessions)
    assert run() == 0
    assert _months(sessions) == archived
    # Ten days later the session that ended ten days ago has waited long enough.
    assert run(now=NOW + timedelta(days=10)) == 1
    assert _months(sessions)["ten-days"] == 202703


def test_accounting_merges_into_live_sessions_and_starts_anew_after_an_archived_one(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    site_id, router_id = _world(sessions, box)
    run()
    # A late, resent Stop of the session closed 10 days ago, with more octets.
    late = _session_record(router_id, site_id, "ten-days", ended=NOW - timedelta(days=10))
    late = replace(late, input_octets=late.input_octets + 1000)
    reused = _session_record(router_id, site_id, "jan0", ended=NOW, event=AcctEvent.START)
    reused = replace(reused, session_time=0)
    with transaction(sessions) as session:
        record_accounting(session=session, records=[late, reused], box=box, now=NOW)
    with sessions() as session:
        rows = session.scalars(
            select(AcctSession).where(AcctSession.acct_session_id.in_(["ten-days", "jan0"]))
        ).all()
    by_key = {(r.acct_session_id, r.archived_month): r for r in rows}
    assert len(rows) == 3
    assert by_key[("ten-days", LIVE)].input_octets == 3_001_000  # merged, not a new session
    assert by_key[("jan0", 202701)].status is SessionStatus.CLOSED  # the archived one stays
    assert by_key[("jan0", LIVE)].status is SessionStatus.OPEN  # a router that counts anew
    assert by_key[("jan0", LIVE)].generation == 0


def test_a_session_id_used_again_after_its_archive_joins_it_in_the_same_month(
    sessions: sessionmaker[Session], box: SecretBox, run: Any
) -> None:
    """A router that numbers its ids anew after each reset uses one again; once the earlier
    session is archived, accounting numbers the new one generation 0 again, and archiving it
    into the same month must not collide (the run failed there, and every run after it)."""
    site_id, router_id = _world(sessions, box)
    early = datetime(2027, 1, 3, 8, 0, tzinfo=UTC)
    again = datetime(2027, 1, 26, 8, 0, tzinfo=UTC)
    for ended, now in ((early, early + timedelta(days=20)), (again, again + timedelta(days=20))):
        record = _session_record(router_id, site_id, "reused", ended=ended)
        with transaction(sessions) as session:
            record_accounting(session=session, records=[record], box=box, now=ended)
        run(now=now)
    with sessions() as session:
        rows = session.execute(
            select(AcctSession.archived_month, AcctSession.generation, AcctSession.started_at)
            .where(AcctSession.acct_session_id == "reused")
            .order_by(AcctSession.started_at)
        ).all()
    assert [(r.archived_month, r.generation) for r in rows] == [(202701, 0), (202701, 1)]
    run(now=NOW)  # and the runs after it go on
    months = _months(sessions)
    assert months["twenty-days"] == 202702 and months["ten-days"] == LIVE


def test_an_archive_age_within_the_late_accounting_window_is_refused() -> None:
    with pytest.raises(ValueError, match="8 days"):
        archive_cutoff(now=NOW, days=7)
    assert archive_cutoff(now=NOW, days=8) == NOW - timedelta(days=8)
    with pytest.raises(ValidationError, match="sessions_archive_days is 3"):
        Settings(sessions_archive_days=3, _env_file=None)  # type: ignore[call-arg]


def test_the_archive_month_is_the_utc_month_of_the_start() -> None:
    assert month_of(datetime(2027, 1, 31, 23, 59, tzinfo=UTC)) == 202701
    assert month_of(datetime(2027, 2, 1, 0, 0, tzinfo=UTC)) == 202702
    assert month_of(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == 202612


def test_accounting_reads_and_writes_only_the_live_partition(
    sessions: sessionmaker[Session], box: SecretBox, run: Any, engine: Engine, backend: str
) -> None:
    """Every statement accounting sends on `sessions` is planned on the live partition only:
    the archive's months are never read, locked or probed by a RADIUS batch."""
    if backend != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    site_id, router_id = _world(sessions, box)
    run()
    with engine.connect() as connection:
        connection.execute(text("ANALYZE sessions"))
        connection.commit()
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if re.search(r"\bsessions(_live)?\b", statement):
            sent.append((statement, parameters))

    records = [
        _session_record(router_id, site_id, "ten-days", ended=NOW - timedelta(days=10)),
        _session_record(router_id, site_id, "open", ended=NOW, event=AcctEvent.INTERIM),
        _session_record(router_id, site_id, "new", ended=NOW, event=AcctEvent.START),
    ]
    event.listen(engine, "before_cursor_execute", capture)
    try:
        with transaction(sessions) as session:
            record_accounting(session=session, records=records, box=box, now=NOW)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    planned = [s for s, _ in sent if re.match(r"\s*(WITH|UPDATE|SELECT)", s)]
    assert planned, sent
    for statement, parameters in sent:
        if not re.match(r"\s*(WITH|UPDATE|SELECT)", statement):
            continue
        with engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            connection.rollback()
        assert "sessions_p2027" not in plan, plan
        assert "sessions_live" in plan, plan


def test_a_table_of_a_partitions_name_that_is_no_partition_is_refused(
    sessions: sessionmaker[Session], box: SecretBox, run: Any, engine: Engine, backend: str
) -> None:
    """A month an operator detached (to move it elsewhere) is not filled again behind their
    back: the run stops with a clear error, and archives nothing into it."""
    if backend != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    _world(sessions, box)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE sessions_p202701 (LIKE sessions)"))
    with pytest.raises(RuntimeError, match="sessions_p202701 exists but is not a partition"):
        run()
    assert set(_months(sessions).values()) == {LIVE}
