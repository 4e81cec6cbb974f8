"""Statistics exports as jobs in the database: queued for an area the admin reaches, made by
whichever worker claims them (again after a worker went quiet), downloaded only by the admin
who asked, forgotten after a day."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_admin, make_site

from tests.wifidesa.stats.test_figures import _day
from wifidesa.admin.scope import Scope, scope_of
from wifidesa.db.engine import WriterLock, transaction
from wifidesa.db.models import AdminRole, ExportFormat, ExportState
from wifidesa.errors import ErrorCode, InvalidInput, NotFound
from wifidesa.stats.exports import (
    claim_next,
    export_file,
    export_status,
    purge_exports,
    request_export,
    run_export,
)
from wifidesa.stats.periods import PeriodKind, period_of
from wifidesa.stats.rollup import store_site_days

NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
MONTH = period_of(PeriodKind.MONTH, date(2026, 12, 1))


def _world(sessions: sessionmaker[Session]) -> tuple[Scope, Scope, str]:
    """Two kabupaten admins, a used village in the first's kabupaten; its site code."""
    with transaction(sessions) as session:
        site = make_site(session, kabupaten="64.09")
        make_site(session, kabupaten="64.09")
        session.flush()
        store_site_days(
            session=session,
            rows=[_day(site.id, date(2026, 12, 3), sessions=7, online_seconds=3600)],
        )
        own = make_admin(
            session=session,
            username="ppu",
            password="ppu-password-1",
            role=AdminRole.KABUPATEN,
            region_code="64.09",
        )
        other = make_admin(
            session=session,
            username="berau",
            password="berau-password-1",
            role=AdminRole.KABUPATEN,
            region_code="64.05",
        )
        return scope_of(own), scope_of(other), site.code


def _run(sessions: sessionmaker[Session], db_url: str, **kw: object) -> ExportState | None:
    with transaction(sessions) as session:
        claimed = claim_next(session=session, now=NOW)
    if claimed is None:
        return None
    return run_export(
        read_sessions=sessions,
        write_sessions=sessions,
        lock=WriterLock(db_url),
        export_id=claimed,
        clock=lambda: NOW,
        **kw,
    )  # type: ignore[arg-type]


def test_an_xlsx_of_the_kabupaten_month_for_the_admin_who_asked(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    own, other, site_code = _world(sessions)
    with transaction(sessions) as session:
        asked = request_export(
            session=session,
            scope=own,
            format=ExportFormat.XLSX,
            key="",
            period=MONTH,
            language="id",
            now=NOW,
        )
    assert asked.state is ExportState.QUEUED
    assert _run(sessions, db_url) is ExportState.DONE
    assert _run(sessions, db_url) is None  # nothing else queued
    with sessions() as session:
        name, media, data = export_file(session=session, scope=own, export_id=asked.id)
        with pytest.raises(NotFound):  # another kabupaten's admin: as if it did not exist
            export_status(session=session, scope=other, export_id=asked.id)
    assert name == "wifidesa-statistik-64-09-2026-12-01_2026-12-31.xlsx"
    assert media.startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0].startswith("Per hari")
    villages = book[book.sheetnames[2]]
    assert [c.value for c in villages[4]][1:3] == [site_code, 1]  # code, villages
    days = book[book.sheetnames[0]]
    assert days["B6"].value == 7  # 3 December: seven sessions (rows from 4: the 1st)


def test_a_csv_of_one_table_and_bad_asks_refused_before_anything_is_queued(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    own, _, _ = _world(sessions)
    with transaction(sessions) as session:
        with pytest.raises(InvalidInput) as bad:
            request_export(
                session=session,
                scope=own,
                format=ExportFormat.CSV,
                key="",
                period=MONTH,
                language="en",
                table="passwords",
                now=NOW,
            )
        assert bad.value.code is ErrorCode.NOT_A_STATS_TABLE
        with pytest.raises(NotFound):
            request_export(
                session=session,
                scope=own,
                format=ExportFormat.CSV,
                key="r:64",
                period=MONTH,
                language="en",
                table="days",
                now=NOW,
            )
        asked = request_export(
            session=session,
            scope=own,
            format=ExportFormat.CSV,
            key="",
            period=MONTH,
            language="en",
            table="days",
            now=NOW,
        )
    assert _run(sessions, db_url) is ExportState.DONE
    with sessions() as session:
        _, _, data = export_file(session=session, scope=own, export_id=asked.id)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Day", "Sessions"]
    assert rows[3][:2] == ["2026-12-03", "7"] and rows[1][1] == ""  # no data: an empty cell


def test_an_admin_has_at_most_three_exports_waiting(sessions: sessionmaker[Session]) -> None:
    own, _, _ = _world(sessions)
    with transaction(sessions) as session:
        for _ in range(3):
            request_export(
                session=session,
                scope=own,
                format=ExportFormat.XLSX,
                key="",
                period=MONTH,
                language="id",
                now=NOW,
            )
        with pytest.raises(InvalidInput) as busy:
            request_export(
                session=session,
                scope=own,
                format=ExportFormat.XLSX,
                key="",
                period=MONTH,
                language="id",
                now=NOW,
            )
    assert busy.value.code is ErrorCode.JOBS_BUSY


def test_an_export_whose_worker_went_quiet_is_taken_up_again(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    own, _, _ = _world(sessions)
    with transaction(sessions) as session:
        asked = request_export(
            session=session,
            scope=own,
            format=ExportFormat.XLSX,
            key="",
            period=MONTH,
            language="id",
            now=NOW,
        )
    with transaction(sessions) as session:  # a worker takes it, then its process is killed
        assert claim_next(session=session, now=NOW - timedelta(minutes=5)) == asked.id
    with transaction(sessions) as session:
        assert claim_next(session=session, now=NOW - timedelta(minutes=4)) is None  # beating
    assert _run(sessions, db_url) is ExportState.DONE


def test_a_failing_renderer_fails_the_export_and_a_day_later_it_is_forgotten(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    own, _, _ = _world(sessions)
    with transaction(sessions) as session:
        asked = request_export(
            session=session,
            scope=own,
            format=ExportFormat.PDF,
            key="",
            period=MONTH,
            language="id",
            now=NOW,
        )

    def broken(*args: object) -> bytes:
        raise RuntimeError("the drawing broke")

    assert _run(sessions, db_url, renderers={ExportFormat.PDF: broken}) is ExportState.FAILED
    with transaction(sessions) as session:
        seen = export_status(session=session, scope=own, export_id=asked.id)
        assert (seen.state, seen.error) == (ExportState.FAILED, ErrorCode.JOB_FAILED.value)
        assert purge_exports(session=session, now=NOW + timedelta(hours=23)) == 0
        assert purge_exports(session=session, now=NOW + timedelta(hours=25)) == 1
        with pytest.raises(NotFound):
            export_status(session=session, scope=own, export_id=asked.id)
