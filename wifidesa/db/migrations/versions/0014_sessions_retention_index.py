"""sessions: an index of the sessions that still hold a MAC, an IP address or a user name

Retention (wifidesa.usage.retention, UU PDP No. 27/2022) clears them once they are older than
the kept age. Partial, so a daily run reads the sessions still due, oldest first, and never the
years it cleared before; accounting sets these columns at the Start only, so an Interim-Update
touches no entry of it.

On PostgreSQL with a large `sessions` table, CREATE INDEX blocks writes while it builds: run
this upgrade in a quiet hour (or build the index CONCURRENTLY by hand first, same name).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As wifidesa.db.models.sessions.RETENTION_DUE when this revision was written.
_WHERE = sa.text("username <> '' OR mac IS NOT NULL OR framed_ip IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_retention_due",
            ["started_at", "id"],
            unique=False,
            sqlite_where=_WHERE,
            postgresql_where=_WHERE,
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_retention_due")
