"""Statistics exports as jobs stored in the database (stats_exports): an admin asks for one,
a worker of the web service takes it, makes the file with progress and stores it, and only
that admin may download it, for a day. A worker that stops (a restart) loses nothing: an
export whose heartbeat went quiet is taken up again.

CSV and XLSX are made here from the report's tables; other formats (the PDF report, drawn by
the web edge with its charts) come in as a `Renderer` from the caller, so the core never
imports an edge.
"""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from wifidesa.admin.scope import Scope, scope_of
from wifidesa.db.engine import LockedWrites, WriterLock, transaction
from wifidesa.db.models import AdminUser, ExportFormat, ExportState, StatsExport
from wifidesa.errors import ErrorCode, InvalidInput, NotFound, WifidesaError
from wifidesa.i18n import Gettext, gettext_for
from wifidesa.stats.areas import open_area
from wifidesa.stats.periods import Period, PeriodKind
from wifidesa.stats.report import Report, area_report
from wifidesa.stats.sheets import iter_csv, write_xlsx
from wifidesa.stats.tables import TABLES, report_tables

log = logging.getLogger(__name__)

OPEN_PER_ADMIN = 3  # queued or running at once, per admin
KEEP = timedelta(days=1)  # a finished export (and its file) is kept this long
QUIET = timedelta(minutes=2)  # a running export without a heartbeat this long is taken again
BEAT = timedelta(seconds=1)  # progress is written at most this often
MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PDF: "application/pdf",
}
# Progress: (done, total) as the renderer goes.
Progress = Callable[[int, int], None]
# Makes the file of a report: (report, language, gettext, progress) -> bytes.
Renderer = Callable[[Report, str, Gettext, Progress], bytes]


@dataclass(frozen=True)
class ExportView:
    """What the admin who asked sees of an export."""

    id: str
    format: ExportFormat
    state: ExportState
    done: int
    total: int
    filename: str
    size: int | None
    error: str | None
    created_at: datetime


def _view(row: StatsExport) -> ExportView:
    return ExportView(
        row.id,
        row.format,
        row.state,
        row.done,
        row.total,
        row.filename,
        row.size,
        row.error,
        row.created_at,
    )


