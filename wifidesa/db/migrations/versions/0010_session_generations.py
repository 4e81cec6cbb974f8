"""sessions: a reused Acct-Session-Id is a new session (its generation)

A router that was reset, or replaced under the same registration, counts its Acct-Session-Ids
from the start again. A Start that arrives after the session of that id ended used to be merged
into the old, closed row: its usage counted as zero and the quota was bypassed. The unique key
becomes (acct_session_id, router_id, generation), and such a Start opens generation n + 1.

Downgrading keeps every row: the older generations of an id get a suffix (`~n`), so that the
latest keeps the id the router knows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_constraint("uq_sessions_acct_session_id_router_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_sessions_acct_session_id_router_id_generation",
            ["acct_session_id", "router_id", "generation"],
        )


def downgrade() -> None:
    op.execute(
        "UPDATE sessions SET acct_session_id ="
        " substr(acct_session_id, 1, 56) || '~' || CAST(generation AS VARCHAR(8))"
        " WHERE EXISTS (SELECT 1 FROM sessions AS later"
        " WHERE later.router_id = sessions.router_id"
        " AND later.acct_session_id = sessions.acct_session_id"
        " AND later.generation > sessions.generation)"
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sessions_acct_session_id_router_id_generation", type_="unique")
        batch_op.create_unique_constraint(
            "uq_sessions_acct_session_id_router_id", ["acct_session_id", "router_id"]
        )
        batch_op.drop_column("generation")
