"""stats_exports: statistics exports as jobs stored in the database (CSV, XLSX, PDF)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 20:16:46
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wifidesa.db.engine

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_exports",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "csv",
                "xlsx",
                "pdf",
                name="export_format",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("area", sa.String(length=80), nullable=False),
        sa.Column("period_kind", sa.String(length=10), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("table_name", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="export_state",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=160), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("created_at", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["admin_users.id"],
            name=op.f("fk_stats_exports_admin_id_admin_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_exports")),
    )
    with op.batch_alter_table("stats_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stats_exports_admin_id"), ["admin_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stats_exports_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stats_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stats_exports_state"))
        batch_op.drop_index(batch_op.f("ix_stats_exports_admin_id"))

    op.drop_table("stats_exports")
