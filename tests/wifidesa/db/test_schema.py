"""Migrations upgrade and downgrade cleanly, and match the models, on both backends."""

from sqlalchemy import inspect

from wifidesa.db import schema
from wifidesa.db.engine import Base, make_engine, make_session_factory, transaction
from wifidesa.places.regions import ensure_reference_regions


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
