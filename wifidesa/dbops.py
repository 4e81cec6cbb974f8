"""Portable bulk operations that SQL spells differently on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def _insert(dialect: str, table: Table) -> Any:
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


# The statements are built once per dialect and shape: building an ON CONFLICT clause (with its
# `excluded` columns) cost more than running it for the RADIUS server's small batches.
@cache
def _ignore(dialect: str, table: Table, keys: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))


@cache
def _upsert(dialect: str, table: Table, keys: tuple[str, ...], add: tuple[str, ...]) -> Any:
    stmt = _insert(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={col: table.c[col] + stmt.excluded[col] for col in add},
    )


@cache
def _overwrite(dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    stmt = _insert(dialect, table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={col: stmt.excluded[col] for col in columns}
    )


def insert_ignore(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT rows, skipping those whose `keys` exist already."""
    if rows:
        stmt = _ignore(session.get_bind().dialect.name, table, tuple(keys))
        session.connection().execute(stmt, list(rows))


def upsert_add(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    add: Sequence[str],
) -> None:
    """INSERT rows, or add their `add` columns onto the existing row: race-free counters."""
    if rows:
        stmt = _upsert(session.get_bind().dialect.name, table, tuple(keys), tuple(add))
        session.connection().execute(stmt, list(rows))


def upsert_set(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    columns: Sequence[str],
) -> None:
    """INSERT rows, or overwrite `columns` of the existing row."""
    if rows:
        stmt = _overwrite(session.get_bind().dialect.name, table, tuple(keys), tuple(columns))
        session.connection().execute(stmt, list(rows))


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def refresh_statistics(session: Session, *tables: str) -> None:
    """PostgreSQL: re-plan with fresh statistics after a bulk load, so lookups of the new rows
    use their indexes instead of scanning (a freshly loaded table has none). SQLite: nothing."""
    if is_postgresql(session):
        for table in tables:
            session.execute(text(f'ANALYZE "{table}"'))
