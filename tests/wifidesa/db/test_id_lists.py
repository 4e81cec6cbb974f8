"""A long list of ids in a query: the rows of those ids, and on PostgreSQL one parameter."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from wdtest.factories import make_site

from wifidesa.db.id_lists import one_of
from wifidesa.db.models import Site


def test_one_of_finds_exactly_the_rows_of_the_ids_given(session: Session) -> None:
    sites = [make_site(session) for _ in range(5)]
    session.flush()
    wanted = [sites[0].id, sites[3].id, 10**6]  # one id of no row
    found = session.scalars(select(Site.id).where(one_of(Site.id, wanted, session=session)))
    assert sorted(found) == sorted([sites[0].id, sites[3].id])
    assert session.scalars(select(Site.id).where(one_of(Site.id, [], session=session))).all() == []


def test_a_thousand_ids_are_one_array_parameter_on_postgresql(session: Session) -> None:
    query = select(Site.id).where(one_of(Site.id, range(1000), session=session))
    text = str(query.compile(dialect=session.get_bind().dialect))
    if session.get_bind().dialect.name == "postgresql":
        assert "= ANY (" in text and " IN " not in text
    else:
        assert " IN (" in text
