"""stats_site_days: an index of each site's latest accounting (site_id, last_heard)

Every statistics page lists the villages that went silent: each site's latest accounting over
all its days. Grouping every day of a province's 1,000 sites took 92 ms of a page on
PostgreSQL (365,000 site-days a year, more each year); with this index it is one lookup a site
(`make bench-stats`).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stats_site_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stats_site_days_site_heard", ["site_id", "last_heard"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stats_site_days", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_site_days_site_heard")
