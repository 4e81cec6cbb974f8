"""A batch's writes (dbops.Writes): the same rows stored on SQLite (compiled executemany) and on
PostgreSQL (one statement over arrays, wifidesa.db.pg_bulk), including NULLs, zones, defaults and
the cases that must fall back to a statement per row."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    event,
    select,
)
from sqlalchemy.orm import Session
from wdtest.factories import make_site

from wifidesa.db.bulk import Writes, one_of_ids
from wifidesa.db.engine import UTCDateTime
from wifidesa.db.models import Site

_meta = MetaData()
_counter = itertools.count()
ITEMS = Table(
    "dbops_items",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("day", Date, nullable=False),
    Column("total", BigInteger, nullable=False, default=0),
    Column("seen_at", UTCDateTime, nullable=True),
    Column("flag", Boolean, nullable=False, default=False),
    Column("serial", Integer, nullable=True),
)
STAMPED = Table(
    "dbops_stamped",
    _meta,
    Column("id", Integer, primary_key=True),
    Column("serial", Integer, nullable=False, default=lambda: next(_counter)),
)
WITA = timezone(timedelta(hours=8))
DAY = date(2026, 11, 22)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    _meta.create_all(engine)
    with Session(engine) as session:
        yield session


def _statements(session: Session) -> list[str]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", note)
    return seen


def _rows(session: Session) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(select(ITEMS).order_by(ITEMS.c.id))]


def test_insert_stores_nulls_zones_and_python_defaults(db: Session) -> None:
    seen_at = datetime(2026, 11, 22, 9, 30, tzinfo=WITA)
    Writes(db).insert(
        ITEMS,
        [
            {"id": 1, "name": "a", "day": DAY, "seen_at": seen_at},
            {"id": 2, "name": "b", "day": DAY, "seen_at": None},
        ],
    ).flush()
    Writes(db).insert(ITEMS, [{"id": 3, "name": "c", "day": DAY, "seen_at": None}]).flush()
    db.commit()
    assert _rows(db) == [
        (1, "a", DAY, 0, datetime(2026, 11, 22, 1, 30, tzinfo=UTC), False, None),
        (2, "b", DAY, 0, None, False, None),
        (3, "c", DAY, 0, None, False, None),
    ]


def test_conflicts_ignore_add_and_overwrite(db: Session) -> None:
    Writes(db).insert(ITEMS, [{"id": 1, "name": "a", "day": DAY, "total": 5}]).flush()
    a, b = {"id": 1, "name": "x", "day": DAY}, {"id": 2, "name": "b", "day": DAY}
    Writes(db).insert(ITEMS, [a, b], keys=["id"]).flush()
    added = {"id": 1, "name": "-", "day": DAY, "total": 7}
    Writes(db).insert(ITEMS, [added], keys=["id"], add=["total"]).flush()
    changed = {"id": 2, "name": "bb", "day": DAY, "serial": 9}
    Writes(db).insert(ITEMS, [changed], keys=["id"], overwrite=["name", "serial"]).flush()
    db.commit()
    assert _rows(db) == [(1, "a", DAY, 12, None, False, None), (2, "bb", DAY, 0, None, False, 9)]


def test_two_rows_for_one_key_still_add_up(db: Session) -> None:
    # One statement may not update a row twice: this batch falls back to a statement per row.
    rows = [{"id": 1, "name": "a", "day": DAY, "total": n} for n in (1, 2, 3)]
    Writes(db).insert(ITEMS, rows, keys=["id"], add=["total"]).flush()
    db.commit()
    assert _rows(db) == [(1, "a", DAY, 6, None, False, None)]


def test_update_sets_each_rows_values_by_key(db: Session) -> None:
    Writes(db).insert(
        ITEMS, [{"id": i, "name": f"n{i}", "day": DAY, "serial": i} for i in (1, 2, 3)]
    ).flush()
    seen_at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    Writes(db).update(
        ITEMS,
        [
            {"id": 1, "total": 10, "seen_at": seen_at, "serial": None},
            {"id": 3, "total": 30, "seen_at": None, "serial": 33},
        ],
    ).flush()
    db.commit()
    assert _rows(db) == [
        (1, "n1", DAY, 10, seen_at, False, None),
        (2, "n2", DAY, 0, None, False, 2),
        (3, "n3", DAY, 30, None, False, 33),
    ]


def test_a_batch_of_writes_is_one_statement_on_postgresql(db: Session) -> None:
    Writes(db).insert(ITEMS, [{"id": 1, "name": "a", "day": DAY}]).flush()
    statements = _statements(db)
    (
        Writes(db)
        .insert(ITEMS, [{"id": 2, "name": "b", "day": DAY}, {"id": 3, "name": "c", "day": DAY}])
        .update(ITEMS, [{"id": 1, "total": 4}])
        .insert(STAMPED, [])  # nothing to write: no statement
        .flush()
    )
    db.commit()
    writes = [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))]
    postgresql = db.get_bind().dialect.name == "postgresql"
    assert len(writes) == (1 if postgresql else 2), writes
    assert [r[:4] for r in _rows(db)] == [(1, "a", DAY, 4), (2, "b", DAY, 0), (3, "c", DAY, 0)]


def test_a_callable_default_is_left_to_sqlalchemy(db: Session) -> None:
    Writes(db).insert(STAMPED, [{"id": 1}, {"id": 2}]).flush()
    db.commit()
    serials = list(db.scalars(select(STAMPED.c.serial).order_by(STAMPED.c.id)))
    assert len(serials) == 2 and serials[1] == serials[0] + 1


def test_one_of_finds_exactly_the_rows_of_the_ids_given(session: Session) -> None:
    sites = [make_site(session) for _ in range(5)]
    session.flush()
    wanted = [sites[0].id, sites[3].id, 10**6]  # one id of no row
    found = session.scalars(select(Site.id).where(one_of_ids(Site.id, wanted, session=session)))
    assert sorted(found) == sorted([sites[0].id, sites[3].id])
    assert (
        session.scalars(select(Site.id).where(one_of_ids(Site.id, [], session=session))).all() == []
    )


def test_a_thousand_ids_are_one_array_parameter_on_postgresql(session: Session) -> None:
    query = select(Site.id).where(one_of_ids(Site.id, range(1000), session=session))
    text = str(query.compile(dialect=session.get_bind().dialect))
    if session.get_bind().dialect.name == "postgresql":
        assert "= ANY (" in text and " IN " not in text
    else:
        assert " IN (" in text
