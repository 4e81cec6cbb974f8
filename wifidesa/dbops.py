"""Portable bulk operations that SQL spells differently on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import Dialect, Insert, Table, text
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


_Steps = list[tuple[str | None, Callable[[Any], Any] | None, Any]]
_PLANS: dict[tuple[Any, str, tuple[str, ...]], tuple[str, _Steps] | None] = {}


def executemany(session: Session, statement: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run a Core INSERT or UPDATE once per row (all rows with the same keys), like
    `connection.execute(statement, rows)`.

    On SQLite the statement is compiled once per shape and each row becomes a tuple through
    the columns' own bind processors: SQLAlchemy's generic per-row parameter handling (a dict
    per row, every bind looked up) was a sixth of the accounting worker's time. Elsewhere, or
    for a statement this does not cover (a callable default), SQLAlchemy runs it as usual.
    """
    if not rows:
        return
    connection = session.connection()
    keys = tuple(rows[0])
    cache_key = (statement, connection.dialect.name, keys)
    if cache_key not in _PLANS:
        _PLANS[cache_key] = _plan(statement, connection.dialect, keys)
    plan = _PLANS[cache_key]
    if plan is None:
        connection.execute(statement, list(rows))
        return
    sql, steps = plan
    connection.exec_driver_sql(
        sql,
        [
            tuple(
                value if name is None else process(row[name]) if process else row[name]
                for name, process, value in steps
            )
            for row in rows
        ],
    )


def _plan(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> tuple[str, _Steps] | None:
    if not dialect.positional:
        return None  # PostgreSQL: psycopg batches executemany itself (pipeline mode)
    if isinstance(statement, Insert):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    else:
        compiled = statement.compile(dialect=dialect)
    if compiled.positiontup is None or compiled.update_prefetch:
        return None
    prefetch = {column.key: column for column in compiled.insert_prefetch}
    steps: _Steps = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        process = bind.type.bind_processor(dialect)
        if name in keys:
            steps.append((name, process, None))
            continue
        column = prefetch.get(name)
        if column is not None and column.default is not None and column.default.is_scalar:
            value = cast(Any, column.default).arg  # a Python default, such as throttled=False
        elif column is None and not bind.required:
            value = bind.value  # a constant written into the statement
        else:
            return None
        steps.append((None, None, process(value) if process else value))
    return compiled.string, steps


def insert_ignore(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """INSERT rows, skipping those whose `keys` exist already."""
    if rows:
        stmt = _ignore(session.get_bind().dialect.name, table, tuple(keys))
        executemany(session, stmt, rows)


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
        executemany(session, stmt, rows)


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
        executemany(session, stmt, rows)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def refresh_statistics(session: Session, *tables: str) -> None:
    """PostgreSQL: re-plan with fresh statistics after a bulk load, so lookups of the new rows
    use their indexes instead of scanning (a freshly loaded table has none). SQLite: nothing."""
    if is_postgresql(session):
        for table in tables:
            session.execute(text(f'ANALYZE "{table}"'))
