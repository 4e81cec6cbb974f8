"""Statistics exports as jobs stored in the database: asked for on a page or through the API,
made by the web service's export worker (any process; a restart loses nothing), downloaded by
the admin who asked. wifidesa.stats.exports holds the rules."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from wifidesa.db.engine import Base, UTCDateTime, utcnow
from wifidesa.db.models._types import str_enum


class ExportFormat(StrEnum):
    CSV = "csv"  # one table
    XLSX = "xlsx"  # every table, a sheet each
    PDF = "pdf"  # the monthly evaluation report


class ExportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class StatsExport(Base):
    __tablename__ = "stats_exports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: not guessable
    admin_id: Mapped[int] = mapped_column(
        ForeignKey("admin_users.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[ExportFormat] = mapped_column(str_enum(ExportFormat, "export_format"))
    area: Mapped[str] = mapped_column(String(80))  # wifidesa.stats.areas key
    period_kind: Mapped[str] = mapped_column(String(10))
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date] = mapped_column(Date)
    table_name: Mapped[str | None] = mapped_column(String(20))  # CSV: which table
    language: Mapped[str] = mapped_column(String(5))
    state: Mapped[ExportState] = mapped_column(
        str_enum(ExportState, "export_state"), default=ExportState.QUEUED, index=True
    )
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(160), default="")
    size: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    error: Mapped[str | None] = mapped_column(String(64))  # an ErrorCode value
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A running export whose worker stopped beating (a restart) is taken up again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
