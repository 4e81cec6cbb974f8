"""stats_login_counts: logins per site and local day by outcome, appended by RADIUS workers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_login_counts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_stats_login_counts_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_login_counts")),
    )
    op.create_index(
        "ix_stats_login_counts_site_day", "stats_login_counts", ["site_id", "day"], unique=False
    )
    op.create_index("ix_stats_login_counts_day", "stats_login_counts", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stats_login_counts_day", table_name="stats_login_counts")
    op.drop_index("ix_stats_login_counts_site_day", table_name="stats_login_counts")
    op.drop_table("stats_login_counts")
