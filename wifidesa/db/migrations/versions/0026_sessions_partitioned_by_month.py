"""sessions_partitioned_by_month: `archived_month` on every session, and on PostgreSQL the
table partitioned by it

PostgreSQL requires every unique key of a partitioned table to hold the partition key, and
accounting's key (acct_session_id, router_id, generation) holds no time. So the partition key
is `archived_month`: 0 for the live rows (open sessions and those closed lately, the only rows
accounting reads and writes, where the old key stays unique), the UTC month of the start
(YYYYMM) for the archived ones, which wifidesa.usage.archive moves into one partition per month.
Here every stored session becomes live; the first archive run files the old ones.

PostgreSQL: the table is rebuilt as `sessions` PARTITION BY LIST (archived_month) with the
partition `sessions_live` (fillfactor 70, as before), primary key (id, archived_month), the
same sequence numbering ids. SQLite keeps one table and gains the column and the longer key.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = ["acct_session_id", "router_id", "generation"]
_COLUMNS = (
    "id, router_id, site_id, account_id, acct_session_id, generation, username, mac, "
    "device_hash, framed_ip, status, started_at, updated_at, stopped_at, session_time, "
    "input_octets, output_octets, interim_interval, terminate_cause, throttled, coa_action, "
    "coa_result, coa_at, coa_detail, quota_hit_at"
)
_RETENTION_DUE = "username <> '' OR mac IS NOT NULL OR framed_ip IS NOT NULL"
_INDEXES = (
    "CREATE INDEX ix_sessions_site_started ON sessions (site_id, started_at)",
    "CREATE INDEX ix_sessions_account_status ON sessions (account_id, status)",
    "CREATE INDEX ix_sessions_status_site ON sessions (status, site_id)",
    "CREATE INDEX ix_sessions_coa_result ON sessions (coa_result) WHERE coa_result IS NOT NULL",
    f"CREATE INDEX ix_sessions_retention_due ON sessions (started_at, id) WHERE {_RETENTION_DUE}",
)
_INDEX_NAMES = (
    "ix_sessions_site_started",
    "ix_sessions_account_status",
    "ix_sessions_status_site",
    "ix_sessions_coa_result",
    "ix_sessions_retention_due",
)


def _table(*, partitioned: bool) -> str:
    """CREATE TABLE sessions as of this revision (partitioned) or the one before."""
    month = "archived_month INTEGER DEFAULT '0' NOT NULL, " if partitioned else ""
    key = "id, archived_month" if partitioned else "id"
    unique = ", ".join([*_KEY, "archived_month"] if partitioned else _KEY)
    unique_name = (
        "uq_sessions_acct_session_id_router_id_generation_archived_month"
        if partitioned
        else "uq_sessions_acct_session_id_router_id_generation"
    )
    tail = " PARTITION BY LIST (archived_month)" if partitioned else " WITH (fillfactor = 70)"
    return (
        "CREATE TABLE sessions ("
        "id BIGINT DEFAULT nextval('sessions_id_seq') NOT NULL, "
        "router_id INTEGER NOT NULL, site_id INTEGER NOT NULL, account_id INTEGER, "
        "acct_session_id VARCHAR(64) NOT NULL, generation INTEGER DEFAULT '0' NOT NULL, "
        f"{month}"
        "username VARCHAR(64) NOT NULL, mac VARCHAR(17), device_hash VARCHAR(32), "
        "framed_ip VARCHAR(45), status VARCHAR(16) NOT NULL, "
        "started_at TIMESTAMP WITH TIME ZONE NOT NULL, "
        "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, stopped_at TIMESTAMP WITH TIME ZONE, "
        "session_time INTEGER NOT NULL, input_octets BIGINT NOT NULL, "
        "output_octets BIGINT NOT NULL, interim_interval INTEGER, "
        "terminate_cause VARCHAR(32), throttled BOOLEAN DEFAULT false NOT NULL, "
        "coa_action VARCHAR(16), coa_result VARCHAR(16), coa_at TIMESTAMP WITH TIME ZONE, "
        "coa_detail VARCHAR(64), quota_hit_at TIMESTAMP WITH TIME ZONE, "
        f"CONSTRAINT pk_sessions PRIMARY KEY ({key}), "
        f"CONSTRAINT {unique_name} UNIQUE ({unique}), "
        "CONSTRAINT ck_sessions_octets_not_negative "
        "CHECK (input_octets >= 0 AND output_octets >= 0), "
        "CONSTRAINT fk_sessions_router_id_routers FOREIGN KEY(router_id) "
        "REFERENCES routers (id) ON DELETE RESTRICT, "
        "CONSTRAINT fk_sessions_site_id_sites FOREIGN KEY(site_id) "
        "REFERENCES sites (id) ON DELETE RESTRICT, "
        "CONSTRAINT fk_sessions_account_id_accounts FOREIGN KEY(account_id) "
        "REFERENCES accounts (id) ON DELETE SET NULL, "
        "CONSTRAINT ck_sessions_session_status CHECK (status IN ('open', 'closed', 'lost')), "
        "CONSTRAINT ck_sessions_coa_action "
        "CHECK (coa_action IN ('throttle', 'restore', 'disconnect')), "
        "CONSTRAINT ck_sessions_coa_result "
        "CHECK (coa_result IN ('queued', 'pending', 'ack', 'nak', 'timeout'))"
        f"){tail}"
    )


def _rebuild(*, partitioned: bool) -> None:
    """Move the rows into a new `sessions` of the other shape, keeping ids and the sequence."""
    op.execute("ALTER TABLE sessions RENAME TO sessions_before_0026")
    op.execute("ALTER TABLE sessions_before_0026 RENAME CONSTRAINT pk_sessions TO pk_before_0026")
    for name in _INDEX_NAMES:
        op.execute(f"DROP INDEX {name}")
    for name in (
        "uq_sessions_acct_session_id_router_id_generation",
        "uq_sessions_acct_session_id_router_id_generation_archived_month",
    ):
        op.execute(f"ALTER TABLE sessions_before_0026 DROP CONSTRAINT IF EXISTS {name}")
    op.execute(_table(partitioned=partitioned))
    if partitioned:
        op.execute(
            "CREATE TABLE sessions_live PARTITION OF sessions FOR VALUES IN (0) "
            "WITH (fillfactor = 70)"
        )
    op.execute("ALTER SEQUENCE sessions_id_seq OWNED BY sessions.id")
    copy = f"INSERT INTO sessions ({_COLUMNS}) SELECT {_COLUMNS} FROM sessions_before_0026"  # noqa: S608 - constant names
    op.execute(copy)
    op.execute("DROP TABLE sessions_before_0026 CASCADE")
    for statement in _INDEXES:
        op.execute(statement)
    # Statistics at once: on a table the planner knows nothing of, `archived_month = 0` looks
    # selective and a lookup could read every live row through the primary key.
    op.execute("ANALYZE sessions")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(partitioned=True)
        return
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.add_column(
            sa.Column("archived_month", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_constraint("uq_sessions_acct_session_id_router_id_generation", "unique")
        batch_op.create_unique_constraint(
            "uq_sessions_acct_session_id_router_id_generation_archived_month",
            [*_KEY, "archived_month"],
        )


def downgrade() -> None:
    # Sessions archived in different months under one key cannot share the old key: such a
    # downgrade stops at the unique constraint, and nothing is lost (one transaction).
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(partitioned=False)
        return
    with op.batch_alter_table("sessions") as batch_op:
        batch_op.drop_constraint(
            "uq_sessions_acct_session_id_router_id_generation_archived_month", "unique"
        )
        batch_op.create_unique_constraint("uq_sessions_acct_session_id_router_id_generation", _KEY)
        batch_op.drop_column("archived_month")
