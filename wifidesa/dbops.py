"""Portable bulk operations that SQL spells differently on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def insert_ignore(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT rows, skipping those whose `keys` exist already."""
    if rows:
        stmt = _insert(session, table).on_conflict_do_nothing(index_elements=list(keys))
        session.execute(stmt, list(rows))


def upsert_add(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    add: Sequence[str],
) -> None:
    """INSERT rows, or add their `add` columns onto the existing row: race-free counters."""
    if not rows:
        return
    stmt = _insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={col: table.c[col] + stmt.excluded[col] for col in add},
    )
    session.execute(stmt, list(rows))


def upsert_set(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    columns: Sequence[str],
) -> None:
    """INSERT rows, or overwrite `columns` of the existing row."""
    if not rows:
        return
    stmt = _insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={col: stmt.excluded[col] for col in columns}
    )
    session.execute(stmt, list(rows))


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def refresh_statistics(session: Session, *tables: str) -> None:
    """PostgreSQL: re-plan with fresh statistics after a bulk load, so lookups of the new rows
    use their indexes instead of scanning (a freshly loaded table has none). SQLite: nothing."""
    if is_postgresql(session):
        for table in tables:
            session.execute(text(f'ANALYZE "{table}"'))
