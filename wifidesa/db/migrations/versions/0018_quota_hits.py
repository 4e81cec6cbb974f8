"""sessions.quota_hit_at and stats_site_days.quota_accounts: accounts that reached their quota

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wifidesa.db.engine

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Sessions before this revision never recorded it: their days count no quota hits.
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(
            sa.Column("quota_hit_at", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("stats_site_days") as batch:
        batch.add_column(
            sa.Column("quota_accounts", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("stats_site_days") as batch:
        batch.drop_column("quota_accounts")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("quota_hit_at")
