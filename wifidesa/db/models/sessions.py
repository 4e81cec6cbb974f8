"""Accounting: hotspot sessions, usage per account per local day, unique devices per site-day.

Shaped for statistics: `site_id` and `started_at` are on every session (daily figures per desa
without joins), and devices are counted by `device_hash`, a keyed hash of the MAC
(wifidesa.crypto), so counts need no MAC.

Shaped for size: on PostgreSQL `sessions` is partitioned by `archived_month` (migration 0026).
Accounting writes only the live partition (`archived_month` = LIVE: open sessions and those
closed within the archive age); a daily job moves older closed sessions into one partition per
month of their start (wifidesa.usage.archive). Every unique key holds the partition key, as
PostgreSQL requires: among live rows, (acct_session_id, router_id, generation) stays unique.
SQLite keeps one table with the same columns and keys.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    false,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wifidesa.db.engine import Base, BigIntKey, UTCDateTime
from wifidesa.db.models._types import str_enum
from wifidesa.db.models.accounts import Account
from wifidesa.db.models.routers import Router


class CoAAction(StrEnum):
    """What we asked the router to do to a live session (RFC 5176)."""

    THROTTLE = "throttle"  # CoA-Request: the after-quota rate
    RESTORE = "restore"  # CoA-Request: the profile's rate again, after the period reset
    DISCONNECT = "disconnect"  # Disconnect-Request: quota used up (block), or an admin's kick


class CoAResult(StrEnum):
    QUEUED = "queued"  # asked for (an admin's disconnect): the RADIUS service will send it
    PENDING = "pending"  # sent, no answer yet
    ACK = "ack"
    NAK = "nak"
    TIMEOUT = "timeout"


class SessionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # Stop received
    LOST = "lost"  # closed by us: Accounting-On/Off, or silent too long


# `archived_month` of a live session (open, or closed within the archive age); an archived one
# holds the UTC month of its start as YYYYMM (wifidesa.usage.archive).
LIVE = 0
# The partitions on PostgreSQL: `sessions_live` (LIVE) and one `sessions_pYYYYMM` a month.
LIVE_PARTITION = "sessions_live"
PARTITION_NAME = re.compile(r"sessions_(live|p[0-9]{6})")


def partition_name(month: int) -> str:
    """The partition of the sessions archived with `month` (YYYYMM), or the live one."""
    return LIVE_PARTITION if month == LIVE else f"sessions_p{month:06d}"


# What retention (wifidesa.usage.retention) puts in place of an old session's user name: the
# column is NOT NULL, and the empty name (that of accounting without a User-Name) names nobody.
CLEARED_USERNAME = ""
# A session still holding something that names a person: its MAC, IP address or user name.
RETENTION_DUE = "username <> '' OR mac IS NOT NULL OR framed_ip IS NOT NULL"


class AcctSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        # Session id first: accounting looks up a batch's ids of one router, and with router_id
        # first PostgreSQL, on thin statistics (a new table, a new router), read every session
        # of the router and filtered them, a cost that grew with each session. A router that
        # was reset or replaced counts its session ids anew: a Start after the session of that
        # id ended is another session, the next generation. The partition key ends the key: live
        # rows, the only ones accounting reads and writes, are unique by the first three.
        UniqueConstraint("acct_session_id", "router_id", "generation", "archived_month"),
        Index("ix_sessions_site_started", "site_id", "started_at"),
        Index("ix_sessions_account_status", "account_id", "status"),
        # Open sessions by village (online now, the reaper). No index holds a column that an
        # Interim-Update changes (updated_at, the counters): then an interim rewrites the row
        # only, not an index entry (SQLite), and PostgreSQL can update it in place (HOT).
        Index("ix_sessions_status_site", "status", "site_id"),
        # Sessions with a CoA or Disconnect (a few): the RADIUS service looks for queued and
        # stale requests every second (wifidesa.usage.coa_requests.requests_due).
        Index(
            "ix_sessions_coa_result",
            "coa_result",
            sqlite_where=text("coa_result IS NOT NULL"),
            postgresql_where=text("coa_result IS NOT NULL"),
        ),
        # The sessions retention has still to clear, oldest first: each daily run reads the few
        # due ones, never the years of sessions it cleared before. Accounting sets these columns
        # at the Start only, so an Interim-Update touches no entry (and stays HOT on PostgreSQL).
        Index(
            "ix_sessions_retention_due",
            "started_at",
            "id",
            sqlite_where=text(RETENTION_DUE),
            postgresql_where=text(RETENTION_DUE),
        ),
        CheckConstraint("input_octets >= 0 AND output_octets >= 0", name="octets_not_negative"),
        # On PostgreSQL the table is partitioned by LIST (archived_month), its primary key is
        # (id, archived_month), and the live partition keeps room on each page for the updated
        # row, which a HOT update needs (fillfactor 70): migration 0026 and
        # wifidesa.usage.archive make the partitions. Alembic compares neither (the mapper's key
        # stays `id`, which one sequence numbers across all partitions).
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    router_id: Mapped[int] = mapped_column(ForeignKey("routers.id", ondelete="RESTRICT"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    acct_session_id: Mapped[str] = mapped_column(String(64))
    # 0 for the first session of this id at this router, 1 for the next (see above), ...
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # LIVE, or the UTC month (YYYYMM) of the start once archived (see the module's text).
    archived_month: Mapped[int] = mapped_column(Integer, default=LIVE, server_default="0")
    username: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(17))
    device_hash: Mapped[str | None] = mapped_column(String(32))
    framed_ip: Mapped[str | None] = mapped_column(String(45))
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus, "session_status"), default=SessionStatus.OPEN
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_time: Mapped[int] = mapped_column(Integer, default=0)
    # Totals including Acct-*-Gigawords; input = from the client (upload).
    input_octets: Mapped[int] = mapped_column(BigInteger, default=0)
    output_octets: Mapped[int] = mapped_column(BigInteger, default=0)
    interim_interval: Mapped[int | None] = mapped_column(Integer)
    terminate_cause: Mapped[str | None] = mapped_column(String(32))
    # The last CoA/Disconnect for this session and how the router answered (shown to admins).
    throttled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    coa_action: Mapped[CoAAction | None] = mapped_column(str_enum(CoAAction, "coa_action"))
    coa_result: Mapped[CoAResult | None] = mapped_column(str_enum(CoAResult, "coa_result"))
    coa_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    coa_detail: Mapped[str | None] = mapped_column(String(64))
    # When the session's account first reached its fair-use quota in this session (it was
    # throttled or cut): statistics count such accounts per village and day. Never cleared.
    quota_hit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    router: Mapped[Router] = relationship()
    account: Mapped[Account | None] = relationship()


# A live row, with the 0 written into the statement: PostgreSQL then plans for the live
# partition alone, whether the plan is made for the values or generic.
IS_LIVE = AcctSession.archived_month == literal_column(str(LIVE), Integer)
# An open session: live (an open session is never archived) and open.
OPEN_SESSION = and_(IS_LIVE, AcctSession.status == SessionStatus.OPEN)


class UsageDaily(Base):
    """Usage of one account on one local day; weeks, months and totals are sums of days."""

    __tablename__ = "usage_daily"
    # Every accounting batch adds to these rows: room for in-place (HOT) updates on PostgreSQL.
    __table_args__ = ({"postgresql_with": {"fillfactor": 70}},)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    input_octets: Mapped[int] = mapped_column(BigInteger, default=0)
    output_octets: Mapped[int] = mapped_column(BigInteger, default=0)
    session_seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class SiteDeviceDay(Base):
    """That a device (by keyed hash) used a site on a local day: unique-device statistics."""

    __tablename__ = "site_device_days"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    device_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
