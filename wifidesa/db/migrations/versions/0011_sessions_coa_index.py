"""sessions: an index of the sessions with a CoA or Disconnect

The RADIUS service looks every second for Disconnects that admins queued and for requests cut
short by a restart (still "pending"); partial, so it holds only the few sessions that ever had
a request, and an accounting update never touches it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHERE = sa.text("coa_result IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_coa_result",
            ["coa_result"],
            unique=False,
            sqlite_where=_WHERE,
            postgresql_where=_WHERE,
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_coa_result")
