"""Which constraint refused a statement, asked of the database itself on either backend.

PostgreSQL names the constraint in its error diagnostics. SQLite names a CHECK, lists the
columns of a UNIQUE constraint, and says nothing about which FOREIGN KEY failed: for that the
refused statement is run again with foreign keys deferred, and `PRAGMA foreign_key_check`
says which of the table's foreign keys the new row breaks.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.schema import Constraint

from wifidesa.db.engine import Base


def constraint_named(name: str) -> Constraint:
    """The model constraint called `name` (a typo in a test fails here, not silently)."""
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if constraint.name == name:
                return constraint
    raise AssertionError(f"no constraint named {name!r} in the models")


def assert_refused_by(session: Session, error: DBAPIError, name: str) -> None:
    """Assert that constraint `name` is what made the database refuse `error`'s statement.

    Call it after rolling the session back: on SQLite a foreign key is checked by running the
    statement again in a transaction of its own, which is rolled back too.
    """
    constraint = constraint_named(name)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        diag = getattr(error.orig, "diag", None)
        fired = getattr(diag, "constraint_name", None)
        assert fired == name, f"expected {name}, the database reports {fired}: {error.orig}"
        return
    message = str(error.orig)
    table = constraint.table.name
    if isinstance(constraint, UniqueConstraint):
        columns = ", ".join(f"{table}.{column.name}" for column in constraint.columns)
        assert message == f"UNIQUE constraint failed: {columns}", message
    elif isinstance(constraint, CheckConstraint):
        assert message == f"CHECK constraint failed: {name}", message
    elif isinstance(constraint, ForeignKeyConstraint):
        assert message == "FOREIGN KEY constraint failed", message
        broken = _broken_foreign_keys(session, error, table)
        expected = {tuple(column.name for column in constraint.columns)}
        assert broken == expected, f"{name}: the row breaks the foreign keys on {broken}"
    else:
        raise AssertionError(f"{name} is a {type(constraint).__name__}: not checked here")


def _broken_foreign_keys(session: Session, error: DBAPIError, table: str) -> set[tuple[str, ...]]:
    """The local columns of each foreign key of `table` that the refused statement breaks."""
    connection = session.connection()
    try:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        connection.exec_driver_sql(error.statement or "", error.params)  # type: ignore[arg-type]
        columns: dict[int, list[str]] = {}
        for fk in connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})").mappings():
            columns.setdefault(fk["id"], []).append(fk["from"])
        broken = connection.exec_driver_sql(f"PRAGMA foreign_key_check({table})").mappings()
        return {tuple(columns[row["fkid"]]) for row in broken}
    finally:
        session.rollback()