def request_export(
    *,
    session: Session,
    scope: Scope,
    format: ExportFormat,  # the word the API and forms use
    key: str,
    period: Period,
    language: str,
    table: str | None = None,
    now: datetime,
) -> ExportView:
    """Queue an export of an area the scope reaches (NotFound otherwise, before anything is
    queued); a CSV names its table."""
    if scope.admin_id is None:
        raise InvalidInput(ErrorCode.EXPORTS_NEED_AN_ADMIN)
    if format is ExportFormat.CSV and table not in TABLES:
        raise InvalidInput(
            ErrorCode.NOT_A_STATS_TABLE, name=(table or "")[:20], names=", ".join(TABLES)
        )
    open_area(session=session, scope=scope, key=key)
    busy = session.scalar(
        select(func.count()).where(
            StatsExport.admin_id == scope.admin_id,
            StatsExport.state.in_([ExportState.QUEUED, ExportState.RUNNING]),
        )
    )
    if (busy or 0) >= OPEN_PER_ADMIN:
        raise InvalidInput(ErrorCode.JOBS_BUSY)
    row = StatsExport(
        id=secrets.token_urlsafe(16),
        admin_id=scope.admin_id,
        format=format,
        area=key,
        period_kind=period.kind.value,
        first=period.first,
        last=period.last,
        table_name=table if format is ExportFormat.CSV else None,
        language=language,
        state=ExportState.QUEUED,
        done=0,
        total=0,
        filename="",
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _view(row)


def _own(session: Session, scope: Scope, export_id: str) -> StatsExport:
    row = session.get(StatsExport, export_id[:32])
    if row is None or row.admin_id != scope.admin_id:
        raise NotFound(ErrorCode.EXPORT_NOT_FOUND)
    return row


def export_status(*, session: Session, scope: Scope, export_id: str) -> ExportView:
    """An export of the admin's own (NotFound for anyone else's, alike with unknown ids)."""
    return _view(_own(session, scope, export_id))


def export_file(*, session: Session, scope: Scope, export_id: str) -> tuple[str, str, bytes]:
    """(file name, media type, content) of a finished export of the admin's own."""
    row = _own(session, scope, export_id)
    if row.state is not ExportState.DONE or row.data is None:
        raise NotFound(ErrorCode.EXPORT_NOT_FOUND)
    return row.filename, MEDIA_TYPES[row.format], row.data


def claim_next(*, session: Session, now: datetime) -> str | None:
    """Take the oldest queued export (or one whose worker went quiet) for this worker; its
    id, or None. The caller commits at once: the claim is the committed state change."""
    candidates = (
        select(StatsExport.id)
        .where(
            or_(
                StatsExport.state == ExportState.QUEUED,
                (StatsExport.state == ExportState.RUNNING)
                & (StatsExport.heartbeat_at < now - QUIET),
            )
        )
        .order_by(StatsExport.created_at)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    export_id = session.scalar(candidates)
    if export_id is None:
        return None
    session.execute(
        update(StatsExport)
        .where(StatsExport.id == export_id)
        .values(state=ExportState.RUNNING, heartbeat_at=now, done=0)
    )
    return export_id


def _filename(row: StatsExport, report: Report) -> str:
    area = report.view.area
    name = (area.code or "desa-saya").replace(".", "-")
    span = row.first.isoformat() if row.first == row.last else f"{row.first}_{row.last}"
    what = row.table_name or ("laporan" if row.format is ExportFormat.PDF else "statistik")
    return f"wifidesa-{what}-{name}-{span}.{row.format.value}"


def _csv(table: str) -> Renderer:
    def render(report: Report, language: str, _: Gettext, progress: Progress) -> bytes:
        built = TABLES[table](report, _)
        return "".join(iter_csv(built)).encode("utf-8")

    return render


def _xlsx(report: Report, language: str, _: Gettext, progress: Progress) -> bytes:
    tables = report_tables(report, _)
    rows = len(report.days) + len(report.children) + len(report.villages) + 24
    rows += len(report.silent) + len(report.logins)
    out = io.BytesIO()
    write_xlsx(tables, out, progress=lambda written: progress(written, rows))
    return out.getvalue()


def run_export(
    *,
    read_sessions: sessionmaker[Session],
    write_sessions: sessionmaker[Session],
    lock: WriterLock | None,
    export_id: str,
    clock: Callable[[], datetime],
    renderers: Mapping[ExportFormat, Renderer] | None = None,
) -> ExportState:
    """Make a claimed export's file and store it (or its failure): reading the export and its
    admin with the write sessions (the main database, where it was just queued and claimed),
    the report with `read_sessions` in one transaction (where statistics are read: perhaps a
    replica), writing progress and the result in short transactions (under `lock`, or None
    where the write sessions' engine takes SQLite's writer lock itself, as the web's does)."""
    sessions = LockedWrites(write_sessions, lock)
    with sessions.transaction() as session:
        row = session.get(StatsExport, export_id)
        if row is None:
            return ExportState.FAILED  # deleted meanwhile (its admin was removed)
        admin = session.get(AdminUser, row.admin_id)
        if admin is None or not admin.is_active:
            return _finish(sessions, export_id, clock(), error=ErrorCode.EXPORT_NOT_FOUND)
        scope = scope_of(admin)
        period = Period(PeriodKind(row.period_kind), row.first, row.last)
        fmt, table, language, key = row.format, row.table_name, row.language, row.area
    with transaction(read_sessions) as session:
        try:
            report = area_report(session=session, scope=scope, key=key, period=period, now=clock())
        except WifidesaError as exc:  # the area left the admin's scope since
            return _finish(sessions, export_id, clock(), error=exc.code)
    filename = _filename(row, report)
    chosen = {ExportFormat.CSV: _csv(table or ""), ExportFormat.XLSX: _xlsx, **(renderers or {})}
    render = chosen.get(fmt)
    if render is None:
        return _finish(sessions, export_id, clock(), error=ErrorCode.JOB_FAILED)
    beat = [clock()]

    def progress(done: int, total: int) -> None:
        now = clock()
        if now - beat[0] < BEAT:
            return
        beat[0] = now
        with sessions.transaction() as session:
            session.execute(
                update(StatsExport)
                .where(StatsExport.id == export_id)
                .values(done=done, total=total, heartbeat_at=now)
            )

    try:
        data = render(report, language, gettext_for(language), progress)
    except Exception:
        log.exception("statistics export %s failed", fmt.value)
        return _finish(sessions, export_id, clock(), error=ErrorCode.JOB_FAILED)
    return _finish(sessions, export_id, clock(), data=data, filename=filename)


def _finish(
    sessions: LockedWrites,
    export_id: str,
    now: datetime,
    *,
    data: bytes | None = None,
    filename: str = "",
    error: ErrorCode | None = None,
) -> ExportState:
    state = ExportState.FAILED if error is not None else ExportState.DONE
    with sessions.transaction() as session:
        session.execute(
            update(StatsExport)
            .where(StatsExport.id == export_id)
            .values(
                state=state,
                data=data,
                size=len(data) if data is not None else None,
                filename=filename,
                error=error.value if error is not None else None,
                finished_at=now,
                heartbeat_at=now,
            )
        )
    return state


def purge_exports(*, session: Session, now: datetime) -> int:
    """Forget finished exports older than KEEP; returns how many."""
    result = session.execute(
        delete(StatsExport).where(
            StatsExport.state.in_([ExportState.DONE, ExportState.FAILED]),
            StatsExport.finished_at < now - KEEP,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
