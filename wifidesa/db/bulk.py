"""Portable bulk operations that SQL spells differently on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Dialect, Insert, Integer, Table, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from wifidesa.db import pg_bulk


def _insert(dialect: str, table: Table) -> Any:
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


# The statements are built once per dialect and shape: building an ON CONFLICT clause (with its
# `excluded` columns) cost more than running it for the RADIUS server's small batches.
@cache
def _ignore(dialect: str, table: Table, keys: tuple[str, ...]) -> Any:
    return _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))


@cache
def _plain(table: Table) -> Any:
    return table.insert()


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
# Compiled plans by statement *object* (and dialect and row keys): a statement must be built
# once (the cached builders above), not per call, or every call adds a plan. One built per
# batch (`table.insert()`) once grew the accounting worker by ~100 MiB in 7 minutes; the limit
# keeps such a mistake from growing without end.
_PLANS: dict[tuple[Any, str, tuple[str, ...]], tuple[str, _Steps] | None] = {}
_PLANS_LIMIT = 1024


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
        if len(_PLANS) >= _PLANS_LIMIT:
            _PLANS.clear()
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


@cache
def _update_by(table: Table, key: str, columns: tuple[str, ...]) -> Any:
    return (
        table.update()
        .where(table.c[key] == bindparam(f"b_{key}"))
        .values({c: bindparam(c) for c in columns if c != key})
    )


@dataclass(frozen=True)
class _Write:
    table: Table
    rows: Sequence[Mapping[str, Any]]
    keys: tuple[str, ...] = ()  # INSERT: ON CONFLICT on these; UPDATE: the one key column
    add: tuple[str, ...] = ()
    overwrite: tuple[str, ...] = ()
    update: bool = False


class Writes:
    """The writes of one transaction's batch, sent together by `flush()`.

    On PostgreSQL they become one statement (wifidesa.db.pg_bulk: one round trip for all); on
    SQLite, which is in-process, each runs as a compiled executemany. The writes must touch
    different rows: on PostgreSQL they do not see each other.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: list[_Write] = []

    def insert(
        self,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        *,
        keys: Sequence[str] = (),
        add: Sequence[str] = (),
        overwrite: Sequence[str] = (),
    ) -> Writes:
        """INSERT rows (all with the same keys); with `keys`, when a row with those exists:
        nothing, or add the `add` columns onto it, or overwrite its `overwrite` columns."""
        if rows:
            self.pending.append(_Write(table, rows, tuple(keys), tuple(add), tuple(overwrite)))
        return self

    def update(self, table: Table, rows: Sequence[Mapping[str, Any]], key: str = "id") -> Writes:
        """UPDATE the row whose `key` equals each row's `key` to the row's other values."""
        if rows:
            self.pending.append(_Write(table, rows, (key,), update=True))
        return self

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        if is_postgresql(self.session):
            plans = [_pg_plan(self.session, w) for w in pending]
            if all(plans):
                pg_bulk.run(
                    self.session.connection(),
                    [(plan, w.rows) for plan, w in zip(plans, pending, strict=True) if plan],
                )
                return
        for write in pending:
            _run_one(self.session, write)


def _pg_plan(session: Session, write: _Write) -> pg_bulk.Plan | None:
    dialect = session.get_bind().dialect
    names = tuple(write.rows[0])
    if write.update:
        return pg_bulk.update_plan(dialect, write.table, write.keys[0], names)
    if (write.add or write.overwrite) and len(
        {tuple(r[k] for k in write.keys) for r in write.rows}
    ) != len(write.rows):
        return None  # one statement may not update a row twice
    return pg_bulk.insert_plan(dialect, write.table, names, write.keys, write.add, write.overwrite)


def _run_one(session: Session, write: _Write) -> None:
    dialect, table, keys = session.get_bind().dialect.name, write.table, write.keys
    if write.update:
        key = keys[0]
        statement = _update_by(table, key, tuple(write.rows[0]))
        executemany(session, statement, [{f"b_{key}": r[key], **r} for r in write.rows])
    elif write.add:
        executemany(session, _upsert(dialect, table, keys, write.add), write.rows)
    elif write.overwrite:
        executemany(session, _overwrite(dialect, table, keys, write.overwrite), write.rows)
    elif keys:
        executemany(session, _ignore(dialect, table, keys), write.rows)
    else:
        executemany(session, _plain(table), write.rows)


def one_of(column: Any, name: str, *, postgresql: bool) -> ColumnElement[bool]:
    """`column IN (:name)` for a list parameter `name`. On PostgreSQL `column = ANY(:name)`, one
    array parameter: one statement text whatever the list's length, so one prepared statement
    (psycopg prepares a statement once it has run five times) instead of one per length."""
    if postgresql:
        return cast(ColumnElement[bool], column == any_(bindparam(name, type_=ARRAY(column.type))))
    return cast(ColumnElement[bool], column.in_(bindparam(name, expanding=True)))


def one_of_ids(column: Any, ids: Iterable[int], *, session: Session) -> ColumnElement[bool]:
    """`column` is one of these ids, the values in the statement (`one_of` takes them as a
    named parameter at execution). On PostgreSQL one array parameter (`= ANY`): psycopg spent
    ~27 ms finding a province's 1,000 placeholders of an IN list in each statement's text, a
    fifth of the year's statistics page. Elsewhere an IN list."""
    values = list(ids)
    if is_postgresql(session):
        return cast(ColumnElement[bool], column == any_(bindparam(None, values, ARRAY(Integer))))
    return cast(ColumnElement[bool], column.in_(values))


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def refresh_statistics(session: Session, *tables: str) -> None:
    """PostgreSQL: re-plan with fresh statistics after a bulk load, so lookups of the new rows
    use their indexes instead of scanning (a freshly loaded table has none). SQLite: nothing."""
    if is_postgresql(session):
        for table in tables:
            session.execute(text(f'ANALYZE "{table}"'))
