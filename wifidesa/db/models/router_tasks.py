"""The durable outbox of work on routers (router_tasks): RADIUS CoA/Disconnect requests, kicks
and file pushes over the RouterOS API, reads of the hotspot's active list. wifidesa.fleet.tasks
holds the rules; the RADIUS service sends the CoA kinds, the controllers' task worker the rest.

A task names the router, what to do, the session it is about (if any) and small parameters;
never a secret, a MAC or a user name: those are read from the session when the task runs (so
retention, which clears them from old sessions, leaves nothing behind here)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wifidesa.db.engine import Base, BigIntKey, UTCDateTime
from wifidesa.db.models._types import str_enum


class TaskKind(StrEnum):
    # Sent by the RADIUS service (RFC 5176); the values are those of CoAAction.
    DISCONNECT = "disconnect"
    THROTTLE = "throttle"
    RESTORE = "restore"
    # Done by the controllers' task worker over the RouterOS API.
    KICK = "kick"  # remove the session's user from /ip/hotspot/active
    PUSH_HOTSPOT_FILES = "push_hotspot_files"  # write the rendered login.html etc.
    READ_ACTIVE = "read_active"  # compare the router's active users with our open sessions


class TaskState(StrEnum):
    QUEUED = "queued"  # waiting for `next_attempt_at` (first try, or again after a failure)
    RUNNING = "running"  # claimed by a worker until `next_attempt_at` (its lease)
    DONE = "done"
    FAILED = "failed"  # ended without effect, and trying again would not help (a NAK)
    GIVEN_UP = "given_up"  # failed too often, or cut short and not worth another try


# At most one task in flight per session (the claim the CoA queue kept on the session row),
# and per router and kind for tasks about no session: a second request while one waits is
# not queued twice.
IN_FLIGHT = "state IN ('queued', 'running')"


class RouterTask(Base):
    __tablename__ = "router_tasks"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # What the workers look for: due rows by state and time.
        Index("ix_router_tasks_due", "state", "next_attempt_at"),
        # A router's tasks, newest first (the CLI, the admin page).
        Index("ix_router_tasks_router_created", "router_id", "created_at"),
        Index(
            "uq_router_tasks_session_in_flight",
            "session_id",
            unique=True,
            sqlite_where=text(f"session_id IS NOT NULL AND {IN_FLIGHT}"),
            postgresql_where=text(f"session_id IS NOT NULL AND {IN_FLIGHT}"),
        ),
        Index(
            "uq_router_tasks_router_kind_in_flight",
            "router_id",
            "kind",
            unique=True,
            sqlite_where=text(f"session_id IS NULL AND {IN_FLIGHT}"),
            postgresql_where=text(f"session_id IS NULL AND {IN_FLIGHT}"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    router_id: Mapped[int] = mapped_column(ForeignKey("routers.id", ondelete="CASCADE"))
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, "router_task_kind", 24))
    # No foreign key: sessions are to be partitioned by month on PostgreSQL, and a key into a
    # partitioned table must carry its partition key.
    session_id: Mapped[int | None] = mapped_column(BigInteger)
    # Small parameters (a rate limit, the portal's address); no secret, no personal data.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[TaskState] = mapped_column(
        str_enum(TaskState, "router_task_state"), default=TaskState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The claim of the worker running it: only that worker records the outcome.
    claim: Mapped[str | None] = mapped_column(String(32))
    # What came of it, one short line, redacted (admins see it).
    outcome: Mapped[str | None] = mapped_column(String(200))
    # Who asked: an admin's user name, "cli", "quota", or "schedule"; and the admin's id.
    asked_by: Mapped[str] = mapped_column(String(64))
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
