"""Migrations upgrade and downgrade cleanly, and match the models, on both backends; those
that add a table derived from others fill it as the code that keeps it would."""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.factories import make_site

from tests.wifidesa.stats.test_figures import _day
from wifidesa.db import schema
from wifidesa.db.engine import Base, make_engine, make_session_factory, transaction
from wifidesa.db.models import AreaDay, AreaMonthSketch, SiteMonth
from wifidesa.db.models.statistics import HOURS, LENGTHS
from wifidesa.places.regions import ensure_reference_regions
from wifidesa.stats.digests import pack
from wifidesa.stats.rollup import store_site_days


def test_upgrade_creates_every_model_table_and_matches_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert schema.differences(engine) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        schema.upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            ensure_reference_regions(session=session)  # with rows in the tables
        schema.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert schema.current_revision(engine) is None
        schema.upgrade(engine)
        assert schema.differences(engine) == []
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        schema.upgrade(engine)
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
    finally:
        engine.dispose()


def test_differences_notice_a_table_the_migrations_lack(empty_db_url: str) -> None:
    # The check must be able to fail: drop a table behind Alembic's back.
    engine = make_engine(empty_db_url)
    try:
        schema.upgrade(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE site_device_days")
        diffs = schema.differences(engine)
        assert [schema.describe_difference(d) for d in diffs] == ["add_table: site_device_days"]
    finally:
        engine.dispose()


def test_reference_regions_are_kaltims_ten_kabupaten_kota(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        schema.upgrade(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            assert ensure_reference_regions(session=session) == 11
        with transaction(factory) as session:
            assert ensure_reference_regions(session=session) == 0
    finally:
        engine.dispose()


def test_upgrading_to_the_kept_sums_sums_the_stored_site_days_as_the_rollup_does(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    pick = random.Random(20)
    with transaction(sessions) as session:
        sites = [make_site(session, kabupaten=k) for k in ("64.03", "64.03", "64.05", "64.72")]
        session.flush()
        rows = [
            _day(
                site.id,
                date(2026, 10, 25) + timedelta(days=n),
                sessions=pick.randrange(30),
                devices=pick.randrange(9),
                online_seconds=pick.randrange(10**5),
                input_octets=pick.randrange(10**9),
                output_octets=pick.randrange(10**10),
                quota_accounts=pick.randrange(2),
                last_heard=None if n % 7 == 3 else datetime(2026, 12, 1, n % 24, tzinfo=UTC),
                **{name: pick.randrange(100) for name in (*HOURS, *LENGTHS)},
            )
            for site in sites
            for n in range(45)
            if pick.random() < 0.8
        ]
        store_site_days(session=session, rows=rows)
    with sessions() as session:
        kept = [_every_row(session, AreaDay), _every_row(session, SiteMonth)]
    assert kept[0] and kept[1]
    schema.downgrade(engine, "0023")  # before the sums' tables
    schema.upgrade(engine)
    with sessions() as session:
        assert [_every_row(session, AreaDay), _every_row(session, SiteMonth)] == kept


def test_upgrading_to_month_sketches_merges_the_stored_day_sketches_as_the_rollup_does(
    sessions: sessionmaker[Session], engine: Engine
) -> None:
    pick = random.Random(25)
    with transaction(sessions) as session:
        sites = [make_site(session, kabupaten=k) for k in ("64.03", "64.03", "64.05")]
        session.flush()
        rows = [
            _day(
                site.id,
                date(2026, 10, 20) + timedelta(days=n),
                devices=8,
                device_digests=pack({pick.getrandbits(63) for _ in range(8)}),
                last_heard=datetime(2026, 12, 1, tzinfo=UTC),
            )
            for site in sites
            for n in range(50)
            if pick.random() < 0.8
        ]
        store_site_days(session=session, rows=rows)
    with sessions() as session:
        kept = _every_row(session, AreaMonthSketch)
    assert {(row["area_code"], row["month"].month) for row in kept} == {
        (area, month) for area in ("64", "64.03", "64.05") for month in (10, 11, 12)
    }
    schema.downgrade(engine, "0024")  # before the month sketches
    schema.upgrade(engine)
    with sessions() as session:
        assert _every_row(session, AreaMonthSketch) == kept


def _every_row(session: Session, model: Any) -> list[dict[str, Any]]:
    table = model.__table__
    found = session.scalars(select(model).order_by(*table.primary_key.columns))
    return [{name: getattr(row, name) for name in table.columns.keys()} for row in found]  # noqa: SIM118
