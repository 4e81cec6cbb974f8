"""stats devices: digests per site-day, first days per site and device, area-day sketches

Every existing site-day is marked for recomputing, so the rollup fills the new columns and
tables from the stored sessions.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("stats_site_days", sa.Column("device_digests", sa.LargeBinary(), nullable=True))
    op.create_table(
        "stats_site_devices",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_stats_site_devices_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "digest", name=op.f("pk_stats_site_devices")),
    )
    op.create_index(
        "ix_stats_site_devices_site_first",
        "stats_site_devices",
        ["site_id", "first_day"],
        unique=False,
    )
    op.create_table(
        "stats_area_day_sketches",
        sa.Column("area_code", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("registers", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("area_code", "day", name=op.f("pk_stats_area_day_sketches")),
    )
    op.execute(
        "INSERT INTO stats_dirty_days (site_id, day) "
        "SELECT site_id, day FROM stats_site_days ORDER BY site_id, day"
    )


def downgrade() -> None:
    op.drop_table("stats_area_day_sketches")
    op.drop_index("ix_stats_site_devices_site_first", table_name="stats_site_devices")
    op.drop_table("stats_site_devices")
    op.drop_column("stats_site_days", "device_digests")
