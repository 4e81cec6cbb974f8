"""router_tasks: one durable outbox of work on routers (CoA/Disconnect, API kicks, hotspot
files, reads of the active list); the sessions' queued and pending requests move onto it

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wifidesa.db.engine

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("disconnect", "throttle", "restore", "kick", "push_hotspot_files", "read_active")
_STATES = ("queued", "running", "done", "failed", "given_up")
_IN_FLIGHT = "state IN ('queued', 'running')"


def _when() -> wifidesa.db.engine.UTCDateTime:
    return wifidesa.db.engine.UTCDateTime(timezone=True)


def _enum(name: str, values: Sequence[str], length: int = 16) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.create_table(
        "router_tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("router_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("router_task_kind", _KINDS, 24), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", _enum("router_task_state", _STATES), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.Column("asked_by", sa.String(length=64), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("finished_at", _when(), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_router_tasks_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["router_id"],
            ["routers.id"],
            name=op.f("fk_router_tasks_router_id_routers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["admin_users.id"],
            name=op.f("fk_router_tasks_admin_id_admin_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_router_tasks")),
    )
    op.create_index("ix_router_tasks_due", "router_tasks", ["state", "next_attempt_at"])
    op.create_index("ix_router_tasks_router_created", "router_tasks", ["router_id", "created_at"])
    for name, columns, where in (
        ("uq_router_tasks_session_in_flight", ["session_id"], "session_id IS NOT NULL"),
        ("uq_router_tasks_router_kind_in_flight", ["router_id", "kind"], "session_id IS NULL"),
    ):
        op.create_index(
            name,
            "router_tasks",
            columns,
            unique=True,
            sqlite_where=sa.text(f"{where} AND {_IN_FLIGHT}"),
            postgresql_where=sa.text(f"{where} AND {_IN_FLIGHT}"),
        )
    _move_requests_in_flight()


_MOVE_DISCONNECTS = (
    "INSERT INTO router_tasks (router_id, kind, session_id, payload, state, attempts, "
    "next_attempt_at, asked_by, created_at) "
    "SELECT router_id, 'disconnect', id, EMPTY, 'queued', 0, coa_at, 'upgrade', coa_at "
    "FROM sessions WHERE status = 'open' AND coa_action = 'disconnect' "
    "AND coa_result IN ('queued', 'pending') AND coa_at IS NOT NULL"
)


def _move_requests_in_flight() -> None:
    """Disconnects queued or sent when the service stopped for the upgrade become queued
    tasks (sent again, as a restart would have); a throttle or restore in flight is forgotten
    on its session, for the planners to decide afresh (wifidesa.usage.enforcement)."""
    # PostgreSQL types a literal in INSERT ... SELECT as text, which a JSON column refuses;
    # SQLite would read CAST(... AS JSON) as a number.
    empty = "CAST('{}' AS JSON)" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(_MOVE_DISCONNECTS.replace("EMPTY", empty))
    op.execute(
        "UPDATE sessions SET coa_result = 'queued' WHERE status = 'open' "
        "AND coa_action = 'disconnect' AND coa_result = 'pending' AND coa_at IS NOT NULL"
    )
    op.execute(
        "UPDATE sessions SET coa_action = NULL, coa_result = NULL, coa_detail = NULL "
        "WHERE coa_result IN ('queued', 'pending') AND coa_action IN ('throttle', 'restore')"
    )
    op.execute(
        "UPDATE sessions SET coa_result = 'timeout', coa_detail = 'cut short by an upgrade' "
        "WHERE coa_result IN ('queued', 'pending') AND NOT (status = 'open' "
        "AND coa_action = 'disconnect' AND coa_at IS NOT NULL)"
    )


def downgrade() -> None:
    for name in (
        "uq_router_tasks_router_kind_in_flight",
        "uq_router_tasks_session_in_flight",
        "ix_router_tasks_router_created",
        "ix_router_tasks_due",
    ):
        op.drop_index(name, table_name="router_tasks")
    op.drop_table("router_tasks")
