"""router_alert_states: what the alert rules told of each router (its outage's "down" alert,
a run of flapping), so they hold across poll rounds and pollers

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wifidesa.db.engine

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "router_alert_states",
        sa.Column("router_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "down_alerted_since", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("flapping_since", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["router_id"],
            ["routers.id"],
            name=op.f("fk_router_alert_states_router_id_routers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("router_id", name=op.f("pk_router_alert_states")),
    )


def downgrade() -> None:
    op.drop_table("router_alert_states")
