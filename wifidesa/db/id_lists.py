"""A column matched against a long list of ids (a province's 1,000 villages or routers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam
from sqlalchemy.orm import Session


def one_of(column: Any, ids: Iterable[int], *, session: Session) -> ColumnElement[bool]:
    """`column` is one of these ids. On PostgreSQL one array parameter (`= ANY`): psycopg
    spent ~27 ms finding a province's 1,000 placeholders of an IN list in each statement's
    text, a fifth of the year's page. Elsewhere an IN list."""
    values = list(ids)
    if session.get_bind().dialect.name == "postgresql":
        return cast(ColumnElement[bool], column == any_(bindparam(None, values, ARRAY(Integer))))
    return cast(ColumnElement[bool], column.in_(values))
