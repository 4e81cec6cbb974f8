"""PostgreSQL: the writes of a batch as one statement, each column sent as one array.

psycopg runs an executemany as one statement per row (pipelined), and every statement is a
round trip that the RADIUS worker waits for. Here each write of a batch is an
INSERT ... SELECT FROM unnest(...) or an UPDATE ... FROM unnest(...), and the writes of one
batch go together as data-modifying WITH queries of a single statement: one parse, one plan,
one round trip, whatever the number of rows. Writes of one statement share a snapshot and do
not see each other, so they must touch different rows (the callers' writes do).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table

Rows = Sequence[Mapping[str, Any]]
_MARK = "%(@"  # placeholder prefix, replaced by each write's own parameter prefix


@dataclass(frozen=True)
class Plan:
    sql: str
    # per array: the row key it comes from (None: a constant), its bind processor, constant
    params: tuple[tuple[str | None, Callable[[Any], Any] | None, Any], ...]


def _array(dialect: Dialect, column: Column[Any], index: int) -> str:
    return f"CAST({_MARK}p{index})b AS {column.type.compile(dialect=dialect)}[])"


def _processor(dialect: Dialect, column: Column[Any]) -> Callable[[Any], Any] | None:
    return column.type.bind_processor(dialect)


@cache
def insert_plan(
    dialect: Dialect,
    table: Table,
    names: tuple[str, ...],
    keys: tuple[str, ...] = (),
    add: tuple[str, ...] = (),
    overwrite: tuple[str, ...] = (),
) -> Plan | None:
    """INSERT rows with these keys; with `keys`, ON CONFLICT: nothing, or add the `add`
    columns onto the stored row, or overwrite the `overwrite` ones. None if this cannot be one
    statement (a column with a callable default, a key that is not a column)."""
    params: list[tuple[str | None, Callable[[Any], Any] | None, Any]] = []
    columns: list[Column[Any]] = []
    for column in table.columns:
        if column.key in names:
            params.append((column.key, _processor(dialect, column), None))
        elif column.default is not None:
            if not column.default.is_scalar:
                return None
            value = column.default.arg  # type: ignore[attr-defined]
            process = _processor(dialect, column)
            params.append((None, None, process(value) if process else value))
        else:
            continue  # NULL or the server's default
        columns.append(column)
    if sum(1 for p in params if p[0] is not None) != len(names):
        return None
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    arrays = ", ".join(_array(dialect, c, i) for i, c in enumerate(columns))
    # Only names from the table's metadata, quoted, go into the text; values are parameters.
    sql = (
        f"INSERT INTO {target} ({', '.join(quote(c.name) for c in columns)}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays})"
    )
    if keys:
        name = {c: quote(table.c[c].name) for c in (*keys, *add, *overwrite)}
        sql += f" ON CONFLICT ({', '.join(name[k] for k in keys)}) "
        sets = [f"{name[c]} = {target}.{name[c]} + EXCLUDED.{name[c]}" for c in add]
        sets += [f"{name[c]} = EXCLUDED.{name[c]}" for c in overwrite]
        sql += f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING"
    return Plan(sql, tuple(params))


@cache
def update_plan(dialect: Dialect, table: Table, key: str, names: tuple[str, ...]) -> Plan:
    """UPDATE the row whose `key` column equals each row's `key`, to the row's other values."""
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    columns = [table.c[key], *(table.c[n] for n in names if n != key)]
    arrays = ", ".join(_array(dialect, c, i) for i, c in enumerate(columns))
    aliases = ", ".join(f"v{i}" for i in range(len(columns)))
    sets = ", ".join(f"{quote(c.name)} = v.v{i}" for i, c in enumerate(columns) if i)
    sql = (
        f"UPDATE {target} SET {sets} FROM unnest({arrays}) AS v({aliases}) "  # noqa: S608
        f"WHERE {target}.{quote(columns[0].name)} = v.v0"
    )
    return Plan(sql, tuple((c.key, _processor(dialect, c), None) for c in columns))


def _arrays(plan: Plan, rows: Rows, prefix: str) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for index, (name, process, constant) in enumerate(plan.params):
        if name is None:
            arrays[f"{prefix}p{index}"] = [constant] * len(rows)
        elif process is None:
            arrays[f"{prefix}p{index}"] = [row[name] for row in rows]
        else:
            arrays[f"{prefix}p{index}"] = [process(row[name]) for row in rows]
    return arrays


def run(connection: Connection, writes: Sequence[tuple[Plan, Rows]]) -> None:
    """Send these writes (each a plan and its rows) as one statement."""
    if len(writes) == 1:
        plan, rows = writes[0]
        connection.exec_driver_sql(plan.sql.replace(_MARK, "%("), _arrays(plan, rows, ""))
        return
    parts, params = [], {}
    for n, (plan, rows) in enumerate(writes):
        prefix = f"w{n}_"
        parts.append(f"w{n} AS ({plan.sql.replace(_MARK, '%(' + prefix)})")
        params.update(_arrays(plan, rows, prefix))
    connection.exec_driver_sql(f"WITH {', '.join(parts)} SELECT 1", params)
