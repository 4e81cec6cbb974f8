"""login_failures: failed logins counted in the database, shared by every web process

The portal and the admin sign-in kept their counts in a dict per process: several uvicorn
workers each counted on their own, and the dict grew under a scan until it broke. A row per
key (a device at a router, a router, an admin name at an address) with its window and block;
`expires_at` says when the row means nothing any more, for the sweep.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wifidesa.db.engine

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("window_start", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("blocked_until", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", wifidesa.db.engine.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count >= 1", name=op.f("ck_login_failures_count_positive")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failures_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_expires_at"))
    op.drop_table("login_failures")
