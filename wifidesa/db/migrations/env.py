"""Alembic environment: runs against the connection or URL that wifidesa.db.schema hands in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

import wifidesa.db.models  # noqa: F401 - registers every table on the metadata
from wifidesa.db.engine import Base
from wifidesa.db.schema import is_modelled

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Table rebuilds (batch mode) and drops pass through states that break foreign keys;
        # check them at commit instead. (PRAGMA foreign_keys=OFF is ignored in a transaction.)
        connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        include_name=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
