"""stats_site_days: sessions started by length, in buckets that add up over sites and days

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LENGTHS = (
    "len_1m",
    "len_5m",
    "len_15m",
    "len_30m",
    "len_1h",
    "len_2h",
    "len_4h",
    "len_8h",
    "len_24h",
    "len_more",
)


def upgrade() -> None:
    # Rows computed before have no lengths: the rollup fills them when their day changes, and
    # `wifidesa stats rollup --all` recomputes every day.
    with op.batch_alter_table("stats_site_days") as batch:
        for name in LENGTHS:
            batch.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("stats_site_days") as batch:
        for name in reversed(LENGTHS):
            batch.drop_column(name)
