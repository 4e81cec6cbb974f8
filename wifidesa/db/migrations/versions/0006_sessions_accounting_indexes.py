"""sessions: indexes for accounting's lookups and in-place updates

The unique key becomes (acct_session_id, router_id): accounting looks up a batch of session ids
of one router, and with router_id first PostgreSQL, on thin statistics (a new table, a new
router), scanned all of the router's sessions and filtered them.

An Interim-Update changes a session's updated_at and counters only. The index on
(status, updated_at) made every interim rewrite an index entry (SQLite) and ruled out
PostgreSQL's heap-only (HOT) updates, so that every index of the row got a new entry. The
reaper and the live views need open sessions, by village: (status, site_id).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 11:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOT_TABLES = ("sessions", "usage_daily")


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sessions_router_id_acct_session_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_sessions_acct_session_id_router_id", ["acct_session_id", "router_id"]
        )
        batch_op.drop_index("ix_sessions_status_updated")
        batch_op.create_index("ix_sessions_status_site", ["status", "site_id"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        for table in _HOT_TABLES:
            # applies to pages written from now on; existing pages fill up as rows move
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in _HOT_TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_status_site")
        batch_op.create_index("ix_sessions_status_updated", ["status", "updated_at"], unique=False)
        batch_op.drop_constraint("uq_sessions_acct_session_id_router_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_sessions_router_id_acct_session_id", ["router_id", "acct_session_id"]
        )
