"""The fleet's health: routers.wan_interface, router_health (latest state), router_intervals
(state changes), router_days (polls per local day), fleet_incidents (central-side problems)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wifidesa.db.engine

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("up", "down", "unknown")
_CAUSES = ("backhaul", "restart", "central")


def _when() -> wifidesa.db.engine.UTCDateTime:
    return wifidesa.db.engine.UTCDateTime(timezone=True)


def _state() -> sa.Enum:
    return sa.Enum(
        *_STATES, name="router_state", native_enum=False, create_constraint=True, length=16
    )


def _cause() -> sa.Enum:
    return sa.Enum(
        *_CAUSES, name="outage_cause", native_enum=False, create_constraint=True, length=16
    )


def _router_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["router_id"],
        ["routers.id"],
        name=op.f(f"fk_{table}_router_id_routers"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("routers") as batch:
        batch.add_column(sa.Column("wan_interface", sa.String(length=64), nullable=True))

    op.create_table(
        "router_health",
        sa.Column("router_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", _state(), nullable=False),
        sa.Column("cause", _cause(), nullable=True),
        sa.Column("state_since", _when(), nullable=False),
        sa.Column("last_poll_at", _when(), nullable=True),
        sa.Column("last_answer_at", _when(), nullable=True),
        sa.Column("identity", sa.String(length=64), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("board", sa.String(length=64), nullable=True),
        sa.Column("uptime_seconds", sa.BigInteger(), nullable=True),
        sa.Column("cpu_load", sa.Integer(), nullable=True),
        sa.Column("free_memory", sa.BigInteger(), nullable=True),
        sa.Column("total_memory", sa.BigInteger(), nullable=True),
        sa.Column("hotspot_active", sa.Integer(), nullable=True),
        sa.Column("rtt_ms", sa.Float(), nullable=True),
        sa.Column("wan_rx_bytes", sa.BigInteger(), nullable=True),
        sa.Column("wan_tx_bytes", sa.BigInteger(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", _when(), nullable=True),
        sa.Column("failing_central", sa.Boolean(), nullable=False),
        sa.Column("last_failure", sa.String(length=16), nullable=True),
        sa.Column("last_failure_at", _when(), nullable=True),
        sa.Column("last_restart_at", _when(), nullable=True),
        sa.CheckConstraint(
            "consecutive_failures >= 0", name=op.f("ck_router_health_failures_not_negative")
        ),
        sa.CheckConstraint(
            "(state = 'down') = (cause IS NOT NULL)",
            name=op.f("ck_router_health_cause_only_when_down"),
        ),
        _router_fk("router_health"),
        sa.PrimaryKeyConstraint("router_id", name=op.f("pk_router_health")),
    )
    op.create_index("ix_router_health_state_since", "router_health", ["state", "state_since"])
    op.create_index("ix_router_health_last_restart_at", "router_health", ["last_restart_at"])

    op.create_table(
        "router_intervals",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("router_id", sa.Integer(), nullable=False),
        sa.Column("state", _state(), nullable=False),
        sa.Column("cause", _cause(), nullable=True),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("ended_at", _when(), nullable=True),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_router_intervals_ends_after_start"),
        ),
        sa.CheckConstraint(
            "(state = 'down') = (cause IS NOT NULL)",
            name=op.f("ck_router_intervals_cause_only_when_down"),
        ),
        _router_fk("router_intervals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_router_intervals")),
    )
    op.create_index(
        "ix_router_intervals_router_started", "router_intervals", ["router_id", "started_at"]
    )
    op.create_index(
        "ix_router_intervals_state_started", "router_intervals", ["state", "started_at"]
    )
    op.create_index(
        "uq_router_intervals_open",
        "router_intervals",
        ["router_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )

    op.create_table(
        "router_days",
        sa.Column("router_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("rtt_count", sa.Integer(), nullable=False),
        sa.Column("rtt_sum_ms", sa.Float(), nullable=False),
        sa.Column("rtt_max_ms", sa.Float(), nullable=True),
        sa.Column("cpu_max", sa.Integer(), nullable=True),
        sa.Column("active_max", sa.Integer(), nullable=True),
        sa.Column("wan_down_bytes", sa.BigInteger(), nullable=False),
        sa.Column("wan_up_bytes", sa.BigInteger(), nullable=False),
        sa.Column("restarts", sa.Integer(), nullable=False),
        sa.CheckConstraint("answered <= polls", name=op.f("ck_router_days_answered_within_polls")),
        _router_fk("router_days"),
        sa.PrimaryKeyConstraint("router_id", "day", name=op.f("pk_router_days")),
    )
    op.create_index("ix_router_days_day", "router_days", ["day"])

    op.create_table(
        "fleet_incidents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("ended_at", _when(), nullable=True),
        sa.Column("routers", sa.Integer(), nullable=False),
        sa.Column("polled", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at",
            name=op.f("ck_fleet_incidents_ends_after_start"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_incidents")),
    )
    op.create_index("ix_fleet_incidents_started_at", "fleet_incidents", ["started_at"])


def downgrade() -> None:
    op.drop_table("fleet_incidents")
    op.drop_table("router_days")
    op.drop_table("router_intervals")
    op.drop_table("router_health")
    # Not batch mode: on SQLite that recreates `routers`, and dropping the old table breaks
    # the foreign keys of every session and task row (SQLite >= 3.35 drops a column in place).
    op.drop_column("routers", "wan_interface")
