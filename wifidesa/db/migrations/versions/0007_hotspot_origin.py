"""hotspot origin: scheme and port of a router's hotspot pages

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hotspot_https", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("hotspot_port", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_routers_hotspot_port_range"), "hotspot_port BETWEEN 1 AND 65535"
        )


def downgrade() -> None:
    with op.batch_alter_table("routers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_routers_hotspot_port_range"), type_="check")
        batch_op.drop_column("hotspot_port")
        batch_op.drop_column("hotspot_https")
